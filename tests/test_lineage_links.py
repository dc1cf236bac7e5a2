"""Issue 4's gaps on the real Neo4j: model-version filters detector / format / text, and the
linkLineage mutation (lineage found after registration): idempotent, cycles and unknown ids refused."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.errors import Conflict
from graphcat.service import catalog, lineage_links
from graphcat.store.database import Database
from tests.graphql_helpers import gql, token


def version(v: str, **extra: Any) -> dict[str, Any]:
    return {"version": v, "framework": "pytorch", "format": "torchscript", **extra}


def lineage_catalog() -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "experiments": [{"id": "cms", "name": "CMS"}, {"id": "atlas", "name": "ATLAS"}],
        "detectors": [{"id": "cms-detector", "name": "CMS detector", "experiment": "cms"},
                      {"id": "atlas-detector", "name": "ATLAS detector", "experiment": "atlas"}],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
        "datasets": [
            {"id": "cms-jets", "name": "CMS jets", "versions": [{"version": "1", "simulated_with": ["cms-detector"]},
                                                               {"version": "2", "simulated_with": ["cms-detector"]}]},
            {"id": "atlas-jets", "name": "ATLAS jets", "versions": [{"version": "1", "recorded_with": ["atlas-detector"]}]},
        ],
        "models": [
            {"id": "tagger", "name": "Graph tagger", "tasks": ["jet-tagging"], "tags": ["gnn"],
             "description": "An edge-convolution network on constituents.",
             "versions": [version("1.0", trained_on=["cms-jets@1"]),
                          version("1.1", trained_on=["cms-jets@1"], format="onnx", description="Exported for Triton."),
                          version("2.0", trained_on=["atlas-jets@1"])]},
            {"id": "bdt", "name": "Boosted trees", "tasks": ["jet-tagging"],
             "versions": [{"version": "0.1", "framework": "xgboost", "format": "other", "trained_on": ["atlas-jets@1"]}]},
        ],
    }


@pytest.fixture()
def client(db: Database) -> Iterator[TestClient]:
    import_documents(db, [("lineage", lineage_catalog())])
    with TestClient(create_app(db.settings)) as c:
        yield c


VERSIONS = """query ($filter: ModelVersionFilter) {
  modelVersions(filter: $filter, first: 50) { totalCount edges { node { id } } }
}"""


def listed(client: TestClient, **filter: Any) -> list[str]:
    body = gql(client, VERSIONS, {"filter": filter}).json()
    assert "errors" not in body, body
    found = body["data"]["modelVersions"]
    assert found["totalCount"] == len(found["edges"])
    return sorted(e["node"]["id"].partition(":")[2] for e in found["edges"])


def test_filter_by_detector_format_and_text(client: TestClient) -> None:
    assert listed(client, detector="detector:cms-detector") == ["tagger@1.0", "tagger@1.1"]
    assert listed(client, detector="detector:atlas-detector") == ["bdt@0.1", "tagger@2.0"]
    assert listed(client, format="onnx") == ["tagger@1.1"]
    assert listed(client, text="TRITON") == ["tagger@1.1"]  # the version's description, any case
    assert listed(client, text="edge-convolution") == ["tagger@1.0", "tagger@1.1", "tagger@2.0"]  # the model's
    assert listed(client, text="gnn", detector="detector:atlas-detector") == ["tagger@2.0"]  # filters combine
    assert listed(client, text="no such words") == []


def test_service_refuses_unknown_filters(db: Database) -> None:
    from graphcat.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown filter"):
        catalog.list_model_versions(db, {"detectr": "x"})


LINK = """mutation ($from: ID!, $to: ID!, $type: LineageLinkType!) {
  linkLineage(from: $from, to: $to, type: $type) {
    __typename
    ... on LineageLink { type from to created }
    ... on UserError { code field message }
  }
}"""

UPSTREAM = """query ($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 3) { edges { type from to } } }"""


def link(client: TestClient, writer: str, source: str, target: str, kind: str) -> dict[str, Any]:
    body = gql(client, LINK, {"from": source, "to": target, "type": kind}, token=writer).json()
    assert "errors" not in body, body
    return body["data"]["linkLineage"]


def test_link_lineage_is_idempotent_and_visible_in_the_lineage(client: TestClient, db: Database) -> None:
    writer = token(db, "writer")
    first = link(client, writer, "model_version:tagger@1.1", "model_version:tagger@1.0", "CONVERTED_FROM")
    assert first == {"__typename": "LineageLink", "type": "CONVERTED_FROM", "from": "model_version:tagger@1.1",
                     "to": "model_version:tagger@1.0", "created": True}
    again = link(client, writer, "model_version:tagger@1.1", "model_version:tagger@1.0", "CONVERTED_FROM")
    assert again["created"] is False
    edges = gql(client, UPSTREAM, {"id": "model_version:tagger@1.1"}).json()["data"]["lineage"]["edges"]
    assert edges.count({"type": "CONVERTED_FROM", "from": "model_version:tagger@1.1", "to": "model_version:tagger@1.0"}) == 1

    derived = link(client, writer, "dataset_version:cms-jets@2", "dataset_version:cms-jets@1", "DERIVED_FROM")
    assert derived["created"] is True


def test_link_lineage_refuses_cycles_unknown_ids_and_wrong_kinds(client: TestClient, db: Database) -> None:
    writer = token(db, "writer")
    link(client, writer, "model_version:tagger@1.1", "model_version:tagger@1.0", "FINE_TUNED_FROM")
    link(client, writer, "model_version:tagger@2.0", "model_version:tagger@1.1", "FINE_TUNED_FROM")
    cycle = link(client, writer, "model_version:tagger@1.0", "model_version:tagger@2.0", "DISTILLED_FROM")
    assert cycle["__typename"] == "ConflictError"
    assert "tagger@1.0 -> tagger@2.0 -> tagger@1.1 -> tagger@1.0" in cycle["message"]
    itself = link(client, writer, "model_version:tagger@1.0", "model_version:tagger@1.0", "FINE_TUNED_FROM")
    assert itself["__typename"] == "ConflictError"

    unknown = link(client, writer, "model_version:tagger@9.9", "model_version:tagger@1.0", "FINE_TUNED_FROM")
    assert (unknown["__typename"], unknown["field"]) == ("NotFoundError", "from")
    kinds = link(client, writer, "model_version:tagger@1.0", "dataset_version:cms-jets@1", "FINE_TUNED_FROM")
    assert (kinds["__typename"], kinds["field"]) == ("InvalidInputError", "to")
    datasets = link(client, writer, "model_version:tagger@1.0", "model_version:bdt@0.1", "DERIVED_FROM")
    assert (datasets["__typename"], datasets["field"]) == ("InvalidInputError", "from")

    # Nothing of the refused links was written.
    edges = gql(client, UPSTREAM, {"id": "model_version:tagger@1.0"}).json()["data"]["lineage"]["edges"]
    assert [e for e in edges if e["type"] in lineage_links.LINK_KINDS] == []


def test_link_lineage_needs_a_writer_token(client: TestClient) -> None:
    response = gql(client, LINK, {"from": "model_version:tagger@1.1", "to": "model_version:tagger@1.0",
                                  "type": "FINE_TUNED_FROM"})
    assert response.status_code == 401


def test_service_cycle_through_dataset_derivations(db: Database) -> None:
    import_documents(db, [("lineage", lineage_catalog())])
    lineage_links.link_lineage(db, "dataset_version:cms-jets@2", "dataset_version:cms-jets@1", "DERIVED_FROM")
    with pytest.raises(Conflict, match="cycle"):
        lineage_links.link_lineage(db, "dataset_version:cms-jets@1", "dataset_version:cms-jets@2", "DERIVED_FROM")
