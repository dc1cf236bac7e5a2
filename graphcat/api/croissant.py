"""`GET /datasets/<id>/<version>/croissant.json`: a dataset version as Croissant JSON-LD (a stable URL).

An unknown dataset or version is a 404 with a JSON message naming it; Neo4j away is a 503.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphcat.errors import DatabaseUnavailable, NotFound
from graphcat.interop.croissant_export import croissant_document

MEDIA_TYPE = "application/ld+json"


async def croissant_json(request: Request) -> Response:
    dataset_id = request.path_params["dataset_id"]
    version = request.path_params["version"]
    base_url = str(request.base_url)
    try:
        document = await run_in_threadpool(croissant_document, request.app.state.db, dataset_id, version,
                                           base_url=base_url)
    except (NotFound, DatabaseUnavailable) as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)
    return JSONResponse(document, media_type=MEDIA_TYPE)


def routes() -> list[Route]:
    return [Route("/datasets/{dataset_id}/{version}/croissant.json", croissant_json, methods=["GET", "HEAD"])]
