// params: $uids, $types. The catalog nodes among $uids, with their properties (content hash of
// immutable versions included) and their outgoing relationships of $types as [type, target uid].
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
RETURN n.uid AS uid, properties(n) AS props,
       [(n)-[r]->(m:Catalog) WHERE type(r) IN $types | [type(r), m.uid]] AS links
