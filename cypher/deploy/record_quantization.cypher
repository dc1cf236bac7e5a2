// params: $quantized_uid, $original_uid, $method, $weight_type, $events, $seed, $max_abs_diff, $argmax_agreement, $outputs.
// Links a quantised version to its original with QUANTIZED_FROM and records how closely their
// outputs agree on the same generated inputs ($outputs: JSON, one entry per output).
MATCH (q:ModelVersion:Catalog {uid: $quantized_uid})
MATCH (o:ModelVersion:Catalog {uid: $original_uid})
MERGE (q)-[r:QUANTIZED_FROM]->(o)
SET r.method = $method, r.weight_type = $weight_type, r.events = $events, r.seed = $seed,
    r.max_abs_diff = $max_abs_diff, r.argmax_agreement = $argmax_agreement,
    r.output_agreement = $outputs
RETURN q.uid AS quantized_uid, o.uid AS original_uid
