// params: $uids. The catalog nodes among $uids, with their properties (content hash of immutable versions included).
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
RETURN n.uid AS uid, properties(n) AS props
