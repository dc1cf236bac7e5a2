// params: $uids, $hidden. The catalog nodes with these uids (properties only), in no particular order.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
WHERE NOT uid IN $hidden
RETURN properties(n) AS props
