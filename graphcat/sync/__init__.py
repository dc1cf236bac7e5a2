"""Two sites kept in step: `graphcat sync --from https://other-site/graphql` (graphcat.sync.pull) pulls
another catalog's entities changed since the last sync; the other site serves them through GraphQL
(`changes(since:)`, `syncDocument(entities:)`: graphcat.sync.feed); provenance and cursors are kept
in the catalog (graphcat.store.sync, cypher/sync/)."""
