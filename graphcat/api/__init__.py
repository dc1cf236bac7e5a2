"""The HTTP face of graphcat: the starlette app, /healthz, GraphQL and the page."""
