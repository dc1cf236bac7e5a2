"""Rules on top of the store: what the GraphQL API and the CLI call."""
