// params: $batch. Deletes up to $batch relationships of the nodes admin/clear_catalog deletes
// (everything but graphcat's bookkeeping: migrations, schema, API tokens, the audit trail's
// changes) and returns how many were deleted; callers repeat until it returns 0, then delete the
// nodes. Relationships first, a bounded number per transaction: DETACH DELETE of a batch of
// nodes also deletes all their relationships in that one transaction, and the hubs of a 100k
// catalog (tasks, experiments, much-used dataset versions: tens of thousands of relationships
// each) made that transaction outgrow Neo4j's memory pool (MemoryPoolOutOfMemoryError).
MATCH (n)-[r]-()
WHERE NOT n:GraphcatMigration AND NOT n:GraphcatSchema AND NOT n:ApiToken AND NOT n:Change
WITH DISTINCT r LIMIT $batch
DELETE r
RETURN count(*) AS deleted
