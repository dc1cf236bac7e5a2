"""The search box's store query (cypher/search/): text match over catalog nodes with facet values."""

from __future__ import annotations

from typing import Any

from graphcat.store.database import Database


def catalog_text(db: Database, text: str, kinds: list[str]) -> list[dict[str, Any]]:
    """Rows {node, tasks, detectors, experiments, frameworks} for nodes of `kinds` containing `text`."""
    return db.read("search/catalog_text", text=text, kinds=kinds)
