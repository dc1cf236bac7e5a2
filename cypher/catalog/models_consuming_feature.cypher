// params: $canonical, $hidden. Model versions with an input whose canonical name is $canonical, and that input.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (mv:ModelVersion)-[:HAS_INPUT]->(f:Feature {canonical: $canonical})
WHERE NOT mv.uid IN $hidden
RETURN properties(mv) AS model_version, properties(f) AS feature
ORDER BY mv.uid, f.position
