// params: $uids, $hidden. For each of these detector uids that the catalog holds and the caller may see: the experiments it is part of (the detectors an uploaded file's `about` names).
UNWIND $uids AS u
MATCH (det:Detector:Catalog {uid: u})
WHERE NOT u IN $hidden
OPTIONAL MATCH (det)-[:PART_OF]->(x:Experiment)
RETURN u AS uid, collect(DISTINCT x.uid) AS experiments
