// params: $frontier, $types, $seen, $room, $hidden. One breadth-first step downstream: the catalog nodes
// that depend on a node of $frontier (element ids) through a relationship of $types, except those in $seen
// (element ids already reached, so each keeps its smallest depth), at most $room of them. No
// ORDER BY on purpose: the LIMIT stops the expansion early, so a step from a hub reads about $room
// of its relationships, not all of them; which nodes of a level too big to fit are kept is arbitrary.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $frontier AS at
MATCH (a:Catalog)<-[r]-(b:Catalog)
WHERE elementId(a) = at AND type(r) IN $types AND NOT elementId(b) IN $seen AND NOT b.uid IN $hidden
WITH DISTINCT b
LIMIT $room
RETURN elementId(b) AS id, b.uid AS uid, b.kind AS kind, b.display AS display
