// params: $uids, $types. For each node in $uids, its neighbours along incoming relationships of
// $types: one round trip for a whole batch (DataLoaders).
UNWIND $uids AS uid
MATCH (a:Catalog {uid: uid})<-[r]-(b:Catalog)
WHERE type(r) IN $types
RETURN uid AS source, type(r) AS type, properties(r) AS rel, properties(b) AS props
ORDER BY source, b.uid
