// params: none. Every model and dataset version's registered content (canonical JSON) and its
// hash, for data migrations that re-canonicalise them (graphcat.store.migrations).
MATCH (v:ModelVersion|DatasetVersion)
WHERE v.content_json IS NOT NULL
RETURN v.uid AS uid, v.content_json AS content_json, v.content_hash AS content_hash
ORDER BY v.uid
