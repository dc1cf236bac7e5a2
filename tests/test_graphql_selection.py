"""Selection-aware neighbour reads (graphcat/api/types/selection.py): a nested list that asks for a
few fields fetches only the stored keys they read, and answers exactly what whole nodes answer.
Against the real Neo4j, through the real /graphql route."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient
from strawberry.types.nodes import SelectedField

from graphcat.api.types.selection import STORED, stored_keys
from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store import catalog as catalog_store
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, gql
from tests.test_graphql_entities import full_catalog

# Sub-selections of the object-valued stored fields.
SUB = {
    "artifact": "{ uri sha256 }",
    "hyperparameters": "{ learningRate batchSize epochs optimizer extra }",
    "reproducibility": "{ codeRepository commit environment trainingConfig seed }",
    "conditions": "{ sqrtSTev pileupMean runPeriod generator tune detectorSimulation kinematicRange "
                  "parameters { name value } }",
}
# Resolved fields that need a stored key the client never names (selection.SKELETON).
HIDDEN = {
    "ModelVersion": "owner { id name } publications { id } model { id } datasets { id }",
    "DatasetVersion": "dataset { id name } features { id position }",
    "Evaluation": "dataset { id version } modelVersion { id version }",
}
# (type, parent id, the parent's field that lists neighbours of that type)
PATHS = [
    ("ModelVersion", "dataset_version:top@1.1", "trainedModels"),
    ("DatasetVersion", "detector:cms-detector", "datasetVersions"),
    ("Model", "task:top-tagging", "models"),
    ("Dataset", "task:top-tagging", "datasets"),
    ("Task", "model:particlenet", "tasks"),
    ("Experiment", "detector:cms-detector", "experiment"),
    ("Detector", "experiment:cms", "detectors"),
    ("Owner", "model:particlenet", "owner"),
    ("Publication", "model:particlenet", "publications"),
    ("Evaluation", "dataset_version:top@1.1", "evaluations"),
]
PARENT_TYPE = {"dataset_version": "DatasetVersion", "detector": "Detector", "task": "Task", "model": "Model",
               "experiment": "Experiment"}


def every_stored_field(type_name: str) -> str:
    """Every field of the type that reads a stored key, plus its hidden-key resolvers."""
    fields = ["__typename", "id", "slug", "display"]
    fields += [f"{name} {SUB.get(name, '')}".strip() for name, keys in STORED[type_name].items() if keys]
    return " ".join(fields) + " " + HIDDEN.get(type_name, "")


@pytest.fixture()
def client(neo4j_server: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    import_documents(db, [("full", full_catalog())])
    yield from client_for(neo4j_server, index_dir=str(tmp_path / "index"))


@pytest.fixture()
def partial_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The uids of the nodes built from some of their keys during the test."""
    built: list[str] = []
    original = catalog_store.partial_domain

    def spy(keys: Any, values: Any) -> Any:
        node = original(keys, values)
        built.append(node.uid)
        return node

    monkeypatch.setattr(catalog_store, "partial_domain", spy)
    return built


@pytest.mark.parametrize(("type_name", "parent", "field"), PATHS, ids=[p[0] for p in PATHS])
def test_a_lean_read_answers_what_whole_nodes_answer(client: TestClient, partial_reads: list[str], type_name: str,
                                                     parent: str, field: str) -> None:
    selection = every_stored_field(type_name)
    r = gql(client, f"query ($id: ID!) {{ node(id: $id) {{ ... on {PARENT_TYPE[parent.split(':')[0]]} {{ "
                    f"{field} {{ {selection} }} }} }} }}", {"id": parent})
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    found = r.json()["data"]["node"][field]
    lean = found if isinstance(found, list) else [found]
    assert lean and all(item is not None for item in lean), r.text
    assert {item["id"] for item in lean} <= set(partial_reads), "the list was not read through the lean path"
    for item in lean:  # node(id:) reads the whole node through the `node` loader
        whole = gql(client, f"query ($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {selection} }} }} }}",
                    {"id": item["id"]})
        assert whole.status_code == 200 and "errors" not in whole.json(), whole.text
        assert item == whole.json()["data"]["node"]


def test_partial_nodes_never_stand_in_for_whole_ones(client: TestClient, partial_reads: list[str]) -> None:
    # One request: the consumers by id only (partial), then the same versions' facts by two other
    # routes (the `node` loader, and an evaluation's modelVersion): those must be whole.
    r = gql(client, """{ a: node(id: "dataset_version:top@1.1") { ... on DatasetVersion { trainedModels { id }
                           evaluations { modelVersion { id version license } } } }
                         b: node(id: "model_version:particlenet@1.0.0") { ... on ModelVersion { version license framework } }
                         c: node(id: "dataset_version:top@1.1") { ... on DatasetVersion { trainedModels { id version framework } } } }""")
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    data = r.json()["data"]
    assert "model_version:particlenet@1.0.0" in partial_reads
    assert {m["id"] for m in data["a"]["trainedModels"]} == {"model_version:particlenet@1.0.0",
                                                            "model_version:particlenet@1.1.0"}
    assert data["a"]["evaluations"] == [{"modelVersion": {"id": "model_version:particlenet@1.0.0", "version": "1.0.0",
                                                          "license": "MIT"}}]
    assert data["b"] == {"version": "1.0.0", "license": "MIT", "framework": "pytorch"}
    assert sorted((m["version"], m["framework"]) for m in data["c"]["trainedModels"]) == [("1.0.0", "pytorch"),
                                                                                         ("1.1.0", "pytorch")]


def _field(name: str, selections: list[Any] | None = None) -> SelectedField:
    return SelectedField(name=name, directives={}, arguments={}, selections=selections or [])


class _Info:
    """What stored_keys reads of strawberry's Info: the current field's selection."""

    def __init__(self, *names: str) -> None:
        self.selected_fields = [_field("parent", [_field(n) for n in names])]


def test_an_unknown_field_or_type_fetches_whole_nodes() -> None:
    assert stored_keys(_Info("id", "version"), "ModelVersion") is not None
    assert "version" in (stored_keys(_Info("id", "version"), "ModelVersion") or ())
    assert stored_keys(_Info("id", "notAField"), "ModelVersion") is None
    assert stored_keys(_Info("id", "name"), "Feature") is None  # Feature has no table: whole nodes
    # Hidden needs come along whatever is asked: the owner of a version hangs off its model.
    assert {"uid", "kind", "id", "model_uid"} <= set(stored_keys(_Info("owner"), "ModelVersion") or ())


def test_a_partial_node_needs_its_identity() -> None:
    with pytest.raises(ValueError, match="uid, kind and id"):
        catalog_store.partial_domain(["uid", "kind"], ["model:m", "model"])


def test_records_convert_as_the_driver_would(db: Database) -> None:
    """database._plain (the fast path for lists, maps and scalars) equals neo4j's Record.data(),
    nodes, relationships and temporal values included."""
    from graphcat.store.database import _plain

    with db.driver.session(database=db.database) as session:
        records = list(session.run(
            "CREATE (a:Scratch {x: 1, tags: ['a', 'b']})-[r:TO {w: 0.5}]->(b:Scratch {when: datetime('2020-01-01T00:00Z')}) "
            "RETURN a, r, b, [a.x, {tags: a.tags, n: null, f: 1.5, ok: true, when: b.when}] AS mixed, "
            "[[a, b]] AS nested"))
        session.run("MATCH (n:Scratch) DETACH DELETE n").consume()
    assert records
    for record in records:
        assert {key: _plain(value) for key, value in record.items()} == record.data()
