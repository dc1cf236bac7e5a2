// params: $rows, $id. rows {uid, labels, props}: creates catalog nodes that the bulk import $id
// checked to be new (labels come from graphcat code, never from input), each marked with
// bulk_import = $id for rollback. CREATE, not MERGE: no lookup per row; a node that appeared in
// the meantime breaks the uid constraint and the import is rolled back. Returns how many.
UNWIND $rows AS row
CREATE (n:$(row.labels))
SET n = row.props, n.bulk_import = $id
RETURN count(n) AS written
