// params: $model (a model uid), $alias, $hidden. The version of the model that carries the alias (none when no version does).
MATCH (m:Model:Catalog {uid: $model})-[:HAS_VERSION]->(mv:ModelVersion:Catalog)
WHERE $alias IN coalesce(mv.aliases, []) AND NOT mv.uid IN $hidden
RETURN mv.uid AS uid
