// params: $query, $kinds, $limit, $hidden. Catalog nodes of $kinds matching the Lucene query $query (already escaped by graphcat.service.fulltext_query) in the catalog_fulltext index, best first, with Lucene's score.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
CALL db.index.fulltext.queryNodes('catalog_fulltext', $query, {limit: $limit + size($hidden)}) YIELD node, score
WHERE node.kind IN $kinds AND NOT node.uid IN $hidden
RETURN node.uid AS uid, score
ORDER BY score DESC, uid
