"""The search box's GraphQL query against the real Neo4j: ranking, kinds, facets and filters."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.store.database import Database
from tests.web_catalog import small_catalog

QUERY = """query ($text: String!, $kinds: [String!], $filters: SearchFilters, $first: Int) {
  search(text: $text, kinds: $kinds, filters: $filters, first: $first) {
    total hits { uid kind label score tasks experiments detectors frameworks }
    facets { name values { value count } }
  }
}"""


@pytest.fixture()
def client(db: Database) -> Any:
    import_documents(db, [("small", small_catalog())])
    with TestClient(create_app(db.settings)) as c:
        yield c


def run(client: TestClient, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": QUERY, "variables": variables}).json()
    assert "errors" not in body, body
    return body["data"]["search"]


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for f in result["facets"] if f["name"] == name for v in f["values"]}


def test_name_matches_rank_first_and_versions_follow_their_family(client: TestClient) -> None:
    result = run(client, text="JetClassifier")
    uids = [h["uid"] for h in result["hits"]]
    assert uids[0] == "model:jetclassifier"
    assert {"model_version:jetclassifier@1.0.0", "model_version:jetclassifier@1.1.0"} <= set(uids)
    assert result["total"] == len(uids)


def test_hits_carry_facets_from_the_graph(client: TestClient) -> None:
    hit = next(h for h in run(client, text="jetclassifier@1.0.0")["hits"] if h["kind"] == "model_version")
    assert hit["tasks"] == ["jet-tagging"]
    assert hit["detectors"] == ["cms-detector"]
    assert hit["experiments"] == ["cms"]
    assert hit["frameworks"] == ["pytorch"]


def test_facet_filter_narrows_hits_but_keeps_other_values_counted(client: TestClient) -> None:
    everything = run(client, text="", kinds=["model_version"])
    assert everything["total"] == 3
    assert facet(everything, "framework") == {"pytorch": 2, "xgboost": 1}
    filtered = run(client, text="", kinds=["model_version"], filters={"framework": "xgboost"})
    assert [h["uid"] for h in filtered["hits"]] == ["model_version:btagger-bdt@0.9.0"]
    assert facet(filtered, "framework") == {"pytorch": 2, "xgboost": 1}
    assert facet(filtered, "experiment") == {"atlas": 1}


def test_description_text_and_first(client: TestClient) -> None:
    result = run(client, text="decision trees", first=1)
    assert [h["uid"] for h in result["hits"]] == ["model:btagger-bdt"]
    assert result["hits"][0]["score"] < 0.5  # matched in prose, not the name
    assert run(client, text="no such thing anywhere")["total"] == 0


def test_unknown_kind_is_a_clear_error(client: TestClient) -> None:
    body = client.post("/graphql", json={"query": QUERY, "variables": {"text": "x", "kinds": ["modle"]}}).json()
    assert "unknown kind 'modle'" in body["errors"][0]["message"]
