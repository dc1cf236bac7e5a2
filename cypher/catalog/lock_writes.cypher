// params: none. Takes the catalog's write lock inside the calling write transaction (held until it
// commits or rolls back): writing a property of the one lock node locks it exclusively, so catalog
// writers that check "is this version registered?" and then write it run one after the other.
MERGE (l:GraphcatWriteLock {name: 'catalog'})
SET l.writes = coalesce(l.writes, 0) + 1
RETURN l.writes AS writes
