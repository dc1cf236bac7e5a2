"""The catalog over GraphQL against the real Neo4j: node, connections, lineage, mutations, no N+1."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, gql, token


def small_catalog(versions: int = 3) -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "experiments": [{"id": "cms", "name": "CMS"}],
        "detectors": [{"id": "cms-detector", "name": "CMS detector", "experiment": "cms"}],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}, {"id": "b-tagging", "name": "b-tagging", "parent": "jet-tagging"}],
        "datasets": [{
            "id": "jets", "name": "Jets", "tasks": ["jet-tagging"],
            "versions": [{"version": "1.0", "format": "hdf5", "data_type": "simulation", "simulated_with": ["cms-detector"]}],
        }],
        "models": [
            {
                "id": f"tagger-{i:03d}", "name": f"Tagger {i}", "tasks": ["b-tagging" if i % 2 else "jet-tagging"],
                "tags": ["gnn"],
                "versions": [{
                    "version": "1.0.0", "framework": "pytorch" if i % 2 else "onnx", "format": "onnx",
                    "trained_on": ["jets@1.0"],
                    "evaluations": [{"dataset": "jets@1.0", "metric": "auc", "value": 0.9 + i / 10_000}],
                }],
            }
            for i in range(versions)
        ],
    }


@pytest.fixture()
def client(neo4j_server: Settings, db: Database) -> Iterator[TestClient]:
    yield from client_for(neo4j_server)


PAGE = """
query Page($first: Int, $after: String, $filter: ModelVersionFilter) {
  modelVersions(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id version framework
      model { name } tasks { slug } evaluations { metric value dataset { id } }
      datasets { id format detectors { id name } } } }
  }
}"""


def test_a_page_of_100_versions_with_everything_nested_costs_at_most_3_queries(client: TestClient, db: Database) -> None:
    catalog.register(db, small_catalog(120))
    r = gql(client, PAGE, {"first": 100})
    assert r.status_code == 200, r.text
    body = r.json()["data"]["modelVersions"]
    assert body["totalCount"] == 120 and len(body["edges"]) == 100 and body["pageInfo"]["hasNextPage"]
    first = body["edges"][0]["node"]
    assert first["datasets"] == [{"id": "dataset_version:jets@1.0", "format": "hdf5",
                                  "detectors": [{"id": "detector:cms-detector", "name": "CMS detector"}]}]
    assert first["evaluations"][0]["dataset"]["id"] == "dataset_version:jets@1.0"
    assert first["tasks"] and first["model"]["name"].startswith("Tagger")
    # The page, its nested loaders, and the total: a separate count query, run only when asked.
    assert int(r.headers["x-graphcat-queries"]) <= 4, r.headers["x-graphcat-queries"]
    untotalled = gql(client, PAGE.replace("totalCount", ""), {"first": 100})
    assert int(untotalled.headers["x-graphcat-queries"]) <= 3, untotalled.headers["x-graphcat-queries"]
    assert untotalled.json()["data"]["modelVersions"]["edges"] == body["edges"]
    # The rest of the catalog, from the cursor.
    rest = gql(client, PAGE, {"first": 100, "after": body["pageInfo"]["endCursor"]}).json()["data"]["modelVersions"]
    assert len(rest["edges"]) == 20 and not rest["pageInfo"]["hasNextPage"]
    seen = {e["node"]["id"] for e in body["edges"]} | {e["node"]["id"] for e in rest["edges"]}
    assert len(seen) == 120


def test_filters_and_page_size_limit(client: TestClient, db: Database) -> None:
    catalog.register(db, small_catalog(6))
    onnx = gql(client, PAGE, {"filter": {"framework": "onnx"}}).json()["data"]["modelVersions"]
    assert onnx["totalCount"] == 3 and {e["node"]["framework"] for e in onnx["edges"]} == {"onnx"}
    # A task filter matches its subtasks too.
    jets = gql(client, PAGE, {"filter": {"task": "task:jet-tagging"}}).json()["data"]["modelVersions"]
    assert jets["totalCount"] == 6
    b_only = gql(client, PAGE, {"filter": {"task": "task:b-tagging"}}).json()["data"]["modelVersions"]
    assert b_only["totalCount"] == 3
    # The bare id names the same task as its uid; a name the catalog lacks is an error, not an empty page.
    bare = gql(client, PAGE, {"filter": {"task": "b-tagging"}}).json()["data"]["modelVersions"]
    assert bare == b_only
    misspelt = gql(client, PAGE, {"filter": {"task": "b-taging"}}).json()
    assert misspelt["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "filters.task"}
    assert "unknown task 'b-taging'" in misspelt["errors"][0]["message"]
    unknown_detector = gql(client, PAGE, {"filter": {"detector": "detector:lhcb"}}).json()
    assert unknown_detector["errors"][0]["extensions"]["field"] == "filters.detector"
    too_big = gql(client, PAGE, {"first": 101})
    error = too_big.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}


def test_node_refetches_by_global_id(client: TestClient, db: Database) -> None:
    catalog.register(db, small_catalog(1))
    q = '{ node(id: "model_version:tagger-000@1.0.0") { __typename id ... on ModelVersion { version } } missing: node(id: "model:nope") { id } }'
    data = gql(client, q).json()["data"]
    assert data["node"] == {"__typename": "ModelVersion", "id": "model_version:tagger-000@1.0.0", "version": "1.0.0"}
    assert data["missing"] is None


def test_lineage_path_and_impact(client: TestClient, db: Database) -> None:
    catalog.register(db, small_catalog(2))
    up = gql(client, '{ lineage(id: "model_version:tagger-000@1.0.0", direction: UPSTREAM) { nodes { id kind depth } edges { type from to } } }')
    graph = up.json()["data"]["lineage"]
    assert {"type": "TRAINED_ON", "from": "model_version:tagger-000@1.0.0", "to": "dataset_version:jets@1.0"} in graph["edges"]
    assert {"id": "dataset_version:jets@1.0", "kind": "dataset_version", "depth": 1} in graph["nodes"]
    path = gql(client, '{ path(from: "model_version:tagger-000@1.0.0", to: "detector:cms-detector") { nodes { id } edges { type } } }')
    assert [e["type"] for e in path.json()["data"]["path"]["edges"]] == ["TRAINED_ON", "SIMULATED_WITH"]
    impact = gql(client, '{ impact(id: "dataset_version:jets@1.0") { modelVersions { id } evaluations { id } } }').json()["data"]["impact"]
    assert {n["id"] for n in impact["modelVersions"]} == {"model_version:tagger-000@1.0.0", "model_version:tagger-001@1.0.0"}
    too_deep = gql(client, '{ lineage(id: "model_version:tagger-000@1.0.0", depth: 99) { nodes { id } } }')
    assert too_deep.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


REGISTER = """
mutation Register($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) {
    __typename
    ... on ModelVersion { id version datasets { id } }
    ... on UserError { message field code }
  }
}"""


def test_mutations_register_evaluate_alias_deprecate(client: TestClient, db: Database) -> None:
    catalog.register(db, small_catalog(1))
    writer, admin = token(db, "writer"), token(db, "admin")
    new = {"model": "fresh-tagger", "modelName": "Fresh tagger", "tasks": ["jet-tagging"], "version": "0.1.0",
           "framework": "pytorch", "format": "onnx", "trainedOn": ["dataset_version:jets@1.0"],
           "lineage": [{"type": "FINE_TUNED_FROM", "from": "model_version:tagger-000@1.0.0"}]}
    r = gql(client, REGISTER, {"input": new}, token=writer)
    assert r.status_code == 200, r.text
    created = r.json()["data"]["registerModelVersion"]
    assert created == {"__typename": "ModelVersion", "id": "model_version:fresh-tagger@0.1.0", "version": "0.1.0",
                       "datasets": [{"id": "dataset_version:jets@1.0"}]}
    bad = gql(client, REGISTER, {"input": {**new, "version": "0.2.0", "framework": "fortran"}}, token=writer)
    error = bad.json()["data"]["registerModelVersion"]
    assert error["__typename"] == "InvalidInputError" and error["field"] and "framework" in error["field"]

    evaluation = gql(client, """mutation { recordEvaluation(input: {modelVersion: "model_version:fresh-tagger@0.1.0",
        dataset: "dataset_version:jets@1.0", metric: "auc", value: 0.97}) { __typename ... on Evaluation { metric value } } }""", token=writer)
    assert evaluation.json()["data"]["recordEvaluation"] == {"__typename": "Evaluation", "metric": "auc", "value": 0.97}
    alias = gql(client, 'mutation { setAlias(modelVersion: "model_version:fresh-tagger@0.1.0", alias: "production") { ... on ModelVersion { aliases } } }', token=writer)
    assert alias.json()["data"]["setAlias"] == {"aliases": ["production"]}
    missing = gql(client, 'mutation { setAlias(modelVersion: "model_version:nope@1", alias: "x") { __typename ... on UserError { field } } }', token=writer)
    assert missing.json()["data"]["setAlias"]["__typename"] == "NotFoundError"

    deprecate = 'mutation { deprecate(modelVersion: "model_version:fresh-tagger@0.1.0", reason: "superseded") { ... on ModelVersion { deprecated deprecationReason } } }'
    assert gql(client, deprecate, token=writer).status_code == 403  # deprecation is for admins
    done = gql(client, deprecate, token=admin).json()["data"]["deprecate"]
    assert done == {"deprecated": True, "deprecationReason": "superseded"}


def test_register_experiment_and_detector(client: TestClient, db: Database) -> None:
    writer = token(db, "writer")
    r = gql(client, 'mutation { registerExperiment(input: {id: "atlas", name: "ATLAS"}) { ... on Experiment { id name } } }', token=writer)
    assert r.json()["data"]["registerExperiment"] == {"id": "experiment:atlas", "name": "ATLAS"}
    d = gql(client, 'mutation { registerDetector(input: {id: "atlas-detector", name: "ATLAS detector", experiment: "experiment:atlas"}) { __typename ... on Detector { id } } }', token=writer)
    assert d.json()["data"]["registerDetector"] == {"__typename": "Detector", "id": "detector:atlas-detector"}
