// params: $version_uid, $opset, $opsets, $ir_version, $producer, $size_bytes. Records what the ONNX
// file says about itself on its model version (opset, IR version, producer, artifact size) and
// returns the version's uid, or no row when the version does not exist.
MATCH (v:ModelVersion:Catalog {uid: $version_uid})
SET v.onnx_opset = $opset,
    v.onnx_opsets = $opsets,
    v.onnx_ir_version = $ir_version,
    v.onnx_producer = $producer,
    v.artifact_size_bytes = $size_bytes
RETURN v.uid AS uid
