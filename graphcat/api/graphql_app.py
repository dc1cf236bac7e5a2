"""The /graphql endpoint: strawberry's ASGI view plus the GraphQL-over-HTTP rules graphcat keeps.

- GET runs queries only (a mutation over GET is 405), POST runs everything; GraphiQL answers a
  browser's GET without a query.
- Content negotiation: application/graphql-response+json when the client asks for it (request
  errors are then 400 without `data`), application/json otherwise (always 200), 406 when the
  Accept header allows neither.
- Authentication happens before execution, from the operation the document selects: every
  mutation needs a bearer token (API token or OIDC access token) of a sufficient role (401 without
  or with an unusable token, 403 with too low a role, or one held only in other namespaces:
  graphcat.api.namespaces), and queries do too when GRAPHCAT_READS_REQUIRE_TOKEN is set. An OIDC
  issuer that cannot be reached is 503. Without a bearer token, the page's sign-in session cookie
  stands for it when the request carries the session's X-Graphcat-CSRF header (graphcat.api.signin).
- Mutations are rate-limited per token; DatabaseUnavailable answers 503 with Retry-After.
- Every response carries X-Request-Id (the id masked errors quote) and X-Graphcat-Queries (the
  Neo4j round trips it took, so clients and tests can see there is no N+1).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Mapping

from cross_web import HTTPException
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from graphcat.api import namespaces, negotiation, signin
from graphcat.api.auth import Principal, Role, authenticate, bearer_secret, require
from graphcat.api.context import RequestContext
from graphcat.api.documents import Documents
from graphcat.api.error_policy import classify
from graphcat.api.loaders import Loaders
from graphcat.api.rate_limit import MutationRateLimiter, RateLimited
from graphcat.errors import DatabaseUnavailable, GraphcatError, IdentityProviderUnavailable
from graphcat.settings import Settings
from graphcat.store import bookmarks, visibility
from graphcat.store.database import Database, query_counter

log = logging.getLogger("graphcat.api.graphql")

RETRY_AFTER_SECONDS = 5


class HTTPError(Exception):
    """A request refused before execution, answered as a GraphQL error response."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    @classmethod
    def from_graphcat(cls, exc: GraphcatError) -> "HTTPError":
        headers: dict[str, str] = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="graphcat"'
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(int(exc.retry_after))
        if isinstance(exc, (DatabaseUnavailable, IdentityProviderUnavailable)):
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return cls(exc.status, exc.code, exc.message, headers)


class _SubResponse(Response):
    """Strawberry's per-request sub-response, also carrying the negotiated media type."""

    media_type_out: str = negotiation.JSON


def _selected_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def _root_fields(document: DocumentNode, selection_set: SelectionSetNode) -> list[FieldNode]:
    """The root fields an operation runs, through fragments (each spread once)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[FieldNode] = []
    seen: set[str] = set()

    def walk(node: SelectionSetNode) -> None:
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                names.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                # A fragment spread twice at the root runs its fields once per spread, but the
                # fields merge: counting it once matches what executes.
                if fragment is not None and fragment.name.value not in seen:
                    seen.add(fragment.name.value)
                    walk(fragment.selection_set)

    walk(selection_set)
    return names


def _is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution (parse, validation, variable coercion)."""
    if isinstance(result, PreExecutionError):
        return True
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


