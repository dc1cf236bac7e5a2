"""Hostile GraphQL: schemathesis over the whole schema, Cypher injection in every string argument,
bombs (depth, aliases, fragments), huge variables and strings, malformed global ids.

Every case must end in a 2xx with data or typed errors, or a 4xx; never a 500, never an
INTERNAL_SERVER_ERROR, never a hang, and never a change to what the catalog held before.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Iterator

import graphql
import hypothesis_graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from graphcat.api.schema import build_schema
from graphcat.catalog.importer import import_files
from graphcat.settings import Settings
from graphcat.store import catalog as store
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, token
from tests.reliability_support import Cases, assert_client_error_or_typed, cases, post  # noqa: F401  (fixture)

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"

# Strings that would change a query built by concatenation (graphcat never builds one).
INJECTIONS = [
    "' OR 1=1 //",
    "x'}) MATCH (n) DETACH DELETE n RETURN 1 //",
    "\") MATCH (n) DETACH DELETE n //",
    "model_version:x@1' OR '1'='1",
    "`x` } ] ) CALL db.labels() YIELD label RETURN label //",
    "$uid",
    "{uid: $uid}",
    "\\'; CALL dbms.shutdown(); //",
    "*/ MATCH (n) SET n.uid = 'pwned' /*",
    "a\u0000b",
    "UNION MATCH (t:ApiToken) RETURN t.hash AS uid",
    "%s%s%s%n",
    "../../../../etc/passwd",
]
MALFORMED_IDS = [
    "", " ", ":", "::::", "model_version:", "model_version:@", "model_version:@@@", "nokind",
    "unknown_kind:x", "model_version:" + "x" * 20_000, "\u0000", "model_version:x@1\n", "🙂:🙂",
    "bW9kZWxfdmVyc2lvbjp4QDE=", "dataset_version:../../x", "model:x", "task:NOT-A-SLUG",
]


def _string_node(text: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=text)


@pytest.fixture()
def seeded(db: Database) -> Iterator[dict[str, Any]]:
    import_files(db, [SMALL])
    yield {p["uid"]: p for p in store.export_nodes(db)}


def assert_seed_intact(db: Database, seed: dict[str, Any]) -> None:
    now = {p["uid"]: p for p in store.export_nodes(db)}
    missing = set(seed) - set(now)
    assert not missing, f"nodes lost: {sorted(missing)[:5]}"
    changed = [uid for uid in seed if seed[uid] != now[uid] and seed[uid].get("kind") not in {"model_version", "model"}]
    assert not changed, f"nodes changed: {changed[:5]}"


UPLOAD_LITERALS = st.sampled_from(["", "not a file", "/etc/passwd", "' OR 1=1 //"]).map(_string_node)


@pytest.fixture()
def client(neo4j_server: Settings) -> Iterator[TestClient]:
    yield from client_for(neo4j_server, mutation_rate_per_minute=1_000_000)


def _introspected(settings: Settings) -> dict[str, Any]:
    result = build_schema(settings).execute_sync(graphql.get_introspection_query())
    assert result.errors is None
    return result.data  # type: ignore[return-value]


@pytest.mark.reliability("Hostile input", "schemathesis: generated operations over the whole GraphQL schema")
def test_schemathesis_over_every_operation(client: TestClient, db: Database, seeded: dict[str, Any],
                                           neo4j_server: Settings, cases: Cases) -> None:
    admin = token(db, "admin")
    # Over a JSON body an Upload argument can only be a literal; send strings in its place
    # (the multipart upload path has its own hostile-input tests in test_reliability_uploads.py).
    schemathesis.graphql.scalar("Upload", UPLOAD_LITERALS)
    schema = schemathesis.graphql.from_dict(_introspected(neo4j_server))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        is_mutation = operation.label.startswith("Mutation.")

        @given(case=operation.as_strategy())
        @hsettings(max_examples=6 if is_mutation else 12, database=None, deadline=None,
                   suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = post(client, case.body, token=admin if is_mutation else None)
            assert_client_error_or_typed(response)
            cases.add()

        run()
    # Generated mutations may add entities; none may lose or corrupt what was there.
    assert_seed_intact(db, seeded)


@pytest.mark.reliability("Hostile input", "Cypher-injection strings in every string and ID argument")
def test_injection_strings_in_every_argument(client: TestClient, db: Database, seeded: dict[str, Any],
                                             neo4j_server: Settings, cases: Cases) -> None:
    admin = token(db, "admin")
    sdl = graphql.build_client_schema(_introspected(neo4j_server))
    payloads = st.sampled_from(INJECTIONS).map(_string_node)
    scalars = {"String": payloads, "ID": payloads, "Upload": UPLOAD_LITERALS}
    for strategy, tok, examples in (
        (hypothesis_graphql.queries(sdl, custom_scalars=scalars), None, 80),
        (hypothesis_graphql.mutations(sdl, custom_scalars=scalars), admin, 40),
    ):
        @given(document=strategy)
        @hsettings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
        def run(document: str) -> None:
            assert_client_error_or_typed(post(client, document, token=tok))
            cases.add()

        run()
    # Search text goes to Neo4j as a parameter: the payloads match literally or not at all.
    for text in INJECTIONS:
        response = post(client, "query($t: String!) { search(text: $t) { total hits { uid } } }", {"t": text})
        assert_client_error_or_typed(response)
        cases.add()
    assert_seed_intact(db, seeded)
    assert not any(p.get("uid") == "pwned" for p in store.export_nodes(db))


NODE = "query($id: ID!) { node(id: $id) { id } }"


@pytest.mark.reliability("Hostile input", "malformed global ids in every id argument")
def test_malformed_global_ids(client: TestClient, db: Database, seeded: dict[str, Any], cases: Cases) -> None:
    admin = token(db, "admin")
    documents = [
        (NODE, lambda i: {"id": i}, None),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", lambda i: {"ids": [i, i]}, None),
        ("query($id: ID!) { lineage(id: $id) { __typename } }", lambda i: {"id": i}, None),
        ("query($id: ID!) { impact(id: $id) { __typename } }", lambda i: {"id": i}, None),
        ("query($id: ID!) { path(source: $id, target: $id) { __typename } }", lambda i: {"id": i}, None),
        ("mutation($id: ID!) { setAlias(modelVersion: $id, alias: \"prod\") { __typename } }", lambda i: {"id": i}, admin),
        ("mutation($id: ID!) { deprecate(modelVersion: $id, reason: \"r\") { __typename } }", lambda i: {"id": i}, admin),
        ("mutation($id: ID!) { recordEvaluation(input: {modelVersion: $id, dataset: $id, metric: \"auc\", value: 1})"
         " { __typename } }", lambda i: {"id": i}, admin),
    ]
    for query, variables, tok in documents:
        for bad in MALFORMED_IDS:
            response = post(client, query, variables(bad), token=tok)
            assert_client_error_or_typed(response)
            body = response.json()
            if query == NODE and response.status_code == 200:
                assert body["data"]["node"] is None or body.get("errors")
            cases.add()
    assert_seed_intact(db, seeded)


def _nested(depth: int) -> str:
    inner = "id"
    for i in range(depth):
        inner = ("... on ModelVersion { model { versions { " if i % 2 == 0 else "") + inner + (" } } }" if i % 2 == 0 else "")
    return "query($id: ID!) { node(id: $id) { " + inner + " } }"


@pytest.mark.reliability("Hostile input", "GraphQL bombs: depth, aliases, fragments, huge variables and strings")
def test_bombs_and_huge_inputs_are_refused_or_bounded(client: TestClient, db: Database, seeded: dict[str, Any],
                                                      cases: Cases) -> None:
    admin = token(db, "admin")
    any_id = next(iter(seeded))
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    hostile: list[tuple[str, dict[str, Any] | None, str | None]] = [
        (_nested(60), {"id": any_id}, None),
        ("{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(500)) + " }", None, None),
        ("query { ...F0 }\n" + fragments + "\nfragment F40 on Query { viewer { role } }", None, None),
        ("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }", None, None),
        ("{ " + "viewer { role } " * 3000 + "}", None, None),
        ("query($t: String!) { search(text: $t) { total } }", {"t": "x" * 5_000_000}, None),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [f"model:m{i}" for i in range(200_000)]}, None),
        ("query($t: String!) { search(text: $t) { total } }", {"t": "é" * 300_000 + "\u0000" * 1000}, None),
        ("mutation($i: RegisterExperimentInput!) { registerExperiment(input: $i) { __typename } }",
         {"i": {"id": "huge", "name": "n" * 2_000_000, "description": "d" * 2_000_000}}, admin),
        ("mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { __typename } }",
         {"i": {"model": "wide", "modelName": "Wide", "version": "1",
                "inputs": [{"name": f"c{i}", "dtype": "float32", "shape": []} for i in range(100_000)]}}, admin),
        ("{ search(text: \"" + "\\u0041" * 50_000 + "\") { total } }", None, None),
        ("query " + "($a: String)" + " { viewer { role } }", {f"x{i}": i for i in range(100_000)}, None),
        ("{" * 10_000 + "}" * 10_000, None, None),
        ("query q1 { viewer { role } } " * 2000, None, None),
    ]
    for query, variables, tok in hostile:
        response = post(client, query, variables, token=tok)
        assert_client_error_or_typed(response)
        cases.add()
    # Bodies no JSON encoder would write: nesting past Python's recursion limit, invalid UTF-8,
    # a top-level array (batching is off), a body that is not JSON at all.
    deep = '{"query": "query($v: String!) { search(text: $v) { total } }", "variables": {"v": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    for raw in (deep.encode(), b'{"query": "\xff\xfe"}' + b"\xff", b"[" + b'{"query": "{ viewer { role } }"},' * 1000 + b"{}]",
                b"not json", b"", b"null", b'"{ viewer { role } }"', b"12", b"true", b'{"query": 12}', b'{"query": "{ viewer { role } }", "variables": "x"}'):
        response = client.post("/graphql", content=raw, headers={"Content-Type": "application/json",
                                                                 "Accept": "application/graphql-response+json"})
        assert response.status_code < 500, (raw[:60], response.status_code, response.text[:300])
        cases.add()
    assert_seed_intact(db, seeded)
