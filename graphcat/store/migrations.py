"""Schema migrations: constraints and indexes in cypher/schema/NNNN_name.cypher, then data migrations.

Each schema file holds one schema command written with IF NOT EXISTS, so applying is idempotent.
Data migrations (DATA_MIGRATIONS: a version, a name and a function over the stored catalog) run
after them, each once: a catalog that has it recorded skips it, and each is idempotent anyway.
The applied versions are recorded as (:GraphcatMigration) nodes and the highest one on the
(:GraphcatSchema {id: 'graphcat'}) node.

- 1900 content_hash_normalised_shapes: versions' content and content hash compare shapes as
  matching sees them (graphcat.content: every spelling of "any length" is null), so a
  catalog written before hashes the spellings (-1, "N") differently; their stored content and hash
  are re-canonicalised. The Feature nodes (and their `shape_given` spelling) are left as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from graphcat.content import canonical_json, canonical_version, content_hash
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
    versions = [m.version for m in found] + [number for number, _, _ in DATA_MIGRATIONS]
    if len(set(versions)) != len(versions):
        raise GraphcatError(f"two migrations (schema files or data migrations) share a version number: {sorted(versions)}")
    return sorted(found, key=lambda m: m.version)


def current_version(db: Database) -> int | None:
    rows = db.read("migrations/applied_versions")
    return rows[0]["schema_version"] if rows else None


def rehash_version_contents(db: Database) -> int:
    """Re-canonicalise every version's stored content and hash (graphcat.content); the
    number of versions rewritten."""
    changed = []
    for row in db.read("migrations/version_contents"):
        content = canonical_version(json.loads(row["content_json"]))
        digest = content_hash(content)
        if digest != row["content_hash"]:
            changed.append({"uid": row["uid"], "content_json": canonical_json(content), "content_hash": digest})
    for start in range(0, len(changed), 500):
        db.write("migrations/set_version_contents", rows=changed[start:start + 500])
    return len(changed)


DATA_MIGRATIONS: list[tuple[int, str, Callable[[Database], int]]] = [
    (1900, "content_hash_normalised_shapes", rehash_version_contents),
]


def latest() -> int:
    """The version a fully migrated catalog records."""
    return max([m.version for m in available()] + [v for v, _, _ in DATA_MIGRATIONS])


def apply(db: Database) -> int:
    """Apply every migration (schema ones idempotently, data ones once) and return the recorded version."""
    version = 0
    for migration in available():
        db.run_schema(migration.query_name)
        rows = db.write("migrations/record_applied", version=migration.version, name=migration.name)
        version = rows[0]["version"]
    done = set(db.read("migrations/applied_versions")[0]["applied"])
    for number, name, run in DATA_MIGRATIONS:
        if number not in done:
            run(db)
        version = db.write("migrations/record_applied", version=number, name=name)[0]["version"]
    return version
