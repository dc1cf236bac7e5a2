// params: $target, $others. Fewest DERIVED_FROM hops (either direction, at most 4) between the target dataset version and each of the others; others not connected that way are absent.
MATCH (t:DatasetVersion:Catalog {uid: $target})
UNWIND $others AS o
MATCH (x:DatasetVersion:Catalog {uid: o})
WHERE x <> t
MATCH p = shortestPath((t)-[:DERIVED_FROM*..4]-(x))
RETURN x.uid AS uid, length(p) AS hops
