// params: $id, $batch. Rolls back part of the bulk import $id: deletes up to $batch catalog nodes
// it created, with their relationships; callers repeat until it returns 0.
MATCH (n:Catalog {bulk_import: $id})
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
