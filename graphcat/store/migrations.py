"""Schema migrations: constraints and indexes in cypher/schema/NNNN_name.cypher.

Each file holds one schema command written with IF NOT EXISTS, so applying is idempotent. The
applied versions are recorded as (:GraphcatMigration) nodes and the highest one on the
(:GraphcatSchema {id: 'graphcat'}) node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphcat.errors import GraphcatError
from graphcat.store import queries
from graphcat.store.database import Database

_NAME = re.compile(r"^schema/(\d{4})_([a-z0-9_]+)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    query_name: str


def available() -> list[Migration]:
    found = []
    for name in queries.names("schema/"):
        match = _NAME.match(name)
        if not match:
            raise GraphcatError(f"cypher/{name}.cypher: schema files are named NNNN_snake_case.cypher")
        found.append(Migration(int(match.group(1)), match.group(2), name))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise GraphcatError(f"two schema files share a version number: {sorted(versions)}")
    return sorted(found, key=lambda m: m.version)


def current_version(db: Database) -> int | None:
    rows = db.read("migrations/applied_versions")
    return rows[0]["schema_version"] if rows else None


def apply(db: Database) -> int:
    """Apply every migration (idempotently) and return the recorded schema version."""
    version = 0
    for migration in available():
        db.run_schema(migration.query_name)
        rows = db.write("migrations/record_applied", version=migration.version, name=migration.name)
        version = rows[0]["version"]
    return version
