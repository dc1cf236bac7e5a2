CREATE INDEX catalog_kind IF NOT EXISTS
FOR (n:Catalog) ON (n.kind)
