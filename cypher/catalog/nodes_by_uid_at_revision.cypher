// params: $uids, $hidden. The catalog's revision state {epoch, revision} (null when no write recorded one) and
// the catalog nodes with these uids (properties only, in no particular order), read together: a
// recommendation checks its index against the token it reads with its model versions (one round trip).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
OPTIONAL MATCH (s:GraphcatCatalogState {key: 'catalog'})
CALL {
  UNWIND $uids AS uid
  MATCH (n:Catalog {uid: uid})
  WHERE NOT uid IN $hidden
  RETURN collect(properties(n)) AS nodes
}
RETURN properties(s) AS state, nodes
