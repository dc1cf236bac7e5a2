// params: $uids, $types, $hidden. For each node in $uids, its neighbours along outgoing relationships of
// $types: one round trip for a whole batch (DataLoaders). One row per node with neighbours, its
// links collected in order: a row per link costs the Python driver more than the reading (a hub
// dataset version's 901 consumers: half the time).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS uid
MATCH (a:Catalog {uid: uid})-[r]->(b:Catalog)
WHERE type(r) IN $types AND NOT b.uid IN $hidden
WITH uid, r, b ORDER BY uid, coalesce(r.position, 0), b.uid
RETURN uid AS source, collect([type(r), properties(r), properties(b)]) AS links
