// params: none. Every catalog node's properties, for export.
MATCH (n:Catalog)
RETURN properties(n) AS props
ORDER BY n.uid
