// params: $members, $types. Every relationship of $types between two nodes of $members (element
// ids): the edges of a lineage drawing once its nodes are known (cost: the members' out-degree).
UNWIND $members AS at
MATCH (a:Catalog)-[r]->(b:Catalog)
WHERE elementId(a) = at AND type(r) IN $types AND elementId(b) IN $members
RETURN a.uid AS from, type(r) AS type, b.uid AS to
