"""The models in use: versions carrying any alias (production, staging, champion...), on the real
Neo4j with the demo catalog. `models(filter: {alias, hasAlias})`, `modelVersions(filter: {alias,
hasAlias})` and `catalogSummary.aliases`, each compared with what the demo YAML says."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from starlette.testclient import TestClient

from graphcat import domain
from tests.graphql_helpers import gql
from tests.test_graphql_browse import client, data, demo, errors_of, walk  # noqa: F401 (fixtures)


def aliased(demo: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """alias -> the (model id, version) carrying it, from the YAML."""
    found: dict[str, list[tuple[str, str]]] = {}
    for m in demo["models"]:
        for v in m["versions"]:
            for a in v.get("aliases") or []:
                found.setdefault(a, []).append((m["id"], v["version"]))
    return found


def test_the_demo_has_more_than_one_alias(demo: dict[str, Any]) -> None:
    assert len(aliased(demo)) > 1  # production and staging at least: the grouping below means something


def test_catalog_summary_counts_every_alias(client: TestClient, demo: dict[str, Any]) -> None:
    got = data(gql(client, "{ catalogSummary { aliases { alias modelVersions } } }"))["catalogSummary"]["aliases"]
    want = Counter({a: len(vs) for a, vs in aliased(demo).items()})
    assert {r["alias"]: r["modelVersions"] for r in got} == dict(want)
    assert [r["modelVersions"] for r in got] == sorted(want.values(), reverse=True)


def test_models_by_alias_and_has_alias(client: TestClient, demo: dict[str, Any]) -> None:
    by_alias = aliased(demo)
    everything = sorted(domain.uid("model", m["id"]) for m in demo["models"])
    in_use: set[str] = set()
    for alias, versions in by_alias.items():
        want = sorted({domain.uid("model", m) for m, _ in versions})
        assert walk(client, "models", 3, {"alias": alias}) == want, alias
        in_use |= set(want)
    assert 0 < len(in_use) < len(everything)
    assert walk(client, "models", 4, {"hasAlias": True}) == sorted(in_use)
    assert walk(client, "models", 4, {"hasAlias": False}) == sorted(set(everything) - in_use)
    # combined with another facet: the production models of one task tree
    task = next(t for m in demo["models"] if domain.uid("model", m["id"]) in in_use for t in m.get("tasks") or [])
    tree = [m for m in demo["models"] if task in (m.get("tasks") or [])]
    both = walk(client, "models", 5, {"hasAlias": True, "task": task})
    assert set(both) <= {domain.uid("model", m["id"]) for m in tree} & in_use and both


def test_model_versions_by_has_alias(client: TestClient, demo: dict[str, Any]) -> None:
    query = """query($f: ModelVersionFilter) { modelVersions(filter: $f, first: 100) { totalCount edges { node { id aliases } } } }"""
    found = data(gql(client, query, {"f": {"hasAlias": True, "includeDeprecated": True}}))["modelVersions"]
    want = sorted(domain.uid("model_version", f"{m}@{v}") for vs in aliased(demo).values() for m, v in vs)
    assert sorted(e["node"]["id"] for e in found["edges"]) == want and found["totalCount"] == len(want)
    assert all(e["node"]["aliases"] for e in found["edges"])
    without = data(gql(client, query, {"f": {"hasAlias": False, "includeDeprecated": True}}))["modelVersions"]
    total = sum(len(m["versions"]) for m in demo["models"])
    assert without["totalCount"] == total - len(want) and not any(e["node"]["aliases"] for e in without["edges"])


@pytest.mark.parametrize("filter,field,named", [
    ({"alias": "Production!"}, "filters.alias", "Production!"),
    ({"alias": ""}, "filters.alias", "''"),
    ({"alias": "production", "hasAlias": False}, "filters.hasAlias", "production"),
])
def test_a_bad_alias_filter_is_a_typed_error(client: TestClient, filter: dict[str, Any], field: str, named: str) -> None:
    r = gql(client, "query($f: ModelFilter) { models(filter: $f) { totalCount } }", {"f": filter})
    [error] = errors_of(r)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, error
    assert named in error["message"]


def test_an_alias_nobody_carries_is_an_empty_list(client: TestClient) -> None:
    found = data(gql(client, '{ models(filter: {alias: "no-such-alias"}) { totalCount edges { node { id } } } }'))["models"]
    assert found == {"totalCount": 0, "edges": []}
