"""Leaderboard filters on the real Neo4j: framework, latency budget and hardware from the
deployment-readiness benchmarks (recorded with the deploy store, as graphcat's benchmark does)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.deploy.latency import Hardware, LatencyResult
from graphcat.errors import InvalidInput
from graphcat.evaluation import service
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store import deploy as deploy_store
from graphcat.store.database import Database
from graphql_helpers import client_for, gql

FEATURES = [{"name": "jet_mass", "dtype": "float32", "shape": []}]
DSV = "dataset_version:jets@1"
CPU = Hardware("cpu-test-epyc-2c-x86_64", "cpu", "Test EPYC", 2, 4, 4, "x86_64")
GPU = Hardware("gpu-test-a100", "gpu", "Test A100 host", 16, 32, 32, "x86_64")


def _model(ident: str, framework: str, auc: float) -> dict[str, Any]:
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "versions": [{
        "version": "1", "framework": framework, "format": "onnx", "inputs": FEATURES,
        "outputs": [{"name": "p", "dtype": "float32", "shape": [1]}],
        "evaluations": [{"dataset": "jets@1", "metric": "auc", "value": auc}]}]}


def _bench(db: Database, mv: str, hw: Hardware, p99: float, batch: int = 1) -> None:
    result = LatencyResult(batch, p99 / 2, p99, p99 / 2, p99 / 3, 50, 5, 1, "CPUExecutionProvider", "1.20", 1)
    db.write_transaction(lambda tx: deploy_store.record_benchmarks(tx, mv, hw, [result]))


@pytest.fixture()
def cat(db: Database) -> Database:
    catalog.register(db, {
        "graphcat_catalog": 1, "tasks": [{"id": "w-tagging", "name": "W tagging"}],
        "datasets": [{"id": "jets", "name": "jets", "tasks": ["w-tagging"], "description": "jets",
                      "versions": [{"version": "1", "data_type": "simulation", "features": FEATURES}]}],
        "models": [_model("big", "pytorch", 0.95), _model("small", "tensorflow", 0.90), _model("unbenched", "pytorch", 0.93)],
    })
    _bench(db, "model_version:big@1", CPU, 40.0)
    _bench(db, "model_version:big@1", GPU, 2.0)
    _bench(db, "model_version:big@1", CPU, 400.0, batch=64)  # not batch 1: not the budget's
    _bench(db, "model_version:small@1", CPU, 30.0)  # older, slower run on the same machine ...
    _bench(db, "model_version:small@1", CPU, 3.0)  # ... the newest counts
    return db


def uids(entries: list[service.Entry]) -> list[str]:
    return [e.model_version_uid.split(":")[1] for e in entries]


def test_filters_by_framework_latency_and_hardware(cat: Database) -> None:
    assert uids(service.leaderboard(cat, DSV, "auc")) == ["big@1", "unbenched@1", "small@1"]
    assert uids(service.leaderboard(cat, DSV, "auc", framework="PyTorch")) == ["big@1", "unbenched@1"]
    fast = service.leaderboard(cat, DSV, "auc", max_latency_ms=10)
    assert uids(fast) == ["big@1", "small@1"]  # big fits on the GPU, small (newest 3 ms) on the CPU
    assert [(e.p99_ms, e.hardware) for e in fast] == [(2.0, GPU.id), (3.0, CPU.id)]
    on_cpu = service.leaderboard(cat, DSV, "auc", max_latency_ms=10, hardware="cpu")
    assert uids(on_cpu) == ["small@1"]
    assert uids(service.leaderboard(cat, DSV, "auc", hardware=CPU.id)) == ["big@1", "small@1"]
    assert uids(service.leaderboard(cat, DSV, "auc", hardware="gpu", framework="tensorflow")) == []
    with pytest.raises(InvalidInput, match="maxLatencyMs must be > 0"):
        service.leaderboard(cat, DSV, "auc", max_latency_ms=0)


@pytest.fixture()
def client(cat: Database, settings: Settings) -> Iterator[TestClient]:
    yield from client_for(settings)


def test_filters_over_graphql(client: TestClient) -> None:
    query = """query($f: String, $ms: Float, $hw: String) {
      leaderboard(dataset: "dataset_version:jets@1", metric: "auc", framework: $f, maxLatencyMs: $ms, hardware: $hw) {
        totalCount edges { node { modelVersion p99Ms hardware } } } }"""
    body = gql(client, query, {"ms": 10.0, "hw": "cpu"}).json()
    assert "errors" not in body, body
    board = body["data"]["leaderboard"]
    assert board["totalCount"] == 1
    assert board["edges"][0]["node"] == {"modelVersion": "model_version:small@1", "p99Ms": 3.0, "hardware": CPU.id}
    bad = gql(client, query, {"ms": -1.0}).json()
    assert "maxLatencyMs must be > 0" in bad["errors"][0]["message"]
