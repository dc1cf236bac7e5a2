// params: none. Every relationship between catalog nodes, for export.
MATCH (a:Catalog)-[r]->(b:Catalog)
RETURN a.uid AS source, type(r) AS type, b.uid AS target, properties(r) AS props
ORDER BY source, type, target
