// params: $rows. Rewrites versions' registered content and hash: each row {uid, content_json,
// content_hash} (a data migration's re-canonicalised content; the facts it describes are unchanged).
UNWIND $rows AS row
MATCH (v:Catalog {uid: row.uid})
WHERE v:ModelVersion OR v:DatasetVersion
SET v.content_json = row.content_json, v.content_hash = row.content_hash
RETURN count(v) AS updated
