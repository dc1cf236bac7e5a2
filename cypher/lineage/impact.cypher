// params: $uid, $depth. Everything downstream of $uid (a faulty dataset version, usually): derived
// datasets, models trained on them or fine-tuned/distilled/quantized/converted from those, and
// evaluations measured on any of them; every path, at most $depth hops.
MATCH (start:Catalog {uid: $uid})
OPTIONAL MATCH p = (start)<-[:DERIVED_FROM|TRAINED_ON|FINE_TUNED_FROM|DISTILLED_FROM|QUANTIZED_FROM|CONVERTED_FROM|EVALUATED_ON|EVALUATES|RECORDED_WITH|SIMULATED_WITH*1..25]-(:Catalog)
WHERE length(p) <= $depth
RETURN start {.uid, .kind, .display} AS start,
       [x IN nodes(p) | x {.uid, .kind, .display}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).uid, to: endNode(r).uid}] AS edges
