// params: none. Every peer site this catalog syncs from, with its cursor, by site.
MATCH (p:SyncPeer)
RETURN properties(p) AS peer
ORDER BY p.site
