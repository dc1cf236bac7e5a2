// params: $frontier, $types, $seen, $room. One breadth-first step downstream: the catalog nodes
// that depend on a node of $frontier (element ids) through a relationship of $types, except those
// in $seen (element ids already reached, so each keeps its smallest depth), by uid, at most $room.
UNWIND $frontier AS at
MATCH (a:Catalog)<-[r]-(b:Catalog)
WHERE elementId(a) = at AND type(r) IN $types AND NOT elementId(b) IN $seen
WITH DISTINCT b
ORDER BY b.uid
LIMIT $room
RETURN elementId(b) AS id, b.uid AS uid, b.kind AS kind, b.display AS display
