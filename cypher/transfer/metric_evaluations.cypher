// params: $metric, $model_version. Every evaluation of one metric by the model versions that solve a task of $model_version (every model version when it names no task): model version, dataset version, value, and the dataset versions that model version was trained on.
MATCH (me:ModelVersion:Catalog {uid: $model_version})
OPTIONAL MATCH (:Model {uid: me.model_uid})-[:SOLVES]->(t:Task)
WITH collect(t.uid) AS tasks
MATCH (e:Evaluation {metric: $metric})-[:EVALUATES]->(mv:ModelVersion)
WHERE size(tasks) = 0 OR EXISTS {
  MATCH (:Model {uid: mv.model_uid})-[:SOLVES]->(st:Task)
  WHERE st.uid IN tasks
}
MATCH (e)-[:EVALUATED_ON]->(d:DatasetVersion)
CALL (mv) {
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(tr:DatasetVersion)
  RETURN collect(tr.uid) AS trained_on
}
RETURN mv.uid AS model_version, d.uid AS dataset, e.value AS value, trained_on
ORDER BY model_version, dataset
