"""Reads the transferability estimator needs (named queries under cypher/transfer/)."""

from __future__ import annotations

from typing import Any, Iterable

from graphcat.store.database import Database


def model_evidence(db: Database, model_version_uid: str, metric: str) -> dict[str, Any] | None:
    rows = db.read("transfer/model_evidence", model_version=model_version_uid, metric=metric)
    return rows[0] if rows else None


def dataset_profiles(db: Database, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    rows = db.read("transfer/dataset_profiles", uids=sorted(set(uids)))
    return {row["props"]["uid"]: row for row in rows}


def derived_hops(db: Database, target: str, others: Iterable[str]) -> dict[str, int]:
    others = sorted(set(others) - {target})
    if not others:
        return {}
    return {row["uid"]: row["hops"] for row in db.read("transfer/derived_hops", target=target, others=others)}


def metric_evaluations(db: Database, metric: str, model_version_uid: str) -> list[dict[str, Any]]:
    """Evaluations of the metric by model versions sharing a task with the given one (its peers)."""
    return db.read("transfer/metric_evaluations", metric=metric, model_version=model_version_uid)


def feature_columns(db: Database, model_version_uid: str, dataset_version_uid: str) -> tuple[list[dict[str, Any]],
                                                                                            list[dict[str, Any]]]:
    """(the model version's inputs, the dataset version's provided features), name/dtype/shape/unit each."""
    rows = db.read("transfer/feature_columns", model_version=model_version_uid, dataset=dataset_version_uid)
    return (rows[0]["inputs"], rows[0]["provided"]) if rows else ([], [])


def candidate_models(db: Database, dataset_version_uid: str, metric: str) -> list[str]:
    return [row["uid"] for row in db.read("transfer/candidate_models", dataset_version=dataset_version_uid, metric=metric)]
