"""`metricHistory`, `alerts` and `setMonitorThreshold` over HTTP on the real Neo4j."""

from __future__ import annotations

from typing import Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphql_helpers import client_for, gql, token
from test_monitoring import catalog_doc

HISTORY = """query($alias: String, $mv: ID, $dataset: ID) {
  metricHistory(alias: $alias, modelVersion: $mv, metric: "auc", dataset: $dataset) {
    modelVersion aliases dataset metric state band { low source } points { datasetVersion value time runPeriod measured }
  }
}"""

HISTORY_ALL = """query($mv: ID) { metricHistory(modelVersion: $mv) { dataset metric } }"""

ALERTS = """query($first: Int!, $after: String, $all: Boolean!) {
  alerts(first: $first, after: $after, all: $all) {
    totalCount alertCount
    edges { cursor node { key state reason band { low high source } newest { datasetVersion value }
                          series { modelVersion dataset metric } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

SET = """mutation($min: Float, $max: Float) {
  setMonitorThreshold(alias: "tagger@production", metric: "auc", min: $min, max: $max) {
    __typename ... on MonitorBand { low high source } ... on InvalidInputError { message }
  }
}"""


@pytest.fixture()
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    catalog.register(db, catalog_doc())
    yield from client_for(settings)


def data(response, name: str):  # type: ignore[no-untyped-def]
    body = response.json()
    assert "errors" not in body, body
    return body["data"][name]


def test_history_by_alias_and_by_version(client: TestClient) -> None:
    series = data(gql(client, HISTORY, {"alias": "tagger@production", "dataset": "dataset:run3-jets"}), "metricHistory")
    assert len(series) == 1 and series[0]["aliases"] == ["production"]
    assert [p["runPeriod"] for p in series[0]["points"]] == ["2022", "2023", "2024"]
    assert [p["value"] for p in series[0]["points"]] == pytest.approx([0.93, 0.92, 0.86])
    assert series[0]["points"][-1]["time"] == "2025-02-01T08:00:00Z" and not series[0]["points"][-1]["measured"]
    assert series[0]["state"] == "UNKNOWN" and series[0]["band"] is None
    by_version = data(gql(client, HISTORY, {"mv": "model_version:tagger@1.0.0"}), "metricHistory")
    assert [s["dataset"] for s in by_version] == ["dataset:mc-jets", "dataset:run3-jets"]
    every = data(gql(client, HISTORY_ALL, {"mv": "model_version:tagger@1.0.0"}), "metricHistory")
    assert [(s["dataset"], s["metric"]) for s in every] == [
        ("dataset:mc-jets", "auc"), ("dataset:run3-jets", "accuracy"), ("dataset:run3-jets", "auc")]
    both = gql(client, HISTORY, {"alias": "tagger@production", "mv": "model_version:tagger@1.0.0"}).json()
    assert "exactly one" in both["errors"][0]["message"]


def test_alerts_after_a_threshold_paged(db: Database, client: TestClient) -> None:
    none = data(gql(client, ALERTS, {"first": 5, "all": False}), "alerts")
    assert none["totalCount"] == 0 and none["alertCount"] == 0
    refused = gql(client, SET, {"min": 0.9})
    assert refused.status_code in (401, 403)  # a writer token is needed
    writer = token(db, "writer")
    bad = data(gql(client, SET, {"min": 0.95, "max": 0.9}, token=writer), "setMonitorThreshold")
    assert bad["__typename"] == "InvalidInputError" and "above max" in bad["message"]
    band = data(gql(client, SET, {"min": 0.9}, token=writer), "setMonitorThreshold")
    assert band == {"__typename": "MonitorBand", "low": 0.9, "high": None, "source": "threshold tagger@production"}
    got = data(gql(client, ALERTS, {"first": 5, "all": False}), "alerts")
    assert got["totalCount"] == 1 and got["alertCount"] == 1
    node = got["edges"][0]["node"]
    assert node["state"] == "ALERT" and node["newest"] == {"datasetVersion": "dataset_version:run3-jets@2024", "value": 0.86}
    assert node["band"]["low"] == 0.9 and "below" in node["reason"]
    assert node["series"] == {"modelVersion": "model_version:tagger@1.0.0", "dataset": "dataset:run3-jets", "metric": "auc"}
    everything = data(gql(client, ALERTS, {"first": 2, "all": True}), "alerts")
    assert everything["totalCount"] == 3 and everything["pageInfo"]["hasNextPage"]
    assert [e["node"]["state"] for e in everything["edges"]] == ["ALERT", "UNKNOWN"]
    rest = data(gql(client, ALERTS, {"first": 2, "all": True, "after": everything["pageInfo"]["endCursor"]}), "alerts")
    assert [e["node"]["state"] for e in rest["edges"]] == ["OK"] and not rest["pageInfo"]["hasNextPage"]
