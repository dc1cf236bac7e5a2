// params: $uids, $types, $keys, $hidden. Like catalog/outgoing, but of each neighbour only the properties
// named in $keys, as a list in $keys' order (null where absent): for selections that read a few
// fields of many nodes (graphcat/api/types/selection.py).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS uid
MATCH (a:Catalog {uid: uid})-[r]->(b:Catalog)
WHERE type(r) IN $types AND NOT b.uid IN $hidden
WITH uid, r, b ORDER BY uid, coalesce(r.position, 0), b.uid
RETURN uid AS source, collect([type(r), properties(r), [key IN $keys | b[key]]]) AS links
