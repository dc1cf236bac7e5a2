// params: $uids. The catalog's revision state {epoch, revision} (null when no write recorded one) and
// the catalog nodes with these uids (properties only, in no particular order), read together: a
// recommendation checks its index against the token it reads with its model versions (one round trip).
OPTIONAL MATCH (s:GraphcatCatalogState {key: 'catalog'})
CALL {
  UNWIND $uids AS uid
  MATCH (n:Catalog {uid: uid})
  RETURN collect(properties(n)) AS nodes
}
RETURN properties(s) AS state, nodes
