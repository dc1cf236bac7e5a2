// params: $rows. rows {uid, vector}: stores each model version's embedding (a list of 384 floats)
// as a compact float vector property, indexed by the model_version_embedding vector index.
UNWIND $rows AS row
MATCH (v:Catalog {uid: row.uid})
WHERE v:ModelVersion
CALL db.create.setNodeVectorProperty(v, 'embedding', row.vector)
RETURN count(v) AS written
