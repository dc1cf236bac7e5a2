"""The page's facets over GraphQL: `models(filter: {dataType, maxP99Ms})` beside task and framework,
on the real Neo4j with a small catalog and benchmarks recorded as `register-onnx --benchmark` does.
What should match is worked out from the document and the recorded numbers, not written down."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.catalog.importer import import_documents
from graphcat.deploy.latency import Hardware, LatencyResult
from graphcat.settings import Settings
from graphcat.store import deploy as deploy_store
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, gql
from tests.web_catalog import JET_FEATURES

MACHINE = Hardware(id="cpu-facets-4c", kind="cpu", cpu_model="Facet CPU", cores=4, logical_cpus=8, usable_cpus=4,
                   arch="x86_64")
# Per model: the training data's type and p99 (ms) per batch size, recorded in this order, one
# benchmark run after another (the newest run of a batch size is the one a budget reads).
MODELS: dict[str, dict[str, Any]] = {
    "fast-sim": {"data": "sim", "task": "b-tagging", "framework": "onnx", "runs": [{1: 0.8, 64: 0.3}]},
    "slowed-sim": {"data": "sim", "task": "jet-tagging", "framework": "onnx", "runs": [{1: 0.5}, {1: 3.0}]},
    "batched-data": {"data": "real", "task": "jet-tagging", "framework": "pytorch", "runs": [{64: 0.2}]},
    "quick-data": {"data": "real", "task": "b-tagging", "framework": "pytorch", "runs": [{1: 2.0}]},
    "unmeasured": {"data": "real", "task": "b-tagging", "framework": "onnx", "runs": []},
}
DATA_TYPES = {"sim": "simulation", "real": "data"}


def document() -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}, {"id": "b-tagging", "name": "b-tagging", "parent": "jet-tagging"}],
        "datasets": [{"id": key, "name": f"{key} jets", "versions": [
            {"version": "1.0", "format": "hdf5", "data_type": data_type, "features": JET_FEATURES}]}
            for key, data_type in DATA_TYPES.items()],
        "models": [{"id": model, "name": model, "tasks": [spec["task"]], "versions": [
            {"version": "1.0.0", "framework": spec["framework"], "format": "onnx", "inputs": JET_FEATURES,
             "outputs": JET_FEATURES[:1], "trained_on": [f"{spec['data']}@1.0"]}]} for model, spec in MODELS.items()],
    }


def result(batch: int, p99: float) -> LatencyResult:
    return LatencyResult(batch=batch, p50_ms=p99 / 2, p99_ms=p99, mean_ms=p99 / 2, min_ms=p99 / 4, runs=20, warmup=2,
                         threads=1, provider="CPUExecutionProvider", onnxruntime_version="test", dynamic_size=1)


@pytest.fixture(scope="module")
def client(neo4j_server: Settings, session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    clear_catalog(session_db)
    import_documents(session_db, [("facets", document())])
    for model, spec in MODELS.items():
        for run in spec["runs"]:
            results = [result(b, p) for b, p in run.items()]
            session_db.write_transaction(lambda tx, m=model, r=results: deploy_store.record_benchmarks(
                tx, f"model_version:{m}@1.0.0", MACHINE, r))
    yield from client_for(neo4j_server, index_dir=str(tmp_path_factory.mktemp("index")))
    clear_catalog(session_db)


def models(client: TestClient, filter: dict[str, Any]) -> list[str]:
    r = gql(client, "query($f: ModelFilter) { models(filter: $f) { totalCount edges { node { id } } } }", {"f": filter})
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, r.text
    found = body["data"]["models"]
    assert found["totalCount"] == len(found["edges"])
    return [e["node"]["id"] for e in found["edges"]]


def within(budget: float) -> list[str]:
    """Models whose newest batch-1 run is within `budget` ms, from MODELS."""
    newest = {m: [run[1] for run in spec["runs"] if 1 in run] for m, spec in MODELS.items()}
    return sorted(f"model:{m}" for m, p99s in newest.items() if p99s and p99s[-1] <= budget)


def test_data_type_facet_is_the_training_data_type(client: TestClient) -> None:
    for key, data_type in DATA_TYPES.items():
        want = sorted(f"model:{m}" for m, spec in MODELS.items() if spec["data"] == key)
        assert 0 < len(want) < len(MODELS)
        assert models(client, {"dataType": data_type}) == want


@pytest.mark.parametrize("budget", [0.1, 1.0, 2.5, 10.0])
def test_latency_budget_reads_the_newest_batch_one_benchmark(client: TestClient, budget: float) -> None:
    assert models(client, {"maxP99Ms": budget}) == within(budget)


def test_an_older_fast_run_or_a_fast_large_batch_does_not_count(client: TestClient) -> None:
    # slowed-sim was once within 1 ms: its newest run (3 ms) is what counts; batched-data has
    # only a batch-64 run and unmeasured none, so no budget lists them.
    assert models(client, {"maxP99Ms": 1.0}) == ["model:fast-sim"]
    assert models(client, {"maxP99Ms": 2.5}) == ["model:fast-sim", "model:quick-data"]
    assert "model:slowed-sim" in models(client, {"maxP99Ms": 3.0})
    assert "model:batched-data" not in models(client, {"maxP99Ms": 1e9})


def test_facets_combine_with_task_and_framework(client: TestClient) -> None:
    got = models(client, {"task": "b-tagging", "dataType": "data", "framework": "pytorch", "maxP99Ms": 5.0})
    want = sorted(f"model:{m}" for m, spec in MODELS.items()
                  if spec["task"] == "b-tagging" and spec["data"] == "real" and spec["framework"] == "pytorch"
                  and f"model:{m}" in within(5.0))
    assert got == want == ["model:quick-data"]
    # jet-tagging matches its subtask b-tagging too
    assert len(models(client, {"task": "jet-tagging", "dataType": "simulation"})) == 2


@pytest.mark.parametrize("filter,field", [
    ({"dataType": "montecarlo"}, "filters.dataType"),
    ({"maxP99Ms": 0}, "filters.maxP99Ms"),
    ({"maxP99Ms": -1.5}, "filters.maxP99Ms"),
])
def test_an_unknown_facet_value_is_a_typed_error(client: TestClient, filter: dict[str, Any], field: str) -> None:
    r = gql(client, "query($f: ModelFilter) { models(filter: $f) { totalCount } }", {"f": filter})
    assert r.status_code == 200, r.text
    [error] = r.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, error
    assert str(next(iter(filter.values()))) in error["message"]


@pytest.mark.parametrize("filter", [{}, {"task": "b-tagging"}, {"dataType": "simulation"}, {"maxP99Ms": 2.5},
                                    {"framework": "onnx", "maxP99Ms": 10.0}])
def test_facet_counts_with_latency_are_narrowed_by_the_other_filters(client: TestClient, filter: dict[str, Any]) -> None:
    from tests.test_graphql_facet_counts import check_narrowed

    facets = check_narrowed(client, filter)
    if not filter:  # the budgets counted from the recorded runs, not from the list only
        assert facets["maxP99Ms"] == {f"{b:g}": len(within(b)) for b in (0.5, 1.0, 2.5, 10.0)}
