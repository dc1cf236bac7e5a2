// params: $private. The uids a caller may not see: every catalog node belonging to one of the
// namespaces in $private (the private namespaces the caller is no member of), by the rules of
// auth/namespaces.cypher walked backwards from the namespace (tests/test_private_namespaces.py
// checks both agree): the experiment itself and what is PART_OF it; an owner and the families it
// owns with their versions; dataset versions recorded or simulated with the experiment's detectors,
// their families, the model versions TRAINED_ON them and those versions' families; and the
// evaluations of any hidden model version or on any hidden dataset version.
CALL () {
  MATCH (e:Experiment:Catalog) WHERE e.uid IN [ns IN $private | 'experiment:' + ns]
  MATCH (n:Catalog)-[:PART_OF]->{0,1}(e)
  RETURN n
  UNION
  MATCH (o:Owner:Catalog) WHERE o.uid IN [ns IN $private | 'owner:' + ns]
  MATCH (n:Catalog)<-[:HAS_VERSION]-{0,1}()-[:OWNED_BY]->{0,1}(o)
  RETURN n
  UNION
  MATCH (e:Experiment:Catalog) WHERE e.uid IN [ns IN $private | 'experiment:' + ns]
  MATCH (dv:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(e)
  MATCH (n:Catalog)-[:HAS_VERSION]->{0,1}()-[:TRAINED_ON]->{0,1}(dv)
  RETURN n
}
WITH collect(DISTINCT n) AS hidden
RETURN [n IN hidden | n.uid]
       + COLLECT { MATCH (ev:Evaluation:Catalog)-[:EVALUATES|EVALUATED_ON]->(x)
                   WHERE x IN hidden RETURN DISTINCT ev.uid } AS uids
