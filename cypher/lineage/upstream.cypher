// params: $uid, $types, $depth. What $uid depends on: every node reachable along outgoing
// relationships of $types within $depth hops, with its distance (one shortest path per node, so
// the cost stays linear where many paths reconverge; 25 is the hard cap, Python validates $depth),
// and every relationship of $types between the nodes found, ready to draw.
MATCH (start:Catalog {uid: $uid})
OPTIONAL MATCH p = ANY SHORTEST (start)(()-[r]->() WHERE type(r) IN $types){1,25}(n:Catalog)
WHERE length(p) <= $depth
WITH start, collect(n {.uid, .kind, .display, depth: length(p)}) AS found
WITH start, found, [start.uid] + [f IN found | f.uid] AS members
CALL (members) {
  UNWIND members AS member
  MATCH (a:Catalog {uid: member})-[r]->(b:Catalog)
  WHERE type(r) IN $types AND b.uid IN members
  RETURN collect({type: type(r), from: a.uid, to: b.uid}) AS edges
}
RETURN start {.uid, .kind, .display} AS start, found AS nodes, edges
