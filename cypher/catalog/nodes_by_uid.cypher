// params: $uids. The catalog nodes with these uids (properties only), in no particular order.
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
RETURN properties(n) AS props
