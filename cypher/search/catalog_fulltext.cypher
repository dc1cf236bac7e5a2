// params: $query, $kinds, $limit. Catalog nodes of $kinds matching the Lucene query $query (already escaped by graphcat.service.fulltext_query) in the catalog_fulltext index, best first, with Lucene's score.
CALL db.index.fulltext.queryNodes('catalog_fulltext', $query, {limit: $limit}) YIELD node, score
WHERE node.kind IN $kinds
RETURN node.uid AS uid, score
ORDER BY score DESC, uid
