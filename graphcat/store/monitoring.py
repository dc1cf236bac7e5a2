"""Quality monitoring in the graph (named queries under cypher/monitoring/): the evaluations a
metric history is made of, the configured bands (MonitorThreshold) and the states last notified
per series (MonitorNotice)."""

from __future__ import annotations

from typing import Any

from graphcat.store.database import Database


def evaluations(db: Database, *, model_version: str | None, metric: str | None,
                dataset: str | None) -> list[dict[str, Any]]:
    """The evaluations of a model version (None: of every version carrying an alias)."""
    return db.read("monitoring/evaluations", model_version=model_version, metric=metric, dataset=dataset)


def version_with_alias(db: Database, model_uid: str, alias: str) -> str | None:
    rows = db.read("monitoring/version_with_alias", model=model_uid, alias=alias)
    return rows[0]["uid"] if rows else None


def set_threshold(db: Database, key: str, *, model: str, alias: str, metric: str, low: float | None,
                  high: float | None) -> None:
    db.write("monitoring/set_threshold", key=key, model=model, alias=alias, metric=metric, min=low, max=high)


def delete_threshold(db: Database, key: str) -> bool:
    return bool(db.write("monitoring/delete_threshold", key=key)[0]["deleted"])


def thresholds(db: Database) -> list[dict[str, Any]]:
    return db.read("monitoring/thresholds")


def notices(db: Database) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in db.read("monitoring/notices")}


def set_notices(db: Database, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.write("monitoring/set_notices", rows=rows)
