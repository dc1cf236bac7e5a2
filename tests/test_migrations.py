from __future__ import annotations

from graphcat.store import migrations
from graphcat.store.database import Database


def test_migrations_are_idempotent_and_recorded(db: Database) -> None:
    first = migrations.apply(db)
    second = migrations.apply(db)
    assert first == second == max(m.version for m in migrations.available())
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
