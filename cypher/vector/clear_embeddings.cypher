// params: $batch. Removes up to $batch model version embeddings; callers repeat until it returns 0.
MATCH (v:ModelVersion)
WHERE v.embedding IS NOT NULL
WITH v LIMIT $batch
REMOVE v.embedding
RETURN count(v) AS cleared
