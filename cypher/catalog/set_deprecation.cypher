// params: $uid, $reason. Deprecates the model version $uid with $reason (null un-deprecates).
MATCH (v:Catalog {uid: $uid})
WHERE v:ModelVersion
SET v.deprecated_reason = $reason
RETURN properties(v) AS props
