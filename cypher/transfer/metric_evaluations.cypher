// params: $metric. Every evaluation of one metric: model version, dataset version, value, and the dataset versions that model version was trained on.
MATCH (e:Evaluation {metric: $metric})-[:EVALUATES]->(mv:ModelVersion)
MATCH (e)-[:EVALUATED_ON]->(d:DatasetVersion)
CALL (mv) {
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(t:DatasetVersion)
  RETURN collect(t.uid) AS trained_on
}
RETURN mv.uid AS model_version, d.uid AS dataset, e.value AS value, trained_on
ORDER BY model_version, dataset
