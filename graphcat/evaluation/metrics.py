"""Metrics of a model's scores against the file's labels, with scikit-learn, and their bootstrap interval.

Names (as the catalog records them): `auc`, `background_rejection@E` (`bkg_rejection@E` accepted:
1 / background efficiency at the first ROC point keeping at least a fraction E of the signal, with
one passing background event assumed when none passes, as graphcat.study records it), `accuracy`
(score >= 0.5 is signal), `mse`. The interval is the 2.5-97.5 % percentile range of the metric on
BOOTSTRAP resamples of the events (stratified by label for the classification metrics).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score, roc_curve
from sklearn.utils import resample

from graphcat.evaluation.errors import LabelProblem, UnknownMetric

DEFAULT = ("auc",)
BOOTSTRAP = 200
SEED = 0
LOWER_IS_BETTER = frozenset({"mse"})
_REJECTION = re.compile(r"^(?:bkg|background)_rejection@(0?\.\d+|1(?:\.0*)?)$")
NAMES = "auc, background_rejection@<efficiency> (or bkg_rejection@<efficiency>), accuracy, mse"


@dataclass(frozen=True)
class Metric:
    name: str  # as recorded
    classification: bool
    compute: Callable[[np.ndarray, np.ndarray], float]

    def interval(self, labels: np.ndarray, scores: np.ndarray, n: int = BOOTSTRAP) -> tuple[float, float]:
        rng = np.random.RandomState(SEED)
        values = []
        for _ in range(n):
            lab, sco = resample(labels, scores, random_state=rng, stratify=labels if self.classification else None)
            values.append(self.compute(lab, sco))
        low, high = np.percentile(values, [2.5, 97.5])
        return float(low), float(high)


def _rejection(efficiency: float) -> Callable[[np.ndarray, np.ndarray], float]:
    def compute(labels: np.ndarray, scores: np.ndarray) -> float:
        fpr, tpr, _ = roc_curve(labels, scores)
        at = int(np.argmax(tpr >= efficiency))
        n_bkg = int((labels == 0).sum())
        return float(1.0 / fpr[at]) if fpr[at] > 0 else float(n_bkg)

    return compute


def parse(names: str | list[str] | tuple[str, ...] | None) -> list[Metric]:
    if names is None:
        names = list(DEFAULT)
    if isinstance(names, str):
        names = names.split(",")
    out: list[Metric] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name == "auc":
            out.append(Metric("auc", True, lambda y, s: float(roc_auc_score(y, s))))
        elif name == "accuracy":
            out.append(Metric("accuracy", True, lambda y, s: float(accuracy_score(y, s >= 0.5))))
        elif name == "mse":
            out.append(Metric("mse", False, lambda y, s: float(mean_squared_error(y, s))))
        elif m := _REJECTION.match(name):
            eff = float(m[1])
            out.append(Metric(f"background_rejection@{eff:g}", True, _rejection(eff)))
        else:
            raise UnknownMetric(f"unknown metric {raw.strip()!r}; known: {NAMES}", path="metric")
    if not out:
        raise UnknownMetric(f"no metric given; known: {NAMES}", path="metric")
    return list({m.name: m for m in out}.values())


def check_labels(labels: np.ndarray, metrics: list[Metric], column: str) -> np.ndarray:
    """The labels as numbers; binary 0/1 when a classification metric is asked for."""
    try:
        values = np.asarray(labels, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LabelProblem(f"label column {column!r} is not numeric ({exc})", path="label") from exc
    if not np.all(np.isfinite(values)):
        raise LabelProblem(f"label column {column!r} has NaN or infinite values", path="label")
    if any(m.classification for m in metrics):
        found = np.unique(values)
        if not set(found.tolist()) <= {0.0, 1.0}:
            shown = ", ".join(f"{v:g}" for v in found[:6])
            raise LabelProblem(f"label column {column!r} is not binary (values {shown}{' ...' if len(found) > 6 else ''})"
                               f"; {', '.join(m.name for m in metrics if m.classification)} need 0/1 labels",
                               path="label")
        if len(found) < 2:
            raise LabelProblem(f"label column {column!r} has only one class ({found[0]:g}): "
                               f"{', '.join(m.name for m in metrics if m.classification)} need both", path="label")
    return values
