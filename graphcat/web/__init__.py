"""The web page: a static single-page app (vanilla ES modules) that talks to /graphql only.

`routes()` serves it from the API's starlette app: `/` is the page, `/static` its assets
(`static/vendor/` holds the npm libraries copied by `vendor.mjs`; nothing loads from a CDN).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


async def index(request: Request) -> FileResponse:
    # no-cache: the page is tiny and must pick up new asset versions after an upgrade.
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
