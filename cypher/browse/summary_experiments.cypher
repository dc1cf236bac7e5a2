// params: $hidden. Every experiment with counts: its detectors, the distinct dataset versions recorded
// or simulated with them, and the distinct model versions trained on those.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (e:Experiment)
WHERE NOT e.uid IN $hidden
RETURN properties(e) AS experiment,
       COUNT { (e)<-[:PART_OF]-(d:Detector) WHERE NOT d.uid IN $hidden } AS detectors,
       COUNT { MATCH (dv:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e)
               WHERE NOT dv.uid IN $hidden RETURN DISTINCT dv } AS dataset_versions,
       COUNT { MATCH (mv:ModelVersion)-[:TRAINED_ON]->(:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e)
               WHERE NOT mv.uid IN $hidden RETURN DISTINCT mv } AS model_versions
ORDER BY e.uid
