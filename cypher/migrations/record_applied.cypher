// params: $version, $name. Records that schema migration $version was applied.
MERGE (m:GraphcatMigration {version: $version})
ON CREATE SET m.name = $name, m.applied_at = datetime()
WITH m
MERGE (s:GraphcatSchema {id: 'graphcat'})
SET s.version = CASE WHEN s.version IS NULL OR s.version < $version THEN $version ELSE s.version END
RETURN s.version AS version
