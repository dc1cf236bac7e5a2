// params: $model_version, $metric, $hidden. A model version's evaluations of one metric (dataset version, value), the dataset versions it was trained on and the canonical names of its inputs; no row when the model version does not exist.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (mv:ModelVersion:Catalog {uid: $model_version})
WHERE NOT mv.uid IN $hidden
CALL (mv) {
  OPTIONAL MATCH (e:Evaluation {metric: $metric})-[:EVALUATES]->(mv)
  OPTIONAL MATCH (e)-[:EVALUATED_ON]->(d:DatasetVersion)
  WHERE NOT e.uid IN $hidden AND NOT d.uid IN $hidden
  RETURN collect(CASE WHEN d IS NULL THEN null ELSE {dataset: d.uid, value: e.value, evaluation: e.uid} END) AS evaluations
}
CALL (mv) {
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(t:DatasetVersion)
  WHERE NOT t.uid IN $hidden
  RETURN collect(t.uid) AS trained_on
}
CALL (mv) {
  OPTIONAL MATCH (mv)-[:HAS_INPUT]->(f:Feature)
  RETURN collect(f.canonical) AS inputs
}
RETURN mv.uid AS uid, mv.deprecated_reason AS deprecated_reason, evaluations, trained_on, inputs
