// params: $uid, $types, $depth, $room, $hidden. What $uid depends on, in one query: the start node, and the
// nodes reachable along outgoing relationships of $types within $depth hops (one shortest path per
// node: linear, however many paths reconverge), nearest first (depth, then uid), at most $room.
// Upstream walks are small (a version's chain, datasets and detectors), so one query beats a
// round trip per level; downstream walks fan out at hubs and go level by level (step_downstream).
// 25 is the hard cap of the pattern; Python validates $depth.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (start:Catalog {uid: $uid})
WHERE NOT start.uid IN $hidden
// (the walk never enters a hidden node, so nothing behind one is reached either)
OPTIONAL MATCH p = ANY SHORTEST (start)(()-[r]->(x) WHERE type(r) IN $types AND NOT x.uid IN $hidden){1,25}(n:Catalog)
WHERE length(p) <= $depth
WITH start, n, length(p) AS depth
ORDER BY depth, n.uid
LIMIT $room
RETURN elementId(start) AS id, start.uid AS uid, start.kind AS kind, start.display AS display,
       collect(n {.uid, .kind, .display, id: elementId(n), depth: depth}) AS nodes
