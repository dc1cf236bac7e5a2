// params: $uid, $types, $outgoing, $keys, $hidden. One catalog node (whole, like catalog/nodes_by_uid) and
// its neighbours along relationships of $types ($outgoing: from it, else into it), each neighbour
// only the stored keys in $keys (a list in $keys' order, like catalog/incoming_keys), ordered by
// neighbour uid: `node(id:)` and the one list its selection asks for (a dataset version's
// consumers) in one round trip. No row when the uid is not in the catalog.
// $hidden: uids the caller may not see, left out here, the node and its neighbours (graphcat.store.visibility).
MATCH (a:Catalog {uid: $uid})
WHERE NOT a.uid IN $hidden
RETURN properties(a) AS props,
       COLLECT {
         MATCH (a)-[r]-(b:Catalog)
         WHERE type(r) IN $types AND (startNode(r) = a) = $outgoing AND NOT b.uid IN $hidden
         WITH r, b ORDER BY b.uid
         RETURN [type(r), properties(r), [key IN $keys | b[key]]]
       } AS links
