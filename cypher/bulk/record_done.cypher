// params: $id, $nodes, $relationships. Marks the bulk import $id as done, with what it wrote.
MATCH (b:GraphcatBulkImport {id: $id})
SET b.state = 'done', b.nodes = $nodes, b.relationships = $relationships
RETURN b.id AS id
