// params: $id. Deletes the record of the bulk import $id (after its nodes were rolled back).
MATCH (b:GraphcatBulkImport {id: $id})
DELETE b
RETURN count(*) AS deleted
