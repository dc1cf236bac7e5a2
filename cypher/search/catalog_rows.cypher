// params: $uids, $hidden. The catalog nodes with these uids, each with its facet values: the tasks it serves,
// the detectors and experiments its data comes from, and its model frameworks.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (n:Catalog)
WHERE n.uid IN $uids AND NOT n.uid IN $hidden
RETURN n {.uid, .kind, .id, .display, .name, .title, .description, .tags} AS node,
       COLLECT { MATCH (n)<-[:HAS_VERSION*0..1]-()-[:SOLVES|FOR_TASK*0..1]->(t:Task)
                 RETURN DISTINCT t.id } AS tasks,
       COLLECT { MATCH (n)-[:HAS_VERSION*0..1]->()-[:TRAINED_ON*0..1]->()-[:RECORDED_WITH|SIMULATED_WITH*0..1]->(d:Detector)
                 RETURN DISTINCT d.id } AS detectors,
       COLLECT { MATCH (n)-[:HAS_VERSION*0..1]->()-[:TRAINED_ON*0..1]->()-[:RECORDED_WITH|SIMULATED_WITH*0..1]->()-[:PART_OF*0..1]->(e:Experiment)
                 RETURN DISTINCT e.id } AS experiments,
       COLLECT { MATCH (n)-[:HAS_VERSION*0..1]->(v:ModelVersion) WHERE v.framework IS NOT NULL
                 RETURN DISTINCT v.framework } AS frameworks
