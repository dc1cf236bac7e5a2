CREATE CONSTRAINT graphcat_catalog_state_key IF NOT EXISTS
FOR (s:GraphcatCatalogState) REQUIRE s.key IS UNIQUE
