// params: $rows. rows {model, version, aliases}: gives the version exactly these aliases and takes
// them away from the model's other versions (an alias names one version of a model).
UNWIND $rows AS row
MATCH (m:Catalog {uid: row.model})-[:HAS_VERSION]->(v:ModelVersion)
SET v.aliases = CASE WHEN v.uid = row.version THEN row.aliases
                ELSE [a IN coalesce(v.aliases, []) WHERE NOT a IN row.aliases] END
RETURN count(v) AS touched
