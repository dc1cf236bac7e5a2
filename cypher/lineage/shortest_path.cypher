// params: $from, $to, $types, $depth, $hidden. A shortest path between two catalog nodes, in either
// direction, along relationships of $types, at most $depth hops (25 is the hard cap).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (a:Catalog {uid: $from}) WHERE NOT a.uid IN $hidden
MATCH (b:Catalog {uid: $to}) WHERE NOT b.uid IN $hidden
OPTIONAL MATCH p = shortestPath((a)-[*..25]-(b))
WHERE length(p) <= $depth AND all(r IN relationships(p) WHERE type(r) IN $types)
  AND none(x IN nodes(p) WHERE x.uid IN $hidden)
RETURN [x IN nodes(p) | x {.uid, .kind, .display}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).uid, to: endNode(r).uid}] AS edges
