"""graphcat bulk-import against the real Neo4j: the same catalog as `graphcat import`, batched
commits, and all-or-nothing per invocation by rollback (a failed bulk import leaves nothing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import catalog_files, generate, read_manifest
from graphcat.catalog import bulk
from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_files
from graphcat.cli import main
from graphcat.errors import Conflict
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic-200")
    generate(200, out, seed=3, families_per_file=30)
    return out


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"graphcat_catalog": 1, **doc}))
    return path


def test_bulk_import_gives_the_same_catalog_as_import(db: Database, synthetic: Path) -> None:
    files = catalog_files(synthetic)
    assert len(files) >= 3
    commits: list[int] = []
    report = bulk.bulk_import(db, files, batch=100, tx_rows=300, on_commit=commits.append)
    counts = read_manifest(synthetic).counts
    assert report.nodes_written == counts.total_nodes
    assert report.relationships_written == counts.total_relationships
    assert report.transactions == len(commits) + 1 and len(commits) > 10  # batched commits
    bulk_export = export_document(db)
    assert [r["state"] for r in bulk.list_imports(db)] == ["done"]

    clear_catalog(db)
    import_files(db, files)
    assert export_document(db) == bulk_export


def test_an_interrupted_bulk_import_leaves_nothing(db: Database, synthetic: Path, tmp_path: Path) -> None:
    # A catalog that was there before, which the bulk import references and must not lose.
    import_files(db, [catalog_files(synthetic)[0]])
    before = export_document(db)

    class Interrupted(Exception):
        pass

    new_nodes = read_manifest(synthetic).counts.total_nodes - sum(1 for _ in db.read("catalog/export_nodes"))
    node_transactions = -(-new_nodes // 300)
    stop_at = node_transactions + 2  # every node and some relationships are committed by then

    def interrupt(n: int) -> None:
        if n == stop_at:
            raise Interrupted("connection lost")

    with pytest.raises(Interrupted):
        bulk.bulk_import(db, catalog_files(synthetic)[1:], batch=100, tx_rows=300, on_commit=interrupt)
    assert export_document(db) == before
    assert bulk.list_imports(db) == []


def test_rollback_undoes_exactly_one_finished_import(db: Database, synthetic: Path) -> None:
    files = catalog_files(synthetic)
    import_files(db, files[:2])
    before = export_document(db)
    report = bulk.bulk_import(db, files[2:])
    assert report.nodes_written > 0 and export_document(db) != before
    deleted = bulk.rollback(db, report.import_id)
    assert deleted == report.nodes_written
    assert export_document(db) == before


def test_invalid_files_are_rejected_with_file_and_path_and_write_nothing(db: Database, tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", {
        "tasks": [{"id": "tagging", "name": "tagging"}],
        "models": [{"id": "m1", "name": "M1", "tasks": ["tagging"], "versions": [
            {"version": "1", "lineage": [{"type": "FINE_TUNED_FROM", "from": "m2@1"}]}]}]})
    b = write(tmp_path / "b.json", {
        "tasks": [{"id": "tagging", "name": "tagging again"}],
        "models": [{"id": "m2", "name": "M2", "tasks": ["nothing"], "versions": [
            {"version": "1", "lineage": [{"type": "FINE_TUNED_FROM", "from": "m1@1"}]}]}]})
    with pytest.raises(CatalogInvalid) as err:
        bulk.bulk_import(db, [a, b])
    text = str(err.value)
    assert f"{b}: tasks[0]: duplicate task 'tagging' (first defined at {a}: tasks[0])" in text
    assert f"{b}: models[0].tasks[0]: unknown task 'nothing'" in text
    assert "FINE_TUNED_FROM makes a cycle" in text  # across the two files
    assert export_document(db) == export_document(db) and db.read("catalog/export_nodes") == []
    assert bulk.list_imports(db) == []


def test_an_existing_entity_must_be_identical(db: Database, tmp_path: Path) -> None:
    base = {"tasks": [{"id": "tagging", "name": "tagging"}],
            "models": [{"id": "m1", "name": "M1", "versions": [{"version": "1", "framework": "pytorch"}]}]}
    import_files(db, [write(tmp_path / "base.json", base)])
    changed = {"tasks": [{"id": "tagging", "name": "jet tagging"}],
               "models": [{"id": "m1", "name": "M1", "versions": [{"version": "1", "framework": "jax"}]}]}
    with pytest.raises(CatalogInvalid) as err:
        bulk.bulk_import(db, [write(tmp_path / "changed.json", changed)])
    text = str(err.value)
    assert "tasks[0]: task 'tagging' is already in the catalog with different display, name" in text
    assert "models[0].versions[0]: model version 'm1@1' is already registered with different content" in text
    assert "framework" in text
    # The same entities again plus a new version: only the new one is written.
    more = {**base, "models": [{**base["models"][0], "versions": [*base["models"][0]["versions"], {"version": "2"}]}]}
    report = bulk.bulk_import(db, [write(tmp_path / "more.json", more)])
    assert report.nodes_written == 1 and report.skipped_existing == 3


def test_cli_bulk_import_list_and_rollback(db: Database, synthetic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in catalog_files(synthetic)]
    assert main(["bulk-import", *files]) == 0
    out = capsys.readouterr().out
    assert f"{read_manifest(synthetic).counts.total_nodes:,} nodes" in out
    import_id = out.split()[2].rstrip(":")
    assert main(["bulk-import", "--list"]) == 0
    assert import_id in capsys.readouterr().out
    assert main(["bulk-import", "--rollback", import_id]) == 0
    assert db.read("catalog/export_nodes") == []


def test_a_second_bulk_import_of_the_same_files_writes_nothing_and_duplicates_nothing(
        db: Database, synthetic: Path) -> None:
    files = catalog_files(synthetic)
    bulk.bulk_import(db, files, batch=100, tx_rows=300)
    before = export_document(db)
    relationships = db.read("catalog/export_edges")
    again = bulk.bulk_import(db, files, batch=100, tx_rows=300)
    assert again.nodes_written == 0 and again.relationships_written == 0
    assert again.skipped_existing == read_manifest(synthetic).counts.total_nodes
    # CREATE, not MERGE: a relationship written twice would show up here.
    assert db.read("catalog/export_edges") == relationships and export_document(db) == before


def test_relationships_from_an_existing_entity_to_one_created_in_another_file(db: Database, tmp_path: Path) -> None:
    import_files(db, [write(tmp_path / "base.json", {"tasks": [{"id": "b-tagging", "name": "b-tagging"}]})])
    parent = write(tmp_path / "a.json", {"tasks": [{"id": "jet-tagging", "name": "jet tagging"}]})
    child = write(tmp_path / "b.json", {"tasks": [{"id": "b-tagging", "name": "b-tagging", "parent": "jet-tagging"},
                                                  {"id": "tagging", "name": "tagging", "parent": "jet-tagging"}]})
    report = bulk.bulk_import(db, [child, parent])  # the new parent is in a later file
    assert report.nodes_written == 2 and report.skipped_existing == 1
    assert report.relationships_written == 2
    tasks = {t["id"]: t.get("parent") for t in export_document(db)["tasks"]}
    assert tasks == {"b-tagging": "jet-tagging", "tagging": "jet-tagging", "jet-tagging": None}
    # An existing entity whose target exists too keeps its relationships as they are.
    assert bulk.bulk_import(db, [child, parent]).relationships_written == 0


def test_an_entity_written_by_someone_else_during_the_import_rolls_it_back(
        db: Database, synthetic: Path, tmp_path: Path) -> None:
    base = json.loads(catalog_files(synthetic)[0].read_text())
    concurrent = write(tmp_path / "concurrent.json", {"tasks": [t for t in base["tasks"] if not t.get("parent")][:1]})

    def someone_else_imports(n: int) -> None:
        if n == 1:  # the bulk import checked that this task is new, and has not written it yet
            import_files(db, [concurrent])

    with pytest.raises(Conflict):
        bulk.bulk_import(db, catalog_files(synthetic), batch=5, tx_rows=10, on_commit=someone_else_imports)
    # What the other writer wrote stays; everything of the bulk import is gone.
    task = json.loads(concurrent.read_text())["tasks"][0]["id"]
    assert [row["props"]["uid"] for row in db.read("catalog/export_nodes")] == [f"task:{task}"]
    assert db.read("catalog/export_edges") == []
    assert bulk.list_imports(db) == []
