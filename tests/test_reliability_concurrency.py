"""The same model version registered by N clients at once: exactly one node, no silent overwrite."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import httpx
import pytest

from graphcat.api.app import create_app
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store import catalog as store
from graphcat.store.database import Database
from tests.graphql_helpers import token
from tests.reliability_support import Cases, ServerThread, cases, post  # noqa: F401  (fixture)

N = 8
FRAMEWORKS = ["pytorch", "tensorflow", "onnx", "jax", "keras", "xgboost", "sklearn", "other"]
REGISTER = """mutation($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) {
    __typename ... on ModelVersion { id framework } ... on UserError { code message } } }"""


def _register_concurrently(url: str, secret: str, inputs: list[dict[str, Any]]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(inputs))
    responses: list[httpx.Response | None] = [None] * len(inputs)

    def one(i: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            responses[i] = post(client, REGISTER, {"input": inputs[i]}, token=secret)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in responses), "a registration hung"
    return [r for r in responses if r is not None]


def _version(framework: str, round_: int) -> dict[str, Any]:
    return {"model": f"race{round_}", "modelName": f"Race {round_}", "version": "1.0", "framework": framework,
            "inputs": [{"name": "jet_pt", "dtype": "float32", "shape": []}]}


@pytest.mark.reliability("Faults", "same model version registered concurrently by 8 clients")
def test_concurrent_registration_makes_one_node(db: Database, neo4j_server: Settings, cases: Cases) -> None:
    secret = token(db, "writer")
    settings = dataclasses.replace(neo4j_server, mutation_rate_per_minute=100_000)
    with ServerThread(create_app(settings)) as server:
        for round_ in range(3):
            # Identical content: every client gets the version (the others' are no-ops) or a clear conflict.
            responses = _register_concurrently(server.url, secret, [_version("pytorch", round_)] * N)
            results = [r.json()["data"]["registerModelVersion"] for r in responses]
            assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
            assert {x["__typename"] for x in results} <= {"ModelVersion", "ConflictError"}, results
            assert any(x["__typename"] == "ModelVersion" for x in results)
            cases.add(N)
            # Different content for the same version: one wins; the others are told, none overwrites it.
            inputs = [{**_version(FRAMEWORKS[i], round_), "version": "2.0"} for i in range(N)]
            responses = _register_concurrently(server.url, secret, inputs)
            results = [r.json()["data"]["registerModelVersion"] for r in responses]
            assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
            winners = [x for x in results if x["__typename"] == "ModelVersion"]
            assert winners and len({w["framework"] for w in winners}) == 1, results
            losers = [x for x in results if x["__typename"] != "ModelVersion"]
            assert all(x["__typename"] in {"ConflictError", "InvalidInputError"} for x in losers), losers
            stored = catalog.get_by_uid(db, f"model_version:race{round_}@2.0")
            assert stored.framework == winners[0]["framework"]  # type: ignore[attr-defined]
            cases.add(N)
    versions = [p for p in store.export_nodes(db) if p["kind"] == "model_version"]
    assert sorted(p["uid"] for p in versions) == sorted(
        f"model_version:race{r}@{v}" for r in range(3) for v in ("1.0", "2.0"))
    inputs = catalog.inputs_of(db, [p["uid"] for p in versions])
    assert all(len(inputs[p["uid"]]) == 1 for p in versions), "a version got its inputs twice"
