"""Whole-catalog operations: clearing it (tests, `graphcat import --replace`)."""

from __future__ import annotations

from graphcat.store.database import Database


def clear_catalog(db: Database, batch: int = 10_000) -> int:
    """Delete every catalog node and relationship, keeping the schema bookkeeping."""
    total = 0
    while True:
        deleted = db.write("admin/clear_catalog", batch=batch)[0]["deleted"]
        total += deleted
        if deleted == 0:
            return total
