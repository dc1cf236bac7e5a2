// params: $version_uid, $hardware_id, $results. Records latency results (a list of maps, one per
// batch size) as (:Benchmark)-[:BENCHMARK_OF]->(version) and (:Benchmark)-[:RAN_ON]->(:Hardware).
MATCH (v:ModelVersion:Catalog {uid: $version_uid})
MATCH (h:Hardware {id: $hardware_id})
UNWIND $results AS r
CREATE (b:Benchmark {
  batch: r.batch, p50_ms: r.p50_ms, p99_ms: r.p99_ms, mean_ms: r.mean_ms, min_ms: r.min_ms,
  runs: r.runs, warmup: r.warmup, threads: r.threads, usable_cpus: r.usable_cpus,
  provider: r.provider, runtime: 'onnxruntime', runtime_version: r.onnxruntime_version,
  dynamic_size: r.dynamic_size, measured_at: datetime()
})
CREATE (b)-[:BENCHMARK_OF]->(v)
CREATE (b)-[:RAN_ON]->(h)
RETURN count(b) AS recorded
