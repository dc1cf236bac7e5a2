// params: $uids, $hidden. For each model version of $uids: its model, the model's tasks, the dataset versions it
// was trained on with their detectors (RECORDED_WITH / SIMULATED_WITH, as the `detectors` loader
// reads them), its evaluations and the dataset versions they were measured on — everything a page
// of versions shows, in one round trip.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS uid
MATCH (m:Model)-[:HAS_VERSION]->(mv:ModelVersion:Catalog {uid: uid})  // :Catalog: the uid index
WHERE NOT uid IN $hidden
RETURN uid,
       properties(m) AS model,
       [(m)-[:SOLVES]->(t:Task) | properties(t)] AS tasks,
       [(mv)-[:TRAINED_ON]->(d:DatasetVersion) | properties(d)] AS trained_on,
       [(mv)-[:TRAINED_ON]->(d:DatasetVersion) |
          {uid: d.uid, detectors: [(d)-[:RECORDED_WITH|SIMULATED_WITH]->(x:Catalog) | properties(x)]}] AS detectors,
       [(e:Evaluation)-[:EVALUATES]->(mv) WHERE NOT e.uid IN $hidden | properties(e)] AS evaluations,
       [(e:Evaluation)-[:EVALUATES]->(mv) WHERE NOT e.uid IN $hidden AND EXISTS { (e)-[:EVALUATED_ON]->(:DatasetVersion) } |
          [(e)-[:EVALUATED_ON]->(d:DatasetVersion) | properties(d)][0]] AS evaluated_on
