"""`modelFacets(filter)`: the model list's facet counts, each narrowed by the other selected facets
(as on the Hugging Face Hub), on the real Neo4j with the demo catalog. Every count is checked
against the list itself: choosing that value (the other filters kept) lists exactly that many
models, and a value the facets leave out lists none. One query, whatever the facets."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graphcat import domain
from graphcat.service import browse
from graphcat.store.database import Database
from tests.graphql_helpers import gql
from tests.test_graphql_browse import client, data, demo, errors_of  # noqa: F401 (fixtures)

FACETS_QUERY = """query($f: ModelFilter, $b: [Float!]) { modelFacets(filter: $f, latencyBudgets: $b) {
  totalCount facets { name values { value count } } } }"""
SUMMARY = "{ catalogSummary { tasks { task { id } } experiments { experiment { id } } frameworks { framework } aliases { alias } } }"
BUDGETS = [0.5, 1.0, 2.5, 10.0]


def total(client: TestClient, filter: dict[str, Any]) -> int:
    r = gql(client, "query($f: ModelFilter) { models(filter: $f) { totalCount } }", {"f": filter})
    return int(data(r)["models"]["totalCount"])


def check_narrowed(client: TestClient, filter: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Every facet value's count equals the list's total with that value chosen (the other filters
    kept); every candidate value left out lists nothing. Returns the facets read."""
    found = data(gql(client, FACETS_QUERY, {"f": filter, "b": BUDGETS}))["modelFacets"]
    assert found["totalCount"] == total(client, filter)
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in found["facets"]}
    s = data(gql(client, SUMMARY))["catalogSummary"]
    candidates = {"task": [t["task"]["id"] for t in s["tasks"]], "experiment": [e["experiment"]["id"] for e in s["experiments"]],
                  "framework": [f["framework"] for f in s["frameworks"] if f["framework"]], "dataType": ["data", "simulation"],
                  "alias": [a["alias"] for a in s["aliases"]], "maxP99Ms": [f"{b:g}" for b in BUDGETS]}
    assert set(facets) == set(candidates)
    for name, values in candidates.items():
        assert set(facets[name]) <= set(values), name
        for value in values:
            chosen = {**filter, name: float(value) if name == "maxP99Ms" else value}
            if name == "alias":
                chosen.pop("hasAlias", None)  # the alias facet is not narrowed by hasAlias
            assert facets[name].get(value, 0) == total(client, chosen), (filter, name, value)
        counts = list(facets[name].values())
        if name != "maxP99Ms":
            assert counts == sorted(counts, reverse=True) and 0 not in counts, (name, counts)
    return facets


def test_without_filters_the_counts_are_the_catalog(client: TestClient, demo: dict[str, Any]) -> None:
    facets = check_narrowed(client, {})
    frameworks = {f: sum(any(v.get("framework") == f for v in m["versions"]) for m in demo["models"])
                  for m in demo["models"] for v in m["versions"] if (f := v.get("framework"))}
    assert facets["framework"] == frameworks


def test_choosing_a_task_narrows_the_other_facets(client: TestClient, demo: dict[str, Any]) -> None:
    everything = check_narrowed(client, {})
    jets = check_narrowed(client, {"task": "jet-tagging"})
    # narrowed, not the catalog's counts: some experiment or framework has fewer models within jet tagging
    assert any(jets[f].get(v, 0) < c for f in ("experiment", "framework") for v, c in everything[f].items())
    # and the task facet itself is not narrowed by the task chosen (every other task can still be picked)
    assert jets["task"] == everything["task"]


@pytest.mark.parametrize("filter", [
    {"task": "jet-tagging", "framework": "pytorch"},
    {"dataType": "simulation", "hasAlias": True},
    {"alias": "production", "experiment": "cms"},
    {"task": "jet-tagging", "dataType": "data", "alias": "staging", "owner": None},  # a null filter is no filter
])
def test_combined_filters_narrow_every_facet(client: TestClient, filter: dict[str, Any]) -> None:
    check_narrowed(client, {k: v for k, v in filter.items() if v is not None})


def test_the_counts_are_one_query(session_db: Database, client: TestClient) -> None:
    calls: list[str] = []
    read = session_db.read

    def counting(name: str, /, **params: Any) -> list[dict[str, Any]]:
        calls.append(name)
        return read(name, **params)

    session_db.read = counting  # type: ignore[method-assign]
    try:
        found = browse.model_facets(session_db, {"task": "jet-tagging", "framework": "pytorch", "dataType": None})
    finally:
        del session_db.read
    assert calls == ["catalog/nodes_by_uid", "browse/model_facets"]  # the task's lookup, then every count at once
    assert found.counts["task"] and found.total > 0
    assert domain.uid("task", "jet-tagging") in dict(found.counts["task"])


@pytest.mark.parametrize("variables,field", [
    ({"f": {"dataType": "montecarlo"}}, "filters.dataType"),
    ({"f": {"task": "no-such-task"}}, "filters.task"),
    ({"f": {"alias": "Prod uction"}}, "filters.alias"),
    ({"b": [1.0, -2.0]}, "latencyBudgets[1]"),
    ({"b": [1.0] * 21}, "latencyBudgets"),
])
def test_bad_facet_input_is_a_typed_error(client: TestClient, variables: dict[str, Any], field: str) -> None:
    [error] = errors_of(gql(client, FACETS_QUERY, variables))
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, error
