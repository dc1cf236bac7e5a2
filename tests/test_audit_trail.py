"""The audit trail (issue 16) on the real Neo4j: each write records exactly its changes with the right
actor, a failed write records none, history pages newest first, and nothing rewrites history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.domain import Actor
from graphcat.errors import GraphcatError
from graphcat.service import catalog
from graphcat.store import audit, queries, tokens
from graphcat.store.database import Database

ALICE = Actor("alice", "tok-alice", "10.1.2.3")


def doc(m: str = "m") -> dict[str, Any]:
    return {"graphcat_catalog": 1, "tasks": [{"id": "tag", "name": "tagging"}],
            "models": [{"id": m, "name": "M", "tasks": ["tag"], "versions": [{"version": "1"}, {"version": "2"}]}]}


def unique() -> str:
    """A model id no earlier test used: the trail outlives the catalog the fixture clears."""
    return f"m-{uuid.uuid4().hex[:8]}"


def new_changes(db: Database, before: set[str]) -> list[Any]:
    return [c for c in audit.changes(db, since=None, actor=None, entity=None, after=None, limit=500) if c.id not in before]


def ids(db: Database) -> set[str]:
    return {c.id for c in audit.changes(db, since=None, actor=None, entity=None, after=None, limit=500)}


def test_each_write_kind_records_exactly_its_change_with_the_actor(db: Database) -> None:
    m = unique()
    seen = ids(db)
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)
    made = new_changes(db, seen)
    assert sorted((c.entity, c.operation) for c in made) == [
        (f"model:{m}", "create"), (f"model_version:{m}@1", "create"), (f"model_version:{m}@2", "create"), ("task:tag", "create")]
    assert {(c.actor, c.source, c.before) for c in made} == {(ALICE, "catalog.yaml", None)}
    for write, expected in [
        (lambda: catalog.register_model_version(db, m, {"version": "3"}, actor=ALICE), (f"model_version:{m}@3", "create")),
        (lambda: catalog.deprecate(db, f"model_version:{m}@1", "superseded", actor=ALICE), (f"model_version:{m}@1", "deprecate")),
    ]:
        seen = ids(db)
        write()
        made = new_changes(db, seen)
        assert [(c.entity, c.operation) for c in made] == [expected]
        assert made[0].actor == ALICE and made[0].after and made[0].before != made[0].after
    seen = ids(db)
    token, _ = tokens.create(db, "reader", actor=ALICE)
    tokens.revoke(db, token.id, actor=ALICE)
    tokens.revoke(db, token.id, actor=ALICE)  # again: nothing changes, nothing is recorded
    assert [(c.entity, c.operation) for c in new_changes(db, seen)] == [
        (f"api_token:{token.id}", "token-revoke"), (f"api_token:{token.id}", "token-create")]


def test_alias_move_records_both_versions_and_digests_chain(db: Database) -> None:
    m = unique()
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)
    catalog.set_alias(db, f"model_version:{m}@1", "production", actor=ALICE)
    seen = ids(db)
    catalog.set_alias(db, f"model_version:{m}@2", "production")  # a local command: the CLI actor
    moved = new_changes(db, seen)
    assert sorted(c.entity for c in moved) == [f"model_version:{m}@1", f"model_version:{m}@2"]
    assert {c.actor.address for c in moved} == {"cli"} and all(c.operation == "alias" for c in moved)
    history = audit.history(db, f"model_version:{m}@1", after=None, limit=10)
    assert [c.operation for c in history] == ["alias", "alias", "create"]  # newest first
    for newer, older in zip(history, history[1:]):
        assert newer.before == older.after  # each change starts from the state the previous left


def test_failed_import_and_noop_reimport_record_nothing(db: Database) -> None:
    m = unique()
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)
    seen = ids(db)
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)  # restates what is stored
    bad = doc(m)
    bad["models"][0]["versions"].append({"version": "9", "trained_on": ["missing@1"]})
    with pytest.raises(CatalogInvalid):
        import_documents(db, [("bad.yaml", bad)], actor=ALICE)
    assert new_changes(db, seen) == []


def test_history_pages_by_keyset_newest_first(db: Database) -> None:
    m = unique()
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)
    for alias in ("a", "b", "c", "d"):
        catalog.set_alias(db, f"model_version:{m}@1", alias, actor=ALICE)
    everything = audit.history(db, f"model_version:{m}@1", after=None, limit=100)
    assert len(everything) == 5 and [c.id for c in everything] == sorted((c.id for c in everything), reverse=True)
    first = audit.history(db, f"model_version:{m}@1", after=None, limit=2)
    rest = audit.history(db, f"model_version:{m}@1", after=first[-1].id, limit=100)
    assert first + rest == everything


def test_history_is_append_only(db: Database) -> None:
    m = unique()
    import_documents(db, [("catalog.yaml", doc(m))], actor=ALICE)
    kept = audit.history(db, f"model_version:{m}@1", after=None, limit=10)
    # a replacing import clears the catalog, never the trail: it adds its own changes
    import_documents(db, [("catalog.yaml", doc(m))], replace=True, actor=ALICE)
    assert audit.history(db, f"model_version:{m}@1", after=None, limit=10)[-len(kept):] == kept
    with pytest.raises(GraphcatError, match="append-only"):
        db.write_transaction(lambda tx: tx.run("catalog/upsert_nodes", rows=[
            {"uid": f"model:{m}", "labels": ["Catalog", "Change"], "remove": [], "props": {}}]))
    # only cypher/audit/record writes Change nodes, and no query updates or deletes one
    for name in queries.names():
        text = "\n".join(l for l in queries.get(name).splitlines() if not l.startswith("//"))
        if "Change" in text and name != "audit/record" and not name.startswith("schema/"):
            assert name.startswith("audit/") and not any(w in text for w in ("CREATE", "SET", "DELETE", "MERGE", "REMOVE")) \
                or "NOT n:Change" in text, name


@pytest.mark.parametrize("kwargs, field", [({"first": 0}, "first"), ({"first": 501}, "first"),
                                           ({"after": "not-a-cursor"}, "after"), ({"since": "yesterday"}, "since")])
def test_bad_page_arguments_are_typed_errors(db: Database, kwargs: dict[str, Any], field: str) -> None:
    from graphcat.errors import InvalidInput
    from graphcat.service import audit as service

    with pytest.raises(InvalidInput) as err:
        service.changes(db, **kwargs)
    assert err.value.path == field


def test_graphql_writes_record_the_token_and_history_pages(db: Database, neo4j_server: Any) -> None:
    from starlette.testclient import TestClient

    from graphcat.api.app import create_app
    from tests.graphql_helpers import gql, token

    m = unique()
    import_documents(db, [("catalog.yaml", doc(m))])
    secret = token(db, "writer")
    with TestClient(create_app(neo4j_server)) as client:
        set_alias = "mutation($v: ID!) { setAlias(modelVersion: $v, alias: \"production\") { __typename } }"
        assert gql(client, set_alias, {"v": f"model_version:{m}@1"}, token=secret).json()["data"]["setAlias"]["__typename"] == "ModelVersion"
        query = """query($id: ID!, $first: Int, $after: String) { history(id: $id, first: $first, after: $after) {
            edges { cursor node { operation entity actor { subject tokenId address } } } pageInfo { hasNextPage endCursor } } }"""
        page = gql(client, query, {"id": f"model_version:{m}@1", "first": 1}).json()["data"]["history"]
        assert page["edges"][0]["node"]["operation"] == "alias" and page["pageInfo"]["hasNextPage"]
        actor = page["edges"][0]["node"]["actor"]
        assert actor["subject"] == "test-writer" and actor["tokenId"] == secret.split("_")[1] and actor["address"] != "cli"
        rest = gql(client, query, {"id": f"model_version:{m}@1", "after": page["pageInfo"]["endCursor"]}).json()["data"]["history"]
        assert [e["node"]["operation"] for e in rest["edges"]] == ["create"] and not rest["pageInfo"]["hasNextPage"]
        for variables in ({"id": f"model_version:{m}@1", "first": 0}, {"id": f"model_version:{m}@1", "after": "bad"}):
            error = gql(client, query, variables).json()["errors"][0]
            assert error["extensions"]["code"] == "INVALID_INPUT"
        mutations = gql(client, "{ __schema { mutationType { fields { name } } } }").json()["data"]["__schema"]
        assert not [f["name"] for f in mutations["mutationType"]["fields"] if "change" in f["name"].lower() or "history" in f["name"].lower()]


def test_bulk_import_records_its_creations_with_the_states_stored(db: Database, tmp_path: Any) -> None:
    import json

    from graphcat.catalog.bulk import bulk_import

    m = unique()
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(doc(m)))
    seen = ids(db)
    report = bulk_import(db, [path], actor=ALICE)
    made = {c.entity: c for c in new_changes(db, seen)}
    assert set(made) == {"task:tag", f"model:{m}", f"model_version:{m}@1", f"model_version:{m}@2"}
    assert {(c.operation, c.actor, c.source.split(":")[0]) for c in made.values()} == {
        ("create", ALICE, f"bulk import {report.import_id}")}
    stored = db.write_transaction(lambda tx: audit.states(tx, made))
    assert {uid: c.after for uid, c in made.items()} == stored  # computed from the rows = read back
