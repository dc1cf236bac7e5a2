"""Which namespaces (experiment and owner ids) catalog nodes belong to (cypher/auth/namespaces)."""

from __future__ import annotations

from graphcat.store.database import Database


def of(db: Database, uids: list[str]) -> dict[str, list[str] | None]:
    """uid -> its namespaces (sorted), or None when no node has that uid."""
    rows = db.read("auth/namespaces", uids=sorted(set(uids)))
    return {r["uid"]: (sorted(set(r["namespaces"])) if r["found"] else None) for r in rows}
