// params: $uids, $hidden. For each model version of $uids, its deployment facts (as deploy/version_deployment,
// for a whole page of versions in one round trip): artifact size, ONNX facts, smoke tests newest
// first, benchmarks with their hardware, and quantisation links in both directions.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS uid
MATCH (v:ModelVersion:Catalog {uid: uid})  // :Catalog: the uid index
CALL (v) {
  OPTIONAL MATCH (s:SmokeTest)-[:SMOKE_TEST_OF]->(v)
  WITH s ORDER BY s.ran_at DESC
  RETURN collect(s {.*, ran_at: toString(s.ran_at)}) AS smoke_tests
}
CALL (v) {
  OPTIONAL MATCH (b:Benchmark)-[:BENCHMARK_OF]->(v)
  OPTIONAL MATCH (b)-[:RAN_ON]->(h:Hardware)
  WITH b, h ORDER BY b.measured_at DESC, b.batch
  RETURN collect(CASE WHEN b IS NULL THEN NULL ELSE
    b {.*, measured_at: toString(b.measured_at), hardware: h {.*}} END) AS benchmarks
}
CALL (v) {
  OPTIONAL MATCH (v)-[r:QUANTIZED_FROM]->(o:ModelVersion) WHERE NOT o.uid IN $hidden
  RETURN collect(CASE WHEN o IS NULL THEN NULL ELSE r {.*, original_uid: o.uid} END) AS quantized_from
}
CALL (v) {
  OPTIONAL MATCH (q:ModelVersion)-[:QUANTIZED_FROM]->(v) WHERE NOT q.uid IN $hidden
  RETURN collect(q.uid) AS quantized_versions
}
RETURN uid, v.artifact_size_bytes AS artifact_size_bytes, v.onnx_opset AS onnx_opset,
       v.onnx_opsets AS onnx_opsets, v.onnx_ir_version AS onnx_ir_version, v.onnx_producer AS onnx_producer,
       smoke_tests, benchmarks, quantized_from, quantized_versions
