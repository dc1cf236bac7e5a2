// params: $metric, $model_version, $hidden. Every evaluation of one metric by the model versions that solve a task of $model_version (every model version when it names no task): model version, dataset version, value, and the dataset versions that model version was trained on.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (me:ModelVersion:Catalog {uid: $model_version})
WHERE NOT me.uid IN $hidden
OPTIONAL MATCH (:Model {uid: me.model_uid})-[:SOLVES]->(t:Task)
WITH collect(t.uid) AS tasks
MATCH (e:Evaluation {metric: $metric})-[:EVALUATES]->(mv:ModelVersion)
WHERE size(tasks) = 0 OR EXISTS {
  MATCH (:Model {uid: mv.model_uid})-[:SOLVES]->(st:Task)
  WHERE st.uid IN tasks
}
MATCH (e)-[:EVALUATED_ON]->(d:DatasetVersion)
WHERE NOT mv.uid IN $hidden AND NOT e.uid IN $hidden AND NOT d.uid IN $hidden
CALL (mv) {
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(tr:DatasetVersion)
  WHERE NOT tr.uid IN $hidden
  RETURN collect(tr.uid) AS trained_on
}
RETURN mv.uid AS model_version, d.uid AS dataset, e.value AS value, trained_on
ORDER BY model_version, dataset
