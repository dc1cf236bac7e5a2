"""Whole-catalog operations: clearing it (tests, `graphcat import --replace`)."""

from __future__ import annotations

from graphcat.store.database import Database


def clear_catalog(db: Database, batch: int = 10_000) -> int:
    """Delete every catalog node and relationship, keeping the schema bookkeeping: the
    relationships first, then the nodes, at most `batch` of either per transaction (so that a
    transaction's memory stays bounded whatever the catalog's size and its hubs). Returns the
    nodes deleted."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    while db.write("admin/clear_catalog_relationships", batch=batch)[0]["deleted"]:
        pass
    total = 0
    while True:
        deleted = db.write("admin/clear_catalog", batch=batch)[0]["deleted"]
        total += deleted
        if deleted == 0:
            return total
