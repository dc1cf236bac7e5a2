// params: $batch. Deletes up to $batch catalog nodes (everything but graphcat's own bookkeeping
// the API tokens: replacing the catalog must not lock its writers out, and the audit trail's
// changes: append-only, a replacing import adds to it and never rewrites it)
// and returns how many were deleted; callers repeat until it returns 0. Callers outside one
// transaction delete the relationships first (admin/clear_catalog_relationships): that bounds the
// memory of each transaction whatever the hubs.
MATCH (n)
WHERE NOT n:GraphcatMigration AND NOT n:GraphcatSchema AND NOT n:ApiToken AND NOT n:Change
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
