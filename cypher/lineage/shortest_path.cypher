// params: $from, $to, $types, $depth. A shortest path between two catalog nodes, in either
// direction, along relationships of $types, at most $depth hops (25 is the hard cap).
MATCH (a:Catalog {uid: $from})
MATCH (b:Catalog {uid: $to})
OPTIONAL MATCH p = shortestPath((a)-[*..25]-(b))
WHERE length(p) <= $depth AND all(r IN relationships(p) WHERE type(r) IN $types)
RETURN [x IN nodes(p) | x {.uid, .kind, .display}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).uid, to: endNode(r).uid}] AS edges