class GraphQLApp(GraphQL):  # type: ignore[misc]
    def __init__(
        self,
        schema: BaseSchema,
        settings: Settings,
        mutation_roles: Mapping[str, Role],
        documents: Documents | None = None,
    ) -> None:
        # Multipart (the GraphQL multipart request spec) carries recommendModels' file uploads;
        # mutations still need a bearer token, which a cross-site form cannot send.
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True, subscription_protocols=(),
                         multipart_uploads_enabled=True)
        self.settings = settings
        self.mutation_roles = dict(mutation_roles)
        self.rate_limiter = MutationRateLimiter(settings.mutation_rate_per_minute)
        # The schema's own cache when it has one: the operation read here is the one it executes.
        self.documents = documents or Documents()

    # -- ASGI entry: errors raised before execution become GraphQL-shaped responses ----------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        request_id = uuid.uuid4().hex[:16]
        request.state.request_id = request_id
        written: list[str] = []
        try:
            try:
                given = bookmarks.parse_header(request.headers.get(bookmarks.HEADER))
            except GraphcatError as exc:
                raise HTTPError.from_graphcat(exc) from exc
            with bookmarks.request_scope(given) as written:
                response = await self.run(request)
        except HTTPException as exc:
            response = self._error_response(request, HTTPError(exc.status_code, "BAD_REQUEST", exc.reason))
        except HTTPError as exc:
            response = self._error_response(request, exc)
        response.headers["X-Request-Id"] = request_id
        if written:  # read-your-writes on any replica: send this back as the graphcat-bookmark header
            response.headers[bookmarks.HEADER] = bookmarks.format_header(written)
        await response(scope, receive, send)

    def _error_response(self, request: Request, error: HTTPError) -> Response:
        media_type = negotiation.choose(request.headers.get("accept")) or negotiation.JSON
        body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
        return Response(self.encode_json(body), status_code=error.status, media_type=media_type, headers=error.headers)

    # -- strawberry hooks ---------------------------------------------------------------------

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = _SubResponse()
        sub_response.status_code = None  # type: ignore[assignment]
        del sub_response.headers["content-length"]
        return sub_response

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        context = RequestContext(
            request=request,
            response=response,
            request_id=request.state.request_id,
            settings=self.settings,
            db=request.app.state.db,
            media_type=negotiation.choose(request.headers.get("accept")) or negotiation.JSON,
        )
        context.loaders = Loaders(context.db)
        request.state.graphcat = context
        return context

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError as exc:
            # `[[[[...` nested past Python's recursion limit: the client's fault, not a 500.
            raise HTTPException(400, "The request body nests JSON too deeply.") from exc
        except UnicodeDecodeError as exc:  # not a JSONDecodeError, so strawberry would answer 500
            raise HTTPException(400, f"The request body is not UTF-8: {exc.reason} at byte {exc.start}.") from exc

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if isinstance(parsed, (str, int, float, bool)):
            # A body, multipart `operations` or GET `variables` of "x" or 12 reached `.get` (500).
            # (null stays allowed: `variables=null` means none; a null body is refused below.)
            raise HTTPException(400, f"Expected a JSON object, got a JSON {type(parsed).__name__}.")
        return parsed

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        try:
            data = await super().parse_http_body(request)
        except AttributeError as exc:  # a body or `operations` of JSON null: strawberry calls null.get
            raise HTTPException(400, "Expected a JSON object, got null.") from exc
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, (str, type(None))):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        return data

    async def execute_operation(  # type: ignore[override]
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: RequestContext,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        if negotiation.choose(request.headers.get("accept")) is None:
            raise HTTPError(
                406,
                "NOT_ACCEPTABLE",
                f"Accept must allow {negotiation.GRAPHQL_RESPONSE_JSON} or {negotiation.JSON}",
            )
        assert isinstance(request_data, GraphQLRequestData)  # batching is not enabled
        selected = self._operation(request_data)
        try:
            principal = await self._principal(request, selected)
            fields = self._authorize(request.method, selected, principal)
            if fields and principal is not None:
                assert selected is not None
                await run_in_threadpool(namespaces.check, request.app.state.db, self.schema._schema, principal,
                                        selected[1], fields, request_data.variables, self.mutation_roles)
        except GraphcatError as exc:
            raise HTTPError.from_graphcat(exc) from exc
        context.principal = principal
        token = query_counter.set(context.queries)
        try:
            hidden: list[str] = []
            is_mutation = selected is not None and selected[1].operation == OperationType.MUTATION
            if self.settings.private_namespace_list and not is_mutation:  # reads: private entities stay out
                hidden = await run_in_threadpool(namespaces.hidden_for, request.app.state.db, principal,
                                                 self.settings.private_namespace_list)
            with visibility.limited_to(hidden):
                return await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        finally:
            query_counter.reset(token)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        context: RequestContext = request.state.graphcat
        sub_response: _SubResponse = context.response  # type: ignore[assignment]
        sub_response.media_type_out = context.media_type
        errors = [classify(e, context.request_id) for e in (result.errors or [])]
        response: GraphQLHTTPResponse = {}
        if _is_request_error(result):
            # Failed before execution: no `data` entry (GraphQL spec, "Response Format").
            if context.media_type == negotiation.GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        else:
            response["data"] = result.data
        if errors:
            response["errors"] = [e.formatted for e in errors]
        if result.extensions:
            response["extensions"] = result.extensions
        if any((e.extensions or {}).get("code") == DatabaseUnavailable.code for e in errors):
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        sub_response.headers["X-Graphcat-Queries"] = str(context.queries[0])
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = getattr(sub_response, "media_type_out", negotiation.JSON)
        response = Response(
            self.encode_json(response_data), status_code=sub_response.status_code or 200, media_type=media_type
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    # -- authentication and authorisation -------------------------------------------------------

    def _operation(
        self, request_data: GraphQLRequestData
    ) -> tuple[DocumentNode, OperationDefinitionNode] | None:
        """The operation this request would run; None when strawberry will report why not."""
        if not request_data.query:
            return None
        try:
            document = self.documents.parse(request_data.query, self.settings.graphql_max_tokens)
        except GraphQLError:
            return None  # strawberry parses again and answers with the syntax error
        operation = _selected_operation(document, request_data.operation_name)
        return (document, operation) if operation is not None else None

    async def _principal(
        self, request: Request, selected: tuple[DocumentNode, OperationDefinitionNode] | None
    ) -> Principal | None:
        secret = bearer_secret(request.headers)
        if secret is None:  # the page's sign-in session, when its CSRF header comes along (graphcat.api.signin)
            mutation = selected is not None and selected[1].operation == OperationType.MUTATION
            return await signin.principal(request, self.settings, mutation)
        db: Database = request.app.state.db
        return await run_in_threadpool(authenticate, db, secret, self.settings)

    def _authorize(
        self,
        method: str,
        selected: tuple[DocumentNode, OperationDefinitionNode] | None,
        principal: Principal | None,
    ) -> list[FieldNode]:
        """Check the caller's role; returns the root fields of a mutation (for the namespace check)."""
        if selected is None:
            return []
        document, operation = selected
        if operation.operation == OperationType.MUTATION:
            if method == "GET":
                raise HTTPError(405, "METHOD_NOT_ALLOWED", "mutations need POST", {"Allow": "POST"})
            fields = _root_fields(document, operation.selection_set)
            needed = max((self.mutation_roles.get(f.name.value, Role.WRITER) for f in fields), default=Role.WRITER)
            require(principal, needed, "this mutation")
            assert principal is not None
            self.rate_limiter.take(principal.rate_key, cost=max(1, len(fields)))
            return fields
        if self.settings.reads_require_token:
            require(principal, Role.READER, "reading the catalog")
        return []


def graphql_route(settings: Settings) -> Route:
    """The /graphql route, serving graphcat's schema (GraphiQL for browsers)."""
    from graphcat.api.schema import MUTATION_ROLES, build_schema

    schema = build_schema(settings)
    return Route("/graphql", GraphQLApp(schema, settings, MUTATION_ROLES, schema.documents))
