"""Each distinct GraphQL document is parsed and validated once per process, not once per request.

Clients send the same few documents with other variables (the page's search box, recommendModels),
yet every request parsed its document twice (graphcat.api.graphql_app reads the operation for
authorisation before strawberry parses it again) and validated it once more. A document's
parse tree and its validation errors depend only on its text, the parser's token cap, the schema
and the validation rules, never on the variables, so they are kept here under exactly that key
(bench/http_latency.py measures the request path). A document that does not parse is not
kept: strawberry parses it again and answers with the syntax error as before.
"""

from __future__ import annotations

import threading
from typing import Iterator

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from graphcat.service.recent import Recent

CACHED_DOCUMENTS = 256  # distinct document texts kept (parse tree and validation errors each)


class Documents:
    """Parse trees and validation errors of recent document texts (one per schema); thread-safe."""

    def __init__(self, size: int = CACHED_DOCUMENTS) -> None:
        self._lock = threading.Lock()
        self._parsed: Recent[tuple[str, int | None], DocumentNode] = Recent(size)
        self._errors: Recent[tuple[str, int | None, tuple[type, ...]], list[GraphQLError]] = Recent(size)

    def parse(self, query: str, max_tokens: int | None) -> DocumentNode:
        """graphql-core's `parse(query, max_tokens=...)`, once per text; its GraphQLError when it fails."""
        key = (query, max_tokens)
        with self._lock:
            found = self._parsed.get(key)
        if found is None:
            found = parse(query, max_tokens=max_tokens)
            with self._lock:
                self._parsed.put(key, found)
        return found

    def validate(self, schema: object, query: str, max_tokens: int | None, document: DocumentNode,
                 rules: tuple[type, ...]) -> list[GraphQLError]:
        """strawberry's validation of `document` (parsed from `query` here) under `rules`, once."""
        key = (query, max_tokens, rules)
        with self._lock:
            found = self._errors.get(key)
        if found is None:
            found = validate_document(schema, document, rules)  # type: ignore[arg-type]
            with self._lock:
                self._errors.put(key, found)
        return list(found)  # a copy: callers may extend their list, never ours


class CachedDocuments(SchemaExtension):
    """Strawberry extension: take the parse tree and validation errors from `Documents`."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self._from_cache = False

    def _max_tokens(self) -> int | None:
        value = self.execution_context.parse_options.get("max_tokens")
        return int(value) if value is not None else None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            try:
                context.graphql_document = self.documents.parse(context.query, self._max_tokens())
                self._from_cache = True
            except GraphQLError:
                pass  # strawberry parses it again and answers with the error
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._from_cache and context.validation_rules and context.pre_execution_errors is None:
            assert context.query is not None and context.graphql_document is not None
            context.pre_execution_errors = self.documents.validate(
                context.schema._schema, context.query, self._max_tokens(), context.graphql_document,
                context.validation_rules)
        yield
