// params: $uids, $hidden. For each existing dataset version: its properties, its dataset's name and description, the detectors it was recorded or simulated with and their experiments, and the canonical names of the features it provides.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
UNWIND $uids AS u
MATCH (d:DatasetVersion:Catalog {uid: u})
WHERE NOT u IN $hidden
OPTIONAL MATCH (fam:Dataset:Catalog {uid: d.dataset_uid})
CALL (d) {
  OPTIONAL MATCH (d)-[:RECORDED_WITH|SIMULATED_WITH]->(det:Detector)
  OPTIONAL MATCH (det)-[:PART_OF]->(x:Experiment)
  RETURN collect(DISTINCT det.uid) AS detectors, collect(DISTINCT x.uid) AS experiments
}
CALL (d) {
  OPTIONAL MATCH (d)-[:PROVIDES]->(f:Feature)
  RETURN collect(f.canonical) AS features
}
RETURN properties(d) AS props, fam.name AS family_name, fam.description AS family_description, detectors, experiments, features
