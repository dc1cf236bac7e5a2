"""`GET /datasets/<id>/<version>/croissant.json`: a dataset version as Croissant JSON-LD (a stable URL).

Reads follow the GraphQL reads: open, or a bearer API token of role reader when
GRAPHCAT_READS_REQUIRE_TOKEN is set (401 / 403 otherwise). An unknown dataset or version is a 404
with a JSON message naming it; Neo4j away is a 503.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphcat.api import namespaces
from graphcat.api.auth import Role, authenticate, bearer_secret, require
from graphcat.errors import DatabaseUnavailable, Forbidden, IdentityProviderUnavailable, GraphcatError, NotFound, Unauthorized
from graphcat.interop.croissant_export import croissant_document
from graphcat.settings import Settings
from graphcat.store import visibility

MEDIA_TYPE = "application/ld+json"


async def croissant_json(request: Request) -> Response:
    db = request.app.state.db
    settings: Settings = request.app.state.settings
    try:
        principal = None
        if settings.reads_require_token:
            secret = bearer_secret(request.headers)
            principal = await run_in_threadpool(authenticate, db, secret, settings) if secret is not None else None
            require(principal, Role.READER, "reading the catalog")
        hidden = (await run_in_threadpool(namespaces.hidden_for, db, principal, settings.private_namespace_list)
                  if settings.private_namespace_list else [])
        with visibility.limited_to(hidden):  # a private dataset version is a 404, as an unknown one
            document = await run_in_threadpool(croissant_document, db, request.path_params["dataset_id"],
                                               request.path_params["version"], base_url=str(request.base_url))
    except (NotFound, DatabaseUnavailable, IdentityProviderUnavailable, Unauthorized, Forbidden) as exc:
        return _error(exc)
    return JSONResponse(document, media_type=MEDIA_TYPE)


def _error(exc: GraphcatError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="graphcat"'} if isinstance(exc, Unauthorized) else None
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status, headers=headers)


def routes() -> list[Route]:
    return [Route("/datasets/{dataset_id}/{version}/croissant.json", croissant_json, methods=["GET", "HEAD"])]
