// params: $uids. The namespaces (experiment and owner ids) each catalog node belongs to, for
// per-namespace write rights: an experiment is its own; a detector its experiment's; a model or
// dataset (family) its owner's and those of its versions; a version its family's owner and the
// experiments of the detectors its data was recorded or simulated with (models: via TRAINED_ON).
// `found` is false for a uid that is not in the catalog.
UNWIND $uids AS id
OPTIONAL MATCH (n:Catalog {uid: id})
WITH id, n,
     CASE WHEN n:Experiment THEN [n.uid] ELSE [] END
     + [(n)-[:PART_OF]->(e:Experiment) | e.uid]
     + [(n)-[:OWNED_BY]->(o:Owner) | o.uid]
     + [(n)<-[:HAS_VERSION]-()-[:OWNED_BY]->(o:Owner) | o.uid]
     + COLLECT { MATCH (n)-[:HAS_VERSION]->{0,1}()-[:TRAINED_ON]->{0,1}(:DatasetVersion)
                       -[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e:Experiment)
                 RETURN DISTINCT e.uid } AS uids
RETURN id AS uid, n IS NOT NULL AS found,
       [u IN uids | substring(toString(u), size(split(toString(u), ':')[0]) + 1)] AS namespaces
