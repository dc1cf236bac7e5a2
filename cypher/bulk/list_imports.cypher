// params: none. Every recorded bulk import, newest first.
MATCH (b:GraphcatBulkImport)
RETURN b.id AS id, b.state AS state, b.started_at AS started_at, b.files AS files,
       b.nodes AS nodes, b.relationships AS relationships
ORDER BY b.started_at DESC
