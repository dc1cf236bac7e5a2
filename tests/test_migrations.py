from __future__ import annotations

import pytest

from graphcat import content
from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.store import migrations
from graphcat.store.database import Database
from tests.test_shape_conventions import SPELLINGS
from tests.test_shape_conventions import catalog as shape_catalog


def test_migrations_are_idempotent_and_recorded(db: Database) -> None:
    first = migrations.apply(db)
    second = migrations.apply(db)
    assert first == second == migrations.latest() >= max(m.version for m in migrations.available())
    assert migrations.current_version(db) == first
    constraints = {r["name"] for r in db.driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]}
    assert "graphcat_migration_version" in constraints


def test_every_schema_file_creates_what_it_names(db: Database) -> None:
    migrations.apply(db)
    present = {r["name"] for r in db.driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]}
    present |= {r["name"] for r in db.driver.execute_query("SHOW INDEXES YIELD name")[0]}
    from graphcat.store import queries

    for migration in migrations.available():
        text = queries.get(migration.query_name)
        created = text.split("IF NOT EXISTS")[0].split()[-1]
        assert created in present, f"{migration.query_name} should create {created}"


def test_a_catalog_hashed_with_shape_spellings_is_rehashed_once(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migration 1900 on a catalog written the old way (content hashes counting -1 / "N" as content):
    before it, importing the same file again is a conflict; after it, nothing changes, and the
    spellings are still shown back as written."""
    doc = shape_catalog(SPELLINGS)
    with monkeypatch.context() as old_code:  # the content canonicalisation before shapes were normalised
        old_code.setattr(content, "_normalised_feature", lambda feature: feature)
        import_documents(db, [("old", doc)])
    old = {r["uid"]: r["content_hash"] for r in db.read("migrations/version_contents")}
    db.driver.execute_query("MATCH (m:GraphcatMigration {version: 1900}) DETACH DELETE m")
    with pytest.raises(CatalogInvalid, match="already registered with different content"):
        import_documents(db, [("again", doc)])

    assert migrations.apply(db) == migrations.latest()
    new = {r["uid"]: r["content_hash"] for r in db.read("migrations/version_contents")}
    assert new["model_version:tagger@1.0"] != old["model_version:tagger@1.0"]  # the spelled inputs: rehashed
    assert new["dataset_version:jets@1"] == old["dataset_version:jets@1"]  # only nulls: the same hash as before
    report = import_documents(db, [("again", doc)])
    assert not report.created and not report.updated
    assert {f["name"]: f["shape"] for f in export_document(db)["models"][0]["versions"][0]["inputs"]} == SPELLINGS
    assert migrations.rehash_version_contents(db) == 0  # idempotent; and recorded, so apply skips it
    assert 1900 in db.read("migrations/applied_versions")[0]["applied"]


def test_schema_and_data_migrations_never_share_a_number() -> None:
    # a shared number would mark the later one applied without running it
    numbers = [m.version for m in migrations.available()] + [n for n, _, _ in migrations.DATA_MIGRATIONS]
    assert len(numbers) == len(set(numbers))
