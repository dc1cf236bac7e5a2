"""Browsing reads: keyset pages of every catalog kind and of Hardware, and the catalog summary
(the named queries of cypher/browse/)."""

from __future__ import annotations

from typing import Any

from graphcat import domain
from graphcat.store.catalog import to_domain
from graphcat.store.database import Database

# Filters of browse/page and browse/count; every one is null unless given.
FILTERS = ("task", "owner", "framework", "experiment", "roots_only", "model_version", "dataset_version", "dataset", "metric",
           "data_type", "max_p99_ms", "alias", "has_alias")


def _params(kind: str, filters: dict[str, Any]) -> dict[str, Any]:
    # uids are "<kind>:<id>": every uid of the kind lies strictly between "<kind>:" and "<kind>;"
    # (";" follows ":"), and no other kind's ("model_version:..." > "model;").
    return {"kind": kind, "after": f"{kind}:", "upper": f"{kind};", **{k: filters.get(k) for k in FILTERS}}


def entities_page(db: Database, kind: str, *, filters: dict[str, Any], after: str | None,
                  limit: int) -> list[domain.Node]:
    """The `limit` nodes of `kind` after the uid `after` (None: from the start), sorted by uid."""
    params = _params(kind, filters)
    if after is not None:
        params["after"] = after
    rows = db.read("browse/page", **params, limit=limit)
    return [to_domain(r["item"]) for r in rows]


def count_entities(db: Database, kind: str, *, filters: dict[str, Any]) -> int:
    return int(db.read("browse/count", **_params(kind, filters))[0]["total_count"])


def hardware_page(db: Database, *, after: str | None, limit: int) -> list[dict[str, Any]]:
    return [r["item"] for r in db.read("browse/hardware_page", after=after or "", limit=limit)]


def kind_counts(db: Database) -> dict[str, int]:
    return {k: int(v) for k, v in db.read("browse/summary_kinds")[0]["counts"].items()}


def task_counts(db: Database) -> list[dict[str, Any]]:
    return [{**r, "task": to_domain(r["task"])} for r in db.read("browse/summary_tasks")]


def experiment_counts(db: Database) -> list[dict[str, Any]]:
    return [{**r, "experiment": to_domain(r["experiment"])} for r in db.read("browse/summary_experiments")]


def framework_counts(db: Database) -> list[dict[str, Any]]:
    return db.read("browse/summary_frameworks")


def alias_counts(db: Database) -> list[dict[str, Any]]:
    return db.read("browse/summary_aliases")


def model_facets(db: Database, *, filters: dict[str, Any], budgets: list[float]) -> dict[str, Any]:
    """One row: per facet a list of {value, count}, and `total` (browse/model_facets)."""
    params = {k: filters.get(k) for k in ("task", "owner", "experiment", "framework", "data_type", "max_p99_ms", "alias",
                                          "has_alias")}
    return db.read("browse/model_facets", **params, budgets=budgets)[0]
