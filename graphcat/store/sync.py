"""Sync bookkeeping (graphcat.sync): the cursor per peer site, the provenance of synced entities,
and deleting what a peer deleted. The named queries of cypher/sync/."""

from __future__ import annotations

from typing import Any, Iterable

from graphcat.store.database import Database, Tx

# Provenance: the property naming the peer site an entity was first synced from (absent: registered here).
ORIGIN = "synced_from"


def cursor(db_or_tx: Database | Tx, site: str) -> dict[str, Any] | None:
    """{site, last_change, last_change_at} of peer `site`, None before its first sync."""
    rows = db_or_tx.run("sync/cursor", site=site) if isinstance(db_or_tx, Tx) else db_or_tx.read("sync/cursor", site=site)
    return rows[0]["peer"] if rows else None


def save_cursor(tx: Tx, site: str, change: str, at: str) -> bool:
    """Move peer `site`'s cursor to `change` in the batch's transaction; False when it was there already."""
    return bool(tx.run("sync/set_cursor", site=site, change=change, at=at)[0]["moved"])


def peers(db: Database) -> list[dict[str, Any]]:
    return [row["peer"] for row in db.read("sync/peers")]


def mark_origin(tx: Tx, uids: Iterable[str], site: str) -> int:
    keys = sorted(set(uids))
    return tx.run("sync/set_origin", uids=keys, site=site)[0]["marked"] if keys else 0


def origins(db_or_tx: Database | Tx, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """uid -> {uid, kind, site} for the catalog entities among `uids` (site None: registered here)."""
    keys = sorted(set(uids))
    if not keys:
        return {}
    rows = db_or_tx.run("sync/origins", uids=keys) if isinstance(db_or_tx, Tx) else db_or_tx.read("sync/origins", uids=keys)
    return {row["uid"]: row for row in rows}


def delete_synced(tx: Tx, uids: Iterable[str], site: str) -> list[str]:
    """Delete the entities among `uids` that came from `site` (with their features and evaluations)."""
    keys = sorted(set(uids))
    return [row["deleted"] for row in tx.run("sync/delete_synced", uids=keys, site=site)] if keys else []
