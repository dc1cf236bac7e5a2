// params: $dataset_version, $metric, $hidden. Model versions to rank on a dataset version: not deprecated, with at least one evaluation of the metric, solving one of the dataset's tasks or a subtask of one (any task when the dataset names none).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (d:DatasetVersion:Catalog {uid: $dataset_version})
WHERE NOT d.uid IN $hidden
OPTIONAL MATCH (:Dataset {uid: d.dataset_uid})-[:FOR_TASK]->(t:Task)
WITH collect(t.uid) AS tasks
MATCH (e:Evaluation {metric: $metric})-[:EVALUATES]->(mv:ModelVersion)
WHERE mv.deprecated_reason IS NULL AND NOT mv.uid IN $hidden AND NOT e.uid IN $hidden
  AND (size(tasks) = 0 OR EXISTS {
    MATCH (:Model {uid: mv.model_uid})-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..3]->(st:Task)
    WHERE st.uid IN tasks
  })
RETURN DISTINCT mv.uid AS uid
ORDER BY uid
