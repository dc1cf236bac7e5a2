// params: $version_uid, $ok, $error, $batch, $output_shapes, $onnxruntime_version. Records one smoke
// inference of a model version, successful or not, as (:SmokeTest)-[:SMOKE_TEST_OF]->(version).
MATCH (v:ModelVersion:Catalog {uid: $version_uid})
CREATE (s:SmokeTest {
  ok: $ok, error: $error, batch: $batch, output_shapes: $output_shapes,
  onnxruntime_version: $onnxruntime_version, ran_at: datetime()
})-[:SMOKE_TEST_OF]->(v)
RETURN elementId(s) AS element_id, s.ran_at AS ran_at
