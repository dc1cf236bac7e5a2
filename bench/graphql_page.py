"""A GraphQL page of 100 model versions with nested datasets, detectors, evaluations, tasks and model.

Run by `python -m bench` on the catalog bench.import_rate loaded. The request goes through the
real /graphql route (starlette TestClient, in process: no network), walking the connection page
by page with its cursor. Round trips are the Neo4j queries of each request, counted by
graphcat.store.database.count_queries' counter and returned in the X-Graphcat-Queries header.
The walk runs twice: asking for totalCount on every page, and without it (the count is a separate
query, run only when selected).
The recommender's index is not loaded (the app factory's start-up rebuild is not part of a page).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.common import p50_p95, table, timed_ms
from graphcat.api.graphql_app import graphql_route
from graphcat.errors import GraphcatError
from graphcat.settings import Settings
from graphcat.store.database import Database

PAGE = """
query Page($first: Int, $after: String) {
  modelVersions(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id version framework
      model { name } tasks { slug } evaluations { metric value dataset { id } }
      datasets { id format detectors { id name } } } }
  }
}"""


def _app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.db = Database(settings)
        try:
            yield
        finally:
            app.state.db.close()

    return Starlette(routes=[graphql_route(settings)], lifespan=lifespan)


def run(settings: Settings, pages: int = 30, total: bool = True) -> dict[str, Any]:
    times, trips, nested = [], [], []
    query = PAGE if total else PAGE.replace("totalCount", "")
    with TestClient(_app(settings)) as client:
        after = None
        for i in range(pages + 2):
            ms, r = timed_ms(lambda: client.post("/graphql", json={"query": query, "variables": {"first": 100, "after": after}}))
            body = r.json()
            if r.status_code != 200 or "errors" in body:
                raise GraphcatError(f"GraphQL page failed: {r.status_code} {r.text[:500]}")
            conn = body["data"]["modelVersions"]
            after = conn["pageInfo"]["endCursor"] if conn["pageInfo"]["hasNextPage"] else None
            if i < 2:
                continue  # warm-up: plan cache and JIT
            times.append(ms)
            trips.append(int(r.headers["x-graphcat-queries"]))
            nested.append(sum(1 + len(e["node"]["datasets"]) + len(e["node"]["evaluations"])
                              + sum(len(d["detectors"]) for d in e["node"]["datasets"]) for e in conn["edges"]))
    p50, p95 = p50_p95(times)
    return {"pages": len(times), "total": total, "p50": p50, "p95": p95, "round trips": sorted(set(trips)),
            "objects per page": sum(nested) / len(nested)}


def render(rows: list[tuple[int, dict[str, Any]]]) -> str:
    return table(["model versions", "totalCount asked", "pages timed", "p50 ms", "p95 ms", "Neo4j round trips per page",
                  "objects per page (mean)"],
                 [[f"{size:,}", "yes" if r.get("total", True) else "no", r["pages"], f"{r['p50']:.0f}", f"{r['p95']:.0f}",
                   ", ".join(map(str, r["round trips"])),
                   f"{r['objects per page']:.0f}"] for size, r in rows])
