// params: $rows. rows {from, type, to, props}: creates relationships between existing catalog nodes
// (types come from graphcat code, never from input). CREATE, not MERGE: the importer only sends
// relationships of new versions or ones it deleted just before (catalog/delete_owned_edges), and
// MERGE grew to seconds per batch inside a large import transaction. Returns how many were created.
UNWIND $rows AS row
MATCH (a:Catalog {uid: row.from})
MATCH (b:Catalog {uid: row.to})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
RETURN count(r) AS linked
