// params: $canonical. Model versions with an input whose canonical name is $canonical, and that input.
MATCH (mv:ModelVersion)-[:HAS_INPUT]->(f:Feature {canonical: $canonical})
RETURN properties(mv) AS model_version, properties(f) AS feature
ORDER BY mv.uid, f.position
