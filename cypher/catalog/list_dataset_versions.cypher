// params: $data_type, $sqrt_s_tev, $generator, $run_period, $pileup_min, $pileup_max, $experiment, $detector, $task, $skip, $limit, $hidden.
// A page of dataset versions matching every non-null filter on their run conditions, detectors
// (recorded or simulated with; an experiment matches its detectors) and task, and the total count.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (d:Dataset)-[:HAS_VERSION]->(dv:DatasetVersion)
WHERE ($data_type IS NULL OR dv.data_type = $data_type)
  AND ($sqrt_s_tev IS NULL OR dv.sqrt_s_tev = $sqrt_s_tev)
  AND ($generator IS NULL OR toLower(dv.generator) CONTAINS toLower($generator))
  AND ($run_period IS NULL OR dv.run_period = $run_period)
  AND ($pileup_min IS NULL OR dv.pileup_mean >= $pileup_min)
  AND ($pileup_max IS NULL OR dv.pileup_mean <= $pileup_max)
  AND ($detector IS NULL OR EXISTS { (dv)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector {uid: $detector}) })
  AND ($experiment IS NULL OR EXISTS {
        (dv)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(:Experiment {uid: $experiment}) })
  AND ($task IS NULL OR EXISTS { (d)-[:FOR_TASK]->(:Task)-[:SUBTASK_OF*0..10]->(:Task {uid: $task}) })
  AND NOT dv.uid IN $hidden
WITH dv ORDER BY dv.uid
WITH collect(dv) AS found
RETURN size(found) AS total_count, [v IN found[$skip..($skip + $limit)] | properties(v)] AS items
