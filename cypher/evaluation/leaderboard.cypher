// params: $dataset, $metric, $hidden. The recorded evaluations of one metric on a dataset version, with their model version and, when graphcat measured them, the bootstrap interval and the estimate they were checked against.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (e:Evaluation:Catalog {metric: $metric})-[:EVALUATED_ON]->(:DatasetVersion:Catalog {uid: $dataset})
MATCH (e)-[:EVALUATES]->(mv:ModelVersion:Catalog)
WHERE NOT $dataset IN $hidden AND NOT mv.uid IN $hidden AND NOT e.uid IN $hidden
RETURN mv.uid AS model_version, e.uid AS evaluation, e.value AS value, e.measured_by AS measured_by,
       e.ci_low AS ci_low, e.ci_high AS ci_high, e.data_rows AS data_rows, e.estimate AS estimate,
       e.estimate_gap AS estimate_gap, toString(e.measured_at) AS measured_at
ORDER BY model_version
