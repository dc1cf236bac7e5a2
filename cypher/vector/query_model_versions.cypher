// params: $k, $vector. The $k model versions nearest to $vector (cosine) by Neo4j's native vector
// index (approximate, HNSW), best first.
CALL db.index.vector.queryNodes('model_version_embedding', $k, $vector)
YIELD node, score
RETURN node.uid AS uid, score
