"""Two sites kept in step (graphcat sync): two real Neo4j servers and two `graphcat serve` processes on
this machine. Site A is the session's Neo4j, site B a second Neo4j started here (its own port and
folder: GRAPHCAT_SITE_B_NEO4J_URI, default a free port). Writes go to A through its API; B pulls
them with graphcat.sync over HTTP; B is read through its own API.

- register on A, sync into B, query B: entities there, with A as their origin; a second run writes
  nothing (same revision, same audit trail, same cursor);
- a version B holds with other content is a conflict: reported, B's copy kept, the rest applied;
- a batch that fails after its writes leaves B exactly as it was (entities, revision, cursor);
- deprecation and deletion at A are carried to B (deletion only of what came from A).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from graphcat import neo4j_launcher
from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from graphcat.store.index_state import catalog_revision
from graphcat.sync import pull
from graphcat.sync.client import Peer, SyncFailed
from tests.conftest import ROOT, free_port
from tests.graphql_helpers import token
from tests.test_replicas import Replica, post, register

TASKS = {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "jet tagging"}]}
AT_B = {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
        "models": [{"id": "local-tagger", "name": "Local tagger", "tasks": ["jet-tagging"],
                    "versions": [{"version": "1.0.0", "framework": "onnx",
                                  "inputs": [{"name": "jet_pt", "dtype": "float32", "shape": []}]}]}]}
READ_B = """query ($id: ID!) { origin(id: $id) { site synced kind }
  node(id: $id) { id ... on ModelVersion { deprecated deprecationReason } } }"""
DEPRECATE = """mutation ($id: ID!, $reason: String!) {
  deprecate(modelVersion: $id, reason: $reason) { __typename ... on ModelVersion { deprecated } } }"""


@dataclasses.dataclass
class Sites:
    a: Replica
    b: Replica
    db_a: Database
    db_b: Database
    writer: str
    admin: str

    @property
    def peer(self) -> Peer:
        return Peer(f"{self.a.url}/graphql")


@pytest.fixture(scope="module")
def sites(neo4j_server: Settings, session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    uri = os.environ.get("GRAPHCAT_SITE_B_NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    site_b = dataclasses.replace(neo4j_server, neo4j_uri=uri, neo4j_home=str(ROOT / ".graphcat" / "neo4j-site-b"),
                                 neo4j_heap="512m", neo4j_pagecache="128m")
    started_b = not neo4j_launcher.status(site_b).running
    if started_b:
        neo4j_launcher.start(site_b)
    folder = tmp_path_factory.mktemp("sites")
    a, b = Replica(neo4j_server, folder, "site-a"), Replica(site_b, folder, "site-b")
    db_b = Database(site_b)
    try:
        migrations.apply(db_b)
        for db in (session_db, db_b):
            clear_catalog(db)
            import_documents(db, [("tasks", TASKS)])
        a.start()
        b.start()
        yield Sites(a, b, session_db, db_b, token(session_db, "writer"), token(session_db, "admin"))
    finally:
        for replica in (a, b):
            replica.stop()
        db_b.close()
        if started_b:
            neo4j_launcher.stop(site_b)


@pytest.fixture()
def fresh(sites: Sites) -> Sites:
    """Both catalogs down to the shared task (clearing drops B's sync cursor too)."""
    for db in (sites.db_a, sites.db_b):
        clear_catalog(db)
        import_documents(db, [("tasks", TASKS)])
    return sites


def read_b(sites: Sites, uid: str) -> dict[str, Any]:
    answer = post(sites.b, READ_B, {"id": uid})
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def b_state(db: Database) -> tuple[Any, ...]:
    """Everything a sync could change at B: catalog nodes and relationships, revision, trail, cursors."""
    counts = db.read_transaction(lambda tx: [
        tx.run("sync/peers"), tx.run("audit/changes", after="\U0010ffff", since=None, actor=None, entity=None,
                                     limit=100_000)])
    return catalog_revision(db), len(counts[1]), [p["peer"] for p in counts[0]], _catalog(db)


def _catalog(db: Database) -> tuple[Any, ...]:
    from graphcat.store import catalog as store

    return (sorted(str(sorted(n.items())) for n in store.export_nodes(db)),
            sorted(str(sorted(e.items())) for e in store.export_edges(db)))


def registered(sites: Sites, model: str, version: str, columns: list[str]) -> str:
    answer = register(sites.a, sites.writer, model, version, columns)
    assert answer.status_code == 200 and answer.json()["data"]["registerModelVersion"]["__typename"] == "ModelVersion", \
        answer.text
    return f"model_version:{model}@{version}"


def test_register_on_a_sync_into_b_query_b_and_rerun_changes_nothing(fresh: Sites) -> None:
    import_documents(fresh.db_b, [("at-b", AT_B)])
    uid = registered(fresh, "dimuon-classifier", "1.0.0", ["mumu_mass", "mu1_pt"])
    assert read_b(fresh, uid)["node"] is None

    report = pull.sync(fresh.db_b, fresh.peer)
    assert report.created == {"model": 1, "model_version": 1, "feature": 2}, report.summary()
    # A's trail also holds every earlier test's changes (the trail survives clears): batches depend on them
    assert not report.conflicts and report.batches >= 1 and report.cursor
    seen = read_b(fresh, uid)
    assert seen["node"] == {"id": uid, "deprecated": False, "deprecationReason": None}
    assert seen["origin"] == {"site": fresh.peer.site, "synced": True, "kind": "model_version"}
    assert read_b(fresh, "model:dimuon-classifier")["origin"]["site"] == fresh.peer.site
    local = read_b(fresh, "model_version:local-tagger@1.0.0")["origin"]
    assert local == {"site": None, "synced": False, "kind": "model_version"}, "an entity registered at B is B's"
    assert read_b(fresh, "task:jet-tagging")["origin"]["site"] is None, "held at B before the sync: not A's"
    peers = post(fresh.b, "{ syncPeers { site lastChange } }").json()["data"]["syncPeers"]
    assert peers == [{"site": fresh.peer.site, "lastChange": report.cursor}]

    before = b_state(fresh.db_b)
    again = pull.sync(fresh.db_b, fresh.peer)
    assert again.changes >= 1, "the overlap reads the last changes again"
    assert not again.created and not again.updated and not again.conflicts and not again.deleted, again.summary()
    assert b_state(fresh.db_b) == before, "a second sync with nothing new at A changed B"

    # A newer version arrives at B with the next sync; the earlier one is left as it is.
    uid2 = registered(fresh, "dimuon-classifier", "1.1.0", ["mumu_mass", "mu1_pt", "mu2_pt"])
    third = pull.sync(fresh.db_b, fresh.peer)
    assert third.created == {"model_version": 1, "feature": 3}, third.summary()
    assert read_b(fresh, uid2)["node"]["id"] == uid2 and third.cursor > report.cursor


def test_a_conflicting_version_is_reported_and_never_overwritten(fresh: Sites) -> None:
    shared = {"graphcat_catalog": 1, "models": [{"id": "shared-tagger", "name": "Shared tagger", "tasks": ["jet-tagging"],
                                                 "versions": [{"version": "1.0.0", "framework": "onnx", "inputs": [
                                                     {"name": "jet_pt", "dtype": "float32", "shape": [], "unit": "GeV"}]}]}]}
    import_documents(fresh.db_b, [("at-b", shared)])
    held = fresh.db_b.read("catalog/nodes_by_uid", uids=["model_version:shared-tagger@1.0.0"])[0]["props"]
    uid = registered(fresh, "shared-tagger", "1.0.0", ["jet_pt", "jet_eta"])  # same id at A, other inputs
    other = registered(fresh, "other-tagger", "2.0.0", ["jet_mass"])

    report = pull.sync(fresh.db_b, fresh.peer)
    assert [c.entity for c in report.conflicts] == [uid], report.summary()
    conflict = report.conflicts[0]
    assert conflict.here == held["content_hash"] and conflict.peer != conflict.here
    assert any(f.startswith("inputs") for f in conflict.fields), conflict.fields
    now = fresh.db_b.read("catalog/nodes_by_uid", uids=[uid])[0]["props"]
    assert now == held, "the conflicting version was overwritten at B"
    assert read_b(fresh, uid)["origin"]["site"] is None
    assert read_b(fresh, other)["origin"]["site"] == fresh.peer.site, "the rest of the batch was applied"
    again = pull.sync(fresh.db_b, fresh.peer)
    assert [c.entity for c in again.conflicts] == [uid] and not again.created, "a re-run reports it again, writes nothing"


def test_an_interrupted_batch_leaves_b_unchanged(fresh: Sites, monkeypatch: pytest.MonkeyPatch) -> None:
    first = registered(fresh, "first-tagger", "1.0.0", ["jet_pt"])
    pull.sync(fresh.db_b, fresh.peer)
    registered(fresh, "second-tagger", "1.0.0", ["jet_pt", "jet_eta"])
    registered(fresh, "third-tagger", "1.0.0", ["jet_mass"])
    before = b_state(fresh.db_b)

    def cut(*args: Any) -> bool:
        raise SyncFailed("cut off after the batch's writes, before its commit")

    monkeypatch.setattr(pull.store, "save_cursor", cut)  # the last step of the batch's transaction
    with pytest.raises(SyncFailed, match="cut off"):
        pull.sync(fresh.db_b, fresh.peer)
    assert b_state(fresh.db_b) == before, "a failed batch left writes behind at B"
    monkeypatch.undo()

    done = pull.sync(fresh.db_b, fresh.peer)
    assert done.created.get("model_version") == 2 and read_b(fresh, first)["node"]["id"] == first, done.summary()


def test_a_down_peer_is_a_clear_error_and_writes_nothing(fresh: Sites) -> None:
    before = b_state(fresh.db_b)
    with pytest.raises(SyncFailed, match="unreachable"):
        pull.sync(fresh.db_b, Peer(f"http://127.0.0.1:{free_port()}/graphql", timeout=5))
    with pytest.raises(SyncFailed, match="GraphQL URL"):
        Peer("ftp://elsewhere")
    assert b_state(fresh.db_b) == before


def test_deprecation_and_deletion_at_a_are_carried(fresh: Sites) -> None:
    from graphcat.catalog.exporter import export_document

    uid = registered(fresh, "old-tagger", "1.0.0", ["jet_pt"])
    kept = registered(fresh, "kept-tagger", "1.0.0", ["jet_eta"])
    for db in (fresh.db_a, fresh.db_b):  # the same entity registered at both sites: B's own
        import_documents(db, [("at-both", AT_B)])
    pull.sync(fresh.db_b, fresh.peer)
    answer = post(fresh.a, DEPRECATE, {"id": uid, "reason": "superseded"}, secret=fresh.admin)
    assert answer.json()["data"]["deprecate"] == {"__typename": "ModelVersion", "deprecated": True}, answer.text
    report = pull.sync(fresh.db_b, fresh.peer)
    assert read_b(fresh, uid)["node"]["deprecationReason"] == "superseded", report.summary()
    trail = post(fresh.b, '{ history(id: "%s", first: 1) { edges { node { operation } } } }' % uid).json()["data"]
    assert trail["history"]["edges"][0]["node"]["operation"] == "deprecate", "B's audit trail has the deprecation"

    # A replaces its catalog without old-tagger and local-tagger: the import records their deletion.
    document = export_document(fresh.db_a)
    document["models"] = [m for m in document["models"] if m["id"] not in ("old-tagger", "local-tagger")]
    import_documents(fresh.db_a, [("replaced", document)], replace=True)
    exported = post(fresh.a, '{ syncDocument(entities: ["%s", "%s"]) { document missing } }' % (kept, uid)).json()
    assert "kept-tagger" in exported["data"]["syncDocument"]["document"]
    assert exported["data"]["syncDocument"]["missing"] == [uid]
    done = pull.sync(fresh.db_b, fresh.peer)
    assert sorted(done.deleted) == ["model:old-tagger", uid], done.summary()
    assert read_b(fresh, uid)["node"] is None and read_b(fresh, kept)["node"]["id"] == kept
    local = "model_version:local-tagger@1.0.0"
    assert read_b(fresh, local)["node"] is not None, "B's own entity was deleted"
    assert any(k.startswith(local) and "registered here" in k for k in done.kept), done.kept


def test_the_command_syncs_and_lists_its_peers(fresh: Sites) -> None:
    import subprocess
    import sys

    uid = registered(fresh, "cli-tagger", "1.0.0", ["jet_pt"])
    settings_b = fresh.db_b.settings
    env = {**os.environ, "GRAPHCAT_NEO4J_URI": settings_b.neo4j_uri, "GRAPHCAT_NEO4J_HOME": settings_b.neo4j_home,
           "GRAPHCAT_INDEX_DIR": str(Path(fresh.b.folder) / "index-cli")}

    def graphcat(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graphcat.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    done = graphcat("sync", "--from", fresh.peer.url)
    assert done.returncode == 0, done.stderr
    assert f"sync from {fresh.peer.site}:" in done.stdout and "1 model_version" in done.stdout, done.stdout
    assert read_b(fresh, uid)["origin"]["site"] == fresh.peer.site
    listed = graphcat("sync", "--peers")
    assert listed.returncode == 0 and listed.stdout.startswith(fresh.peer.site), listed.stdout
    wrong = graphcat("sync", "--from", "not-a-url")
    assert wrong.returncode == 2 and "GraphQL URL" in wrong.stderr, wrong.stderr
