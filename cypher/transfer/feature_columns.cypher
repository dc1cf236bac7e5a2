// params: $model_version, $dataset. The model version's inputs and the dataset version's provided features as columns (name, dtype, shape, unit, description), each list in catalog order.
OPTIONAL MATCH (mv:ModelVersion:Catalog {uid: $model_version})
OPTIONAL MATCH (dv:DatasetVersion:Catalog {uid: $dataset})
CALL (mv) {
  OPTIONAL MATCH (mv)-[r:HAS_INPUT]->(f:Feature)
  WITH r, f ORDER BY r.position
  RETURN collect(CASE WHEN f IS NULL THEN null ELSE {name: f.name, dtype: f.dtype, shape: f.shape, unit: f.unit, description: f.description} END) AS inputs
}
CALL (dv) {
  OPTIONAL MATCH (dv)-[r:PROVIDES]->(f:Feature)
  WITH r, f ORDER BY r.position
  RETURN collect(CASE WHEN f IS NULL THEN null ELSE {name: f.name, dtype: f.dtype, shape: f.shape, unit: f.unit, description: f.description} END) AS provided
}
RETURN inputs, provided
