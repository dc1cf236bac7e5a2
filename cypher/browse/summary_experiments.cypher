// params: none. Every experiment with counts: its detectors, the distinct dataset versions recorded
// or simulated with them, and the distinct model versions trained on those.
MATCH (e:Experiment)
RETURN properties(e) AS experiment,
       COUNT { (e)<-[:PART_OF]-(:Detector) } AS detectors,
       COUNT { MATCH (dv:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e)
               RETURN DISTINCT dv } AS dataset_versions,
       COUNT { MATCH (mv:ModelVersion)-[:TRAINED_ON]->(:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e)
               RETURN DISTINCT mv } AS model_versions
ORDER BY e.uid
