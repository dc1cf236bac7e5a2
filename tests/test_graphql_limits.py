"""Depth, token and alias limits over HTTP, including alias bombs hidden behind fragments."""

from __future__ import annotations

import dataclasses

from graphql import get_introspection_query, parse
from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.api.limits import measure
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import GRAPHQL_RESPONSE, gql


def limited(settings: Settings, **limits: int) -> TestClient:
    return TestClient(create_app(dataclasses.replace(settings, **limits)))


def messages(body: dict[str, object]) -> str:
    return " ".join(e["message"] for e in body["errors"])  # type: ignore[index, union-attr]


def test_measure_counts_depth_and_aliases_through_fragments() -> None:
    doc = parse("{ a: viewer { ...V } } fragment V on Viewer { r: role ... on Viewer { t: tokenId } }")
    cost = measure(doc)[""]
    assert (cost.depth, cost.aliases) == (2, 3)


def test_within_limits_runs(neo4j_server: Settings, db: Database) -> None:
    with limited(neo4j_server, graphql_max_depth=2, graphql_max_aliases=2) as client:
        r = gql(client, "{ a: viewer { role } b: viewer { tokenId } }", accept=GRAPHQL_RESPONSE)
    assert r.status_code == 200 and "errors" not in r.json()


def test_depth_counts_through_fragments(neo4j_server: Settings, db: Database) -> None:
    with limited(neo4j_server, graphql_max_depth=1) as client:
        r = gql(client, "{ viewer { ...V } } fragment V on Viewer { role }", accept=GRAPHQL_RESPONSE)
    assert r.status_code == 400 and "data" not in r.json()
    assert "is 2 fields deep; the maximum depth is 1" in messages(r.json())


def test_alias_bomb_hidden_in_fragments_is_refused(neo4j_server: Settings, db: Database) -> None:
    # Two aliases in F, spread four times (twice directly, twice through G): 8 aliases although
    # the document spells only 2 — the shape of CVE-2026-47707.
    query = (
        "{ ...F ...F ...G } fragment F on Query { x: viewer { role } y: viewer { role } }"
        " fragment G on Query { ...F ...F }"
    )
    with limited(neo4j_server, graphql_max_aliases=5) as client:
        r = gql(client, query, accept=GRAPHQL_RESPONSE)
    assert r.status_code == 400 and "data" not in r.json()
    assert "uses 8 aliases (fragments expanded); the maximum is 5" in messages(r.json())


def test_exponential_fragment_fan_out_is_measured_without_expanding(neo4j_server: Settings, db: Database) -> None:
    # Each fragment spreads the next twice: 2^40 aliases once expanded. A checker that expands
    # spreads in place (strawberry's MaxAliasesLimiter and QueryDepthLimiter do) would not finish.
    n = 40
    doc = "{ ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    doc += f" fragment F{n} on Query {{ x: __typename }}"
    assert measure(parse(doc))[""].aliases == 2**n
    with limited(neo4j_server, graphql_max_tokens=10_000) as client:
        r = gql(client, doc, accept=GRAPHQL_RESPONSE)
    assert r.status_code == 400
    assert f"uses {2**n} aliases" in messages(r.json())


def test_too_many_tokens_is_refused_before_parsing(neo4j_server: Settings, db: Database) -> None:
    query = "{ " + " ".join("__typename" for _ in range(500)) + " }"
    with limited(neo4j_server, graphql_max_tokens=400) as client:
        r = gql(client, query, accept=GRAPHQL_RESPONSE)
    assert r.status_code == 400 and "data" not in r.json()
    assert "more than 400 tokens" in messages(r.json())


def test_graphiql_introspection_passes_the_default_limits(neo4j_server: Settings, db: Database) -> None:
    with limited(neo4j_server) as client:
        r = gql(client, get_introspection_query(descriptions=True), accept=GRAPHQL_RESPONSE)
    assert r.status_code == 200, r.text
    names = {t["name"] for t in r.json()["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "UserError"} <= names
