// params: $uid, $types, $depth. Every path into $uid along incoming relationships of $types (what
// depends on it), at most $depth hops (the literal 25 is the hard cap; Python validates $depth).
MATCH (start:Catalog {uid: $uid})
OPTIONAL MATCH p = (start)<-[rs*1..25]-(:Catalog)
WHERE length(p) <= $depth AND all(r IN rs WHERE type(r) IN $types)
RETURN start {.uid, .kind, .display} AS start,
       [x IN nodes(p) | x {.uid, .kind, .display}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).uid, to: endNode(r).uid}] AS edges
