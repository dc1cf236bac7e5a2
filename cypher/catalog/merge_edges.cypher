// params: $rows. rows {from, type, to, props}: creates the relationships between existing catalog
// nodes (types come from graphcat code, never from input), unless they exist. Returns how many.
// (graphcat import uses catalog/create_edges: MERGE is slow inside one large transaction.)
UNWIND $rows AS row
MATCH (a:Catalog {uid: row.from})
MATCH (b:Catalog {uid: row.to})
MERGE (a)-[r:$(row.type)]->(b)
SET r += row.props
RETURN count(r) AS linked
