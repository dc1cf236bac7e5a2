"""Measured evaluations in the graph (named queries under cypher/evaluation/)."""

from __future__ import annotations

import json
from typing import Any

from graphcat.errors import NotFound
from graphcat.store.database import Database, Tx


def dataset_by_digest(db: Database, sha256: str) -> str | None:
    rows = db.read("evaluation/dataset_by_digest", digest=f"sha256:{sha256}")
    return rows[0]["uid"] if rows else None


def detector_experiments(db: Database, uids: list[str]) -> dict[str, list[str]]:
    """The experiments of each detector uid the catalog holds (absent ones are left out)."""
    if not uids:
        return {}
    return {r["uid"]: r["experiments"] for r in db.read("evaluation/detector_experiments", uids=sorted(set(uids)))}


def record_measured(tx: Tx, evaluation_uid: str, *, sha256: str, rows: int, mapping: dict[str, str],
                    graphcat_version: str, label: str, interval: tuple[float, float] | None,
                    estimate: tuple[float, float, float] | None, gap: float | None) -> None:
    done = tx.run("evaluation/record_measured", uid=evaluation_uid, data_sha256=sha256, data_rows=rows,
                  mapping=json.dumps(mapping, sort_keys=True), graphcat_version=graphcat_version, label=label,
                  ci_low=interval[0] if interval else None, ci_high=interval[1] if interval else None,
                  estimate=estimate[0] if estimate else None, estimate_low=estimate[1] if estimate else None,
                  estimate_high=estimate[2] if estimate else None, estimate_gap=gap)
    if not done:
        raise NotFound(f"evaluation {evaluation_uid} was not written", path="evaluation")


def leaderboard(db: Database, dataset_version_uid: str, metric: str) -> list[dict[str, Any]]:
    return db.read("evaluation/leaderboard", dataset=dataset_version_uid, metric=metric)


def leaderboard_filter(db: Database, uids: list[str], *, framework: str | None, hardware: str | None,
                       max_p99_ms: float | None) -> dict[str, dict[str, Any]]:
    """The model versions among `uids` that pass the filters, each with its fastest fitting p99 and machine."""
    if not uids:
        return {}
    rows = db.read("evaluation/leaderboard_filter", uids=sorted(set(uids)), framework=framework, hardware=hardware,
                   max_p99_ms=max_p99_ms)
    return {r["uid"]: r for r in rows}
