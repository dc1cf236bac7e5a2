// params: none. Versions of the schema migrations already applied, and the recorded schema version.
OPTIONAL MATCH (s:GraphcatSchema {id: 'graphcat'})
OPTIONAL MATCH (m:GraphcatMigration)
RETURN s.version AS schema_version, collect(m.version) AS applied
