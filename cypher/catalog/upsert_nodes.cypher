// params: $rows. rows {uid, labels, remove, props}: creates or updates catalog nodes by uid
// (labels come from graphcat code, never from input). Returns how many rows were written.
UNWIND $rows AS row
MERGE (n:Catalog {uid: row.uid})
SET n:$(row.labels)
REMOVE n:$(row.remove)
SET n += row.props
RETURN count(n) AS written
