// params: $kind, $after, $upper, $task, $owner, $framework, $experiment, $roots_only, $model_version, $dataset_version, $dataset, $metric, $data_type, $max_p99_ms, $alias, $has_alias, $hidden.
// How many catalog nodes of $kind match the filters of browse/page (same parameters, same meaning;
// $after is "<kind>:" and $upper "<kind>;" to count them all): the connection's totalCount.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (n:Catalog)
USING INDEX n:Catalog(uid)
WHERE n.uid > $after AND n.uid < $upper AND n.kind = $kind
  AND ($task IS NULL OR EXISTS { (n)-[:SOLVES|FOR_TASK]->(:Task)-[:SUBTASK_OF*0..10]->(:Task {uid: $task}) })
  AND ($owner IS NULL OR EXISTS { (n)-[:OWNED_BY]->(:Owner {uid: $owner}) })
  AND ($framework IS NULL OR EXISTS { (n)-[:HAS_VERSION]->(:ModelVersion {framework: $framework}) })
  // a dataset's versions (zero TRAINED_ON hops) or a model's versions' training data (one hop)
  AND ($experiment IS NULL OR EXISTS { (n)-[:HAS_VERSION]->()-[:TRAINED_ON*0..1]->(:DatasetVersion)
        -[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(:Experiment {uid: $experiment}) })
  // models: a version trained on dataset versions of $data_type (simulation or data)
  AND ($data_type IS NULL OR EXISTS { (n)-[:HAS_VERSION]->(:ModelVersion)-[:TRAINED_ON]->(:DatasetVersion {data_type: $data_type}) })
  // models: a version whose newest benchmark at batch size 1 on some machine has p99 <= $max_p99_ms
  AND ($max_p99_ms IS NULL OR EXISTS {
        MATCH (n)-[:HAS_VERSION]->(v:ModelVersion)<-[:BENCHMARK_OF]-(b:Benchmark {batch: 1})-[:RAN_ON]->(h:Hardware)
        WHERE b.p99_ms <= $max_p99_ms
          AND NOT EXISTS { (v)<-[:BENCHMARK_OF]-(later:Benchmark {batch: 1})-[:RAN_ON]->(h) WHERE later.measured_at > b.measured_at } })
  // models: a version carrying the alias $alias (e.g. production); $has_alias true: a version carrying
  // any alias, false: no version carrying one
  AND ($alias IS NULL OR EXISTS { MATCH (n)-[:HAS_VERSION]->(v:ModelVersion) WHERE $alias IN coalesce(v.aliases, []) })
  AND ($has_alias IS NULL OR EXISTS { MATCH (n)-[:HAS_VERSION]->(v:ModelVersion) WHERE size(coalesce(v.aliases, [])) > 0 } = $has_alias)
  AND (coalesce($roots_only, false) = false OR NOT EXISTS { (n)-[:SUBTASK_OF]->(:Task) })
  AND ($model_version IS NULL OR n.model_version_uid = $model_version)
  AND ($dataset_version IS NULL OR n.dataset_version_uid = $dataset_version)
  AND ($dataset IS NULL OR EXISTS { (n)-[:EVALUATED_ON]->(:DatasetVersion)<-[:HAS_VERSION]-(:Dataset {uid: $dataset}) })
  AND ($metric IS NULL OR n.metric = $metric)
  AND NOT n.uid IN $hidden
RETURN count(n) AS total_count
