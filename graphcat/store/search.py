"""The search box's store queries (cypher/search/): full-text ranking, and nodes with their facet values."""

from __future__ import annotations

from typing import Any

from graphcat.store.database import Database


def fulltext(db: Database, query: str, kinds: list[str], limit: int) -> list[tuple[str, float]]:
    """(uid, Lucene score) of nodes of `kinds` matching the Lucene `query`, best first.

    `query` must already be a safe Lucene query (graphcat.service.fulltext_query builds one); it
    travels as a parameter, so it can never change the Cypher around it."""
    rows = db.read("search/catalog_fulltext", query=query, kinds=kinds, limit=limit)
    return [(row["uid"], float(row["score"])) for row in rows]


def rows_for(db: Database, uids: list[str]) -> list[dict[str, Any]]:
    """Rows {node, tasks, detectors, experiments, frameworks} for the nodes with these uids (any order)."""
    return db.read("search/catalog_rows", uids=uids)


def browse(db: Database, kinds: list[str]) -> list[dict[str, Any]]:
    """The same rows for every node of `kinds`: the search box before anything is typed."""
    return db.read("search/catalog_browse", kinds=kinds)
