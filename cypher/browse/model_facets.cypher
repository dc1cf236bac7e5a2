// params: $task, $owner, $experiment, $framework, $data_type, $max_p99_ms, $alias, $has_alias, $budgets, $hidden.
// The model list's facet counts, each narrowed by the other selected facets (as on the Hugging Face
// Hub): for every value of one facet, how many models match that value and every other given filter
// (the same filters, with the same meaning, as browse/page for models). One pass over the models:
// each model's values of every facet and whether it passes each filter, then one count per facet.
// $owner and $has_alias narrow every facet ($has_alias not the alias facet); $budgets are the
// latency budgets (ms) to count, a model counting under a budget when a version's newest batch-1
// benchmark on some machine has p99 within it. `total` is the number of models matching everything.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (n:Model)
WHERE ($owner IS NULL OR EXISTS { (n)-[:OWNED_BY]->(:Owner {uid: $owner}) }) AND NOT n.uid IN $hidden
WITH n,
     COLLECT { MATCH (n)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(t:Task) RETURN DISTINCT t.uid } AS tasks,
     COLLECT { MATCH (n)-[:HAS_VERSION]->(:ModelVersion)-[:TRAINED_ON]->(:DatasetVersion)
                     -[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e:Experiment) RETURN DISTINCT e.uid } AS experiments,
     COLLECT { MATCH (n)-[:HAS_VERSION]->(v:ModelVersion) WHERE v.framework IS NOT NULL RETURN DISTINCT v.framework } AS frameworks,
     COLLECT { MATCH (n)-[:HAS_VERSION]->(:ModelVersion)-[:TRAINED_ON]->(d:DatasetVersion) WHERE d.data_type IS NOT NULL
               RETURN DISTINCT d.data_type } AS data_types,
     COLLECT { MATCH (n)-[:HAS_VERSION]->(v:ModelVersion) UNWIND coalesce(v.aliases, []) AS a RETURN DISTINCT a } AS aliases,
     COLLECT { MATCH (n)-[:HAS_VERSION]->(v:ModelVersion)<-[:BENCHMARK_OF]-(b:Benchmark {batch: 1})-[:RAN_ON]->(h:Hardware)
               WHERE NOT EXISTS { (v)<-[:BENCHMARK_OF]-(later:Benchmark {batch: 1})-[:RAN_ON]->(h)
                                  WHERE later.measured_at > b.measured_at }
               RETURN b.p99_ms } AS p99s
WITH {tasks: tasks, experiments: experiments, frameworks: frameworks, data_types: data_types, aliases: aliases, p99s: p99s,
      task: $task IS NULL OR $task IN tasks,
      experiment: $experiment IS NULL OR $experiment IN experiments,
      framework: $framework IS NULL OR $framework IN frameworks,
      data_type: $data_type IS NULL OR $data_type IN data_types,
      alias: $alias IS NULL OR $alias IN aliases,
      has_alias: $has_alias IS NULL OR (size(aliases) > 0) = $has_alias,
      latency: $max_p99_ms IS NULL OR any(p IN p99s WHERE p <= $max_p99_ms)} AS m
WITH collect(m) AS models
CALL (models) {
  UNWIND models AS m
  WITH m WHERE m.experiment AND m.framework AND m.data_type AND m.alias AND m.has_alias AND m.latency
  UNWIND m.tasks AS value
  WITH value, count(*) AS count ORDER BY count DESC, value
  RETURN collect({value: value, count: count}) AS task
}
CALL (models) {
  UNWIND models AS m
  WITH m WHERE m.task AND m.framework AND m.data_type AND m.alias AND m.has_alias AND m.latency
  UNWIND m.experiments AS value
  WITH value, count(*) AS count ORDER BY count DESC, value
  RETURN collect({value: value, count: count}) AS experiment
}
CALL (models) {
  UNWIND models AS m
  WITH m WHERE m.task AND m.experiment AND m.data_type AND m.alias AND m.has_alias AND m.latency
  UNWIND m.frameworks AS value
  WITH value, count(*) AS count ORDER BY count DESC, value
  RETURN collect({value: value, count: count}) AS framework
}
CALL (models) {
  UNWIND models AS m
  WITH m WHERE m.task AND m.experiment AND m.framework AND m.alias AND m.has_alias AND m.latency
  UNWIND m.data_types AS value
  WITH value, count(*) AS count ORDER BY count DESC, value
  RETURN collect({value: value, count: count}) AS data_type
}
CALL (models) {
  UNWIND models AS m
  WITH m WHERE m.task AND m.experiment AND m.framework AND m.data_type AND m.latency
  UNWIND m.aliases AS value
  WITH value, count(*) AS count ORDER BY count DESC, value
  RETURN collect({value: value, count: count}) AS alias
}
RETURN task, experiment, framework, data_type, alias,
       [b IN $budgets | {value: b, count: size([m IN models WHERE m.task AND m.experiment AND m.framework AND m.data_type
                                                  AND m.alias AND m.has_alias AND any(p IN m.p99s WHERE p <= b)])}] AS max_p99_ms,
       size([m IN models WHERE m.task AND m.experiment AND m.framework AND m.data_type AND m.alias AND m.has_alias
             AND m.latency]) AS total
