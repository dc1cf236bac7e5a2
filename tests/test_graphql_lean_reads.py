"""The lean reads of issue 15: a page of model versions fetching only the keys its selection
reads, and `node(id:)` with the one list it asks for in one query (graphcat/api/types/prefetch.py).
Each answers exactly what whole nodes answer. Against the real Neo4j, through the real /graphql route."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graphcat.api.types.prefetch import LISTS, type_of_uid
from graphcat.store import catalog as catalog_store
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from tests import test_graphql_selection
from tests.graphql_helpers import gql
from tests.test_graphql_selection import every_stored_field


# the fixtures of the selection tests: the full catalog's client and the partial-node spy
client = test_graphql_selection.client
partial_reads = test_graphql_selection.partial_reads


def _ok(r: Any) -> dict[str, Any]:
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def test_a_lean_page_answers_what_whole_nodes_answer(client: TestClient, partial_reads: list[str]) -> None:
    selection = every_stored_field("ModelVersion")
    page = _ok(gql(client, f"{{ modelVersions(first: 50, filter: {{includeDeprecated: true}}) {{ totalCount "
                           f"edges {{ cursor node {{ {selection} }} }} }} }}"))["modelVersions"]
    nodes = [e["node"] for e in page["edges"]]
    assert len(nodes) == page["totalCount"] >= 2
    assert {n["id"] for n in nodes} <= set(partial_reads), "the page was not read through the lean path"
    for item in nodes:
        whole = _ok(gql(client, f"query ($id: ID!) {{ node(id: $id) {{ ... on ModelVersion {{ {selection} }} }} }}",
                        {"id": item["id"]}))
        assert item == whole["node"]


def test_a_page_asking_an_unknown_field_reads_whole_versions(client: TestClient, partial_reads: list[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from graphcat.api.types.selection import STORED

    monkeypatch.delitem(STORED["ModelVersion"], "deployment")  # as a field selection.py does not know
    page = _ok(gql(client, "{ modelVersions(first: 5) { edges { node { id deployment { onnxOpset } } } } }"))
    assert page["modelVersions"]["edges"] and partial_reads == []


@pytest.mark.parametrize(("uid", "field"), [("dataset_version:top@1.1", "trainedModels"),
                                            ("dataset_version:top@1.1", "evaluations"),
                                            ("detector:cms-detector", "datasetVersions"),
                                            ("task:top-tagging", "models")])
def test_node_and_its_one_list_come_in_one_query(client: TestClient, partial_reads: list[str], uid: str,
                                                 field: str) -> None:
    type_name = type_of_uid(uid)
    listed = LISTS[type_name][field][3]
    selection = every_stored_field(listed)
    fused = gql(client, f"query ($id: ID!) {{ node(id: $id) {{ id ... on {type_name} {{ {field} {{ {selection} }} }} }} }}",
                {"id": uid})
    # The same list next to a second LISTS field: not fused, the ordinary two-step read.
    other = next(name for name in (*LISTS[type_name], "id") if name != field)
    second = f"{other} {{ id }}" if other != "id" else ""
    plain = gql(client, f"query ($id: ID!) {{ node(id: $id) {{ id ... on {type_name} {{ {field} {{ {selection} }} "
                        f"{second} }} }} }}", {"id": uid})
    got, expected = _ok(fused)["node"], _ok(plain)["node"]
    assert got["id"] == uid and got[field], fused.text
    assert got[field] == expected[field]
    assert {item["id"] for item in got[field]} <= set(partial_reads)
    # node + list: one query; the nested resolvers of the listed items add their own, as without fusing
    if second:
        assert int(fused.headers["x-graphcat-queries"]) < int(plain.headers["x-graphcat-queries"])


def test_consumers_by_id_are_one_query(client: TestClient) -> None:
    r = gql(client, '{ node(id: "dataset_version:top@1.1") { ... on DatasetVersion { trainedModels { id } } } }')
    assert sorted(m["id"] for m in _ok(r)["node"]["trainedModels"]) == ["model_version:particlenet@1.0.0",
                                                                       "model_version:particlenet@1.1.0"]
    assert r.headers["x-graphcat-queries"] == "1"
    missing = gql(client, '{ node(id: "dataset_version:nope@1") { ... on DatasetVersion { trainedModels { id } } } }')
    assert _ok(missing)["node"] is None


def test_clearing_in_small_batches_leaves_only_bookkeeping(client: TestClient, db: Database) -> None:
    with db.driver.session(database=db.database) as session:
        assert session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"] > 20
        session.run("CREATE (:ApiToken {id: 'keep-me'})").consume()
    deleted = clear_catalog(db, batch=7)
    with db.driver.session(database=db.database) as session:
        assert session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"] == 0
        assert session.run("MATCH (n:Catalog) RETURN count(n) AS n").single()["n"] == 0
        assert session.run("MATCH (n:ApiToken {id: 'keep-me'}) RETURN count(n) AS n").single()["n"] == 1
        session.run("MATCH (n:ApiToken {id: 'keep-me'}) DELETE n").consume()
    assert deleted > 20
    with pytest.raises(ValueError, match="batch"):
        clear_catalog(db, batch=0)


@pytest.mark.parametrize("kind", ["model_version", "dataset_version", "model", "dataset", "task", "detector",
                                  "experiment", "evaluation", "feature", "owner", "publication"])
def test_a_partial_node_is_what_to_domain_makes_of_the_same_keys(kind: str) -> None:
    from collections import defaultdict

    from graphcat.api.types.selection import SKELETON, STORED

    type_name = "".join(p.title() for p in kind.split("_"))
    extra = sorted({k for keys in STORED.get(type_name, {}).values() for k in keys} - {"hp_extra", "condition_parameters"})
    keys = sorted(set(SKELETON) | set(extra))
    for present in (set(), set(extra[::2]), set(extra)):
        values = [{"uid": f"{kind}:x", "kind": kind, "id": "x", "name": "n", "owner_kind": "team", "value": 0.5,
                   "metric": "auc", "title": "t", "role": "input", "position": 0, "canonical": "c", "dtype": "f4",
                   "owner_uid": "model_version:m@1"}.get(k, ["a", "b"] if k in ("tags", "aliases", "authors")
                                                        else (f"v-{k}" if k in present else None)) for k in keys]
        got = catalog_store.partial_domain(keys, values)
        assert got == catalog_store.to_domain(defaultdict(lambda: None, zip(keys, values))), (kind, present)
