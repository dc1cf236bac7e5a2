// params: $uid, $depth. Everything downstream of $uid (a faulty dataset version, usually): derived
// datasets, models trained on them or fine-tuned/distilled/quantized/converted from those, and
// evaluations measured on any of them, within $depth hops (one shortest path per node: linear
// cost), and the provenance relationships between them.
MATCH (start:Catalog {uid: $uid})
OPTIONAL MATCH p = ANY SHORTEST (start)(()<-[:DERIVED_FROM|TRAINED_ON|FINE_TUNED_FROM|DISTILLED_FROM|QUANTIZED_FROM|CONVERTED_FROM|EVALUATED_ON|EVALUATES|RECORDED_WITH|SIMULATED_WITH]-()){1,25}(n:Catalog)
WHERE length(p) <= $depth
WITH start, collect(n {.uid, .kind, .display, depth: length(p)}) AS found
WITH start, found, [start.uid] + [f IN found | f.uid] AS members
CALL (members) {
  UNWIND members AS member
  MATCH (a:Catalog {uid: member})-[r:DERIVED_FROM|TRAINED_ON|FINE_TUNED_FROM|DISTILLED_FROM|QUANTIZED_FROM|CONVERTED_FROM|EVALUATED_ON|EVALUATES|RECORDED_WITH|SIMULATED_WITH]->(b:Catalog)
  WHERE b.uid IN members
  RETURN collect({type: type(r), from: a.uid, to: b.uid}) AS edges
}
RETURN start {.uid, .kind, .display} AS start, found AS nodes, edges
