// params: $rows. rows {model, version, aliases}: gives the version exactly these aliases and takes
// them away from the model's other versions (an alias names one version of a model). Returns the
// versions whose aliases changed, with their aliases before (for the audit trail).
UNWIND $rows AS row
MATCH (m:Catalog {uid: row.model})-[:HAS_VERSION]->(v:ModelVersion)
WITH v, row, coalesce(v.aliases, []) AS before
SET v.aliases = CASE WHEN v.uid = row.version THEN row.aliases
                ELSE [a IN coalesce(v.aliases, []) WHERE NOT a IN row.aliases] END
WITH v, before
WHERE before <> coalesce(v.aliases, [])
RETURN v.uid AS uid, before
