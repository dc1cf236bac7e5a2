"""Which errors a GraphQL client sees: graphcat's typed errors as they are, everything else masked.

A GraphcatError (InvalidInput, NotFound, Conflict, DatabaseUnavailable, ...) is an answer the
client can act on: its message stays, and `extensions` carry its stable `code`, the input `field`
path when there is one, and `retryable` for DatabaseUnavailable. Any other exception is a bug or
an outage detail that must not leak: it is logged with a request id and replaced by
"Internal server error (request id ...)", the id letting an operator find the log line.
Parse and validation errors (no original exception) are the client's own and pass unchanged.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graphcat.errors import DatabaseUnavailable, GraphcatError

log = logging.getLogger("graphcat.api.errors")

INTERNAL = "INTERNAL_SERVER_ERROR"


def internal_message(request_id: str) -> str:
    return f"Internal server error (request id {request_id})"


def _request_id(context: Any) -> str:
    return str(getattr(context, "request_id", "unknown"))


def classify(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    if isinstance(original, GraphcatError):
        extensions: dict[str, Any] = {**(error.extensions or {}), "code": original.code}
        if original.path:
            extensions["field"] = original.path
        if isinstance(original, DatabaseUnavailable):
            extensions["retryable"] = True
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )
    log.error(
        "request %s: unexpected error at %s", request_id, error.path, exc_info=original
    )
    return GraphQLError(
        internal_message(request_id),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": INTERNAL, "requestId": request_id},
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        request_id = _request_id(self.execution_context.context)
        result.errors = [classify(e, request_id) for e in result.errors]
