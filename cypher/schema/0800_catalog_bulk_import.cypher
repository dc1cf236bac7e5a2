CREATE INDEX catalog_bulk_import IF NOT EXISTS
FOR (n:Catalog) ON (n.bulk_import)
