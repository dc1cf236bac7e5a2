// params: $model_version (a uid, or null: every model version carrying an alias), $metric (null: all), $dataset (a dataset uid, or null: all), $hidden. The evaluations a metric history is made of: one point per evaluation, with its model version (aliases, model), dataset version and dataset, its time (date, measured_at), bootstrap interval and the transferability interval recorded with it.
MATCH (m:Model:Catalog)-[:HAS_VERSION]->(mv:ModelVersion:Catalog)<-[:EVALUATES]-(e:Evaluation:Catalog)
WHERE ($model_version IS NULL AND size(coalesce(mv.aliases, [])) > 0 OR mv.uid = $model_version)
  AND ($metric IS NULL OR e.metric = $metric)
  AND NOT mv.uid IN $hidden AND NOT e.uid IN $hidden
MATCH (e)-[:EVALUATED_ON]->(dv:DatasetVersion:Catalog)<-[:HAS_VERSION]-(d:Dataset:Catalog)
WHERE ($dataset IS NULL OR d.uid = $dataset) AND NOT dv.uid IN $hidden
RETURN m.uid AS model, mv.uid AS model_version, coalesce(mv.aliases, []) AS aliases, d.uid AS dataset,
       dv.uid AS dataset_version, dv.run_period AS run_period, e.uid AS evaluation, e.metric AS metric,
       e.value AS value, e.date AS date, toString(e.measured_at) AS measured_at, e.measured_by AS measured_by,
       e.ci_low AS ci_low, e.ci_high AS ci_high, e.estimate AS estimate, e.estimate_low AS estimate_low,
       e.estimate_high AS estimate_high
ORDER BY model_version, dataset, metric, evaluation
