// params: none. The catalog's revision state {epoch, revision} (no row when no write recorded one):
// every catalog write through graphcat bumps it in its own transaction (index/bump_revision).
MATCH (s:GraphcatCatalogState {key: 'catalog'})
RETURN properties(s) AS state
