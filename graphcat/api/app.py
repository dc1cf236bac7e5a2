"""The starlette application factory: wires settings, the Neo4j store and the routes."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graphcat.api import croissant, signin
from graphcat.api.graphql_app import graphql_route
from graphcat import web
from graphcat.errors import DatabaseUnavailable
from graphcat.evaluation.jobs import Jobs
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database

log = logging.getLogger("graphcat.api")


class SchemaState:
    """Applies migrations once Neo4j answers, at start-up or at the first health check after."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.version: int | None = None

    def ensure(self) -> int:
        if self.version is None:
            self.version = migrations.apply(self.db)
        return self.version


async def healthz(request: Request) -> JSONResponse:
    db: Database = request.app.state.db
    schema: SchemaState = request.app.state.schema
    try:
        info = await run_in_threadpool(db.server_info)
        version = await run_in_threadpool(schema.ensure)
    except DatabaseUnavailable as exc:
        return JSONResponse({"status": "unavailable", "reason": exc.message}, status_code=503)
    return JSONResponse(
        {
            "status": "ok",
            "neo4j": {"version": info.version, "edition": info.edition, "database": db.database},
            "schema_version": version,
        }
    )


def _ensure_index(db: Database) -> None:
    """Load the recommender's index, rebuilding it when missing, corrupt or stale (logged)."""
    from graphcat.service import vector_index

    try:
        status = vector_index.shared(db.settings).ensure(db)
    except DatabaseUnavailable as exc:
        log.warning("vector index not loaded, Neo4j went away (loaded at first use): %s", exc.message)
        return
    log.info("vector index %s", status)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings)
        app.state.settings = settings
        app.state.db = db
        app.state.schema = SchemaState(db)
        app.state.evaluation_jobs = Jobs(settings)
        app.state.signin = signin.SignIn(settings) if settings.signin_enabled else None
        try:
            await run_in_threadpool(app.state.schema.ensure)
        except DatabaseUnavailable as exc:
            # Serve anyway: /healthz says 503 until Neo4j answers, then migrations run.
            log.warning("Neo4j unavailable at start-up, will retry: %s", exc.message)
        else:
            await run_in_threadpool(_ensure_index, db)
        try:
            yield
        finally:
            await run_in_threadpool(app.state.evaluation_jobs.shutdown)  # running evaluations are cancelled
            db.close()

    middleware = signin.middleware(settings)  # the sign-in session cookie; refuses a short GRAPHCAT_SESSION_SECRET
    routes = [Route("/healthz", healthz), graphql_route(settings)]
    routes += signin.routes()  # /auth/login, /auth/callback, /auth/session, /auth/logout
    routes += croissant.routes()  # /datasets/<id>/<version>/croissant.json
    routes += web.routes()  # the page at / and its assets at /static
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
