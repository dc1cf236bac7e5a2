// params: $batch. Deletes up to $batch catalog nodes (everything but graphcat's own bookkeeping)
// and returns how many were deleted; callers repeat until it returns 0.
MATCH (n)
WHERE NOT n:GraphcatMigration AND NOT n:GraphcatSchema
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
