// params: none. Bumps the catalog revision inside the calling write transaction. The MERGE locks the
// one state node, so concurrent writers serialise on it; a new epoch (random) is drawn whenever the
// node is created again (e.g. after the catalog was cleared), so an old token never reappears.
MERGE (s:GraphcatCatalogState {key: 'catalog'})
  ON CREATE SET s.epoch = randomUUID(), s.revision = 0
SET s.revision = s.revision + 1
RETURN s.epoch + ':' + toString(s.revision) AS token
