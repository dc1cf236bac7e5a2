"""The catalog revision token: a cheap "has the catalog changed?" probe for the recommender's index.

Every catalog write through graphcat calls `bump_revision(tx)` inside its own transaction, so the
token changes exactly when such a write commits. The token is `<epoch>:<revision>`; the epoch is
drawn anew whenever the state node is created (after the catalog was cleared), so a revision
number never comes back with another meaning. A writer that does not bump it is still caught: the
index's fingerprint is computed from the catalog's content (graphcat.service.vector_index).
"""

from __future__ import annotations

from graphcat.store.database import Database, Tx


def bump_revision(tx: Tx) -> str:
    return str(tx.run("index/bump_revision")[0]["token"])


def catalog_revision(db: Database) -> str | None:
    rows = db.read("index/catalog_revision")
    return revision_token(rows[0]["state"]) if rows else None


def revision_token(state: dict[str, object] | None) -> str | None:
    """The token of a revision state node's properties (None: no write recorded one yet)."""
    return None if state is None else f"{state['epoch']}:{state['revision']}"
