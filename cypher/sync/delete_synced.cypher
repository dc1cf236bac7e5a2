// params: $uids, $site. Deletes the catalog entities $uids that came from peer site $site (deleted
// there), with what exists only as part of them: a version's features and the evaluations of a model
// version. Entities registered here or synced from another site are left alone. Returns the uids deleted.
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
WHERE n.synced_from = $site
OPTIONAL MATCH (n)-[:HAS_INPUT|HAS_OUTPUT|PROVIDES]->(f:Feature)
OPTIONAL MATCH (e:Evaluation)-[:EVALUATES]->(n)
WITH n, n.uid AS deleted, collect(DISTINCT f) + collect(DISTINCT e) AS parts
FOREACH (p IN parts | DETACH DELETE p)
DETACH DELETE n
RETURN deleted
