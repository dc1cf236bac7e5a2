// params: $members, $types, $downstream, $hidden. Whether a lineage drawing was cut at nodes the
// caller may not see: some node of $members (element ids) has a neighbour in $hidden (uids,
// graphcat.store.visibility) along a relationship of $types in the walk's direction (incoming
// when $downstream, else outgoing). Says only that, never which nodes.
UNWIND $members AS at
MATCH (a:Catalog)-[r]-(b:Catalog)
WHERE elementId(a) = at AND type(r) IN $types AND b.uid IN $hidden
  AND CASE WHEN $downstream THEN endNode(r) = a ELSE startNode(r) = a END
WITH r LIMIT 1
RETURN count(r) > 0 AS cut
