CREATE FULLTEXT INDEX catalog_fulltext IF NOT EXISTS
FOR (n:Catalog) ON EACH [n.id, n.display, n.name, n.title, n.description, n.tags]
