// params: $target, $others, $hidden. Fewest DERIVED_FROM hops (either direction, at most 4) between the target dataset version and each of the others; others not connected that way are absent.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (t:DatasetVersion:Catalog {uid: $target})
UNWIND $others AS o
MATCH (x:DatasetVersion:Catalog {uid: o})
WHERE x <> t AND NOT t.uid IN $hidden AND NOT x.uid IN $hidden
MATCH p = shortestPath((t)-[:DERIVED_FROM*..4]-(x))
WHERE none(y IN nodes(p) WHERE y.uid IN $hidden)
RETURN x.uid AS uid, length(p) AS hops
