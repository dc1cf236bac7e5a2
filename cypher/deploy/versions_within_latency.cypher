// params: $task, $batch, $max_p99_ms, $hardware_kind, $limit. Model versions (for $task and its
// subtasks, or any task when $task is null) whose newest benchmark at batch size $batch on
// $hardware_kind hardware has p99 <= $max_p99_ms, fastest first.
MATCH (b:Benchmark {batch: $batch})-[:BENCHMARK_OF]->(v:ModelVersion)<-[:HAS_VERSION]-(m:Model)
MATCH (b)-[:RAN_ON]->(h:Hardware)
WHERE ($hardware_kind IS NULL OR h.kind = $hardware_kind)
  AND ($task IS NULL OR EXISTS {
        MATCH (m)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..]->(:Task {id: $task})
      })
WITH v, m, h, b ORDER BY b.measured_at DESC
WITH v, m, h, collect(b)[0] AS newest
WHERE newest.p99_ms <= $max_p99_ms
RETURN v.uid AS version_uid, m.id AS model_id, v.version AS version,
       newest.p50_ms AS p50_ms, newest.p99_ms AS p99_ms, newest.threads AS threads,
       newest.batch AS batch, h.id AS hardware_id, h.cpu_model AS cpu_model, h.cores AS cores
ORDER BY p99_ms, version_uid
LIMIT $limit
