CREATE CONSTRAINT graphcat_migration_version IF NOT EXISTS
FOR (m:GraphcatMigration) REQUIRE m.version IS UNIQUE
