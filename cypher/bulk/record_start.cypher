// params: $id, $files, $started_at. Records a bulk import as running, so that an interrupted one
// can be found and rolled back by its id (graphcat bulk-import --rollback ID).
CREATE (b:GraphcatBulkImport {id: $id, files: $files, started_at: $started_at, state: 'running'})
RETURN b.id AS id
