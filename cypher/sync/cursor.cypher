// params: $site. The sync cursor of peer site $site (graphcat sync --from): the id and time of the
// newest change of that site this catalog has applied; no row before the first sync.
MATCH (p:SyncPeer {site: $site})
RETURN properties(p) AS peer
