"""Leave-one-configuration-out: how good are the transferability estimates, measured honestly.

For each shifted configuration X, every evaluation on X (of every model) is hidden from the
estimator, which then estimates each model on X from what remains; the estimate is compared with
the measured value. The naive baseline says "the same as on the training dataset". Reported per
metric: Spearman rank correlation and mean absolute error of both against the measurements, and
how often the measurement falls inside the estimator's interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from graphcat.service.dataset_distance import TextEncoder
from graphcat.service.transferability import Estimator, is_log_metric
from graphcat.store.database import Database
from graphcat.study import metrics as m


@dataclass(frozen=True)
class Row:
    model_version_uid: str
    config_id: str
    metric: str
    measured: float
    estimated: float | None
    low: float | None
    high: float | None
    baseline: float
    status: str


@dataclass(frozen=True)
class Summary:
    metric: str
    n: int
    spearman: float
    spearman_baseline: float
    mae: float
    mae_baseline: float
    coverage: float
    not_enough_evidence: int
    spearman_within_model: float  # mean over models of the rank correlation across held-out configurations


class MemoEncoder:
    """An encoder that remembers each text's vector: every held-out run makes a new Estimator, and
    re-encoding the same descriptions each time dominated the validation's run time."""

    def __init__(self, inner: TextEncoder) -> None:
        self.inner = inner
        self.vectors: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if todo:
            for t, v in zip(todo, np.asarray(self.inner.encode(todo))):
                self.vectors[t] = v
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 0))


def leave_one_out(db: Database, model_uids: list[str], configs: dict[str, str], base_config: str,
                  measured: dict[str, dict[str, dict[str, float]]], metric_names: list[str],
                  encoder: TextEncoder | None = None, *, pairs: bool = False,
                  estimator_class: Callable[..., Any] = Estimator) -> list[Row]:
    """configs maps config id -> dataset version uid; measured[model_uid][config][metric].

    pairs=False hides the whole configuration (a new dataset nobody has evaluated on); pairs=True
    hides only the estimated (model, configuration) evaluation, so the other models' results on
    that configuration remain evidence (a dataset some models were already evaluated on).
    estimator_class: another estimator with Estimator's interface (graphcat.study.legacy: an earlier one)."""
    rows: list[Row] = []
    if encoder is not None and not isinstance(encoder, MemoEncoder):
        encoder = MemoEncoder(encoder)
    for config_id, dsv in configs.items():
        if config_id == base_config:
            continue
        for mv in model_uids:
            estimator = (estimator_class(db, encoder, hidden_pairs={(mv, dsv)}) if pairs
                         else estimator_class(db, encoder, hidden={dsv}))
            for metric in metric_names:
                est = estimator.estimate(mv, dsv, metric)
                rows.append(Row(mv, config_id, metric, measured[mv][config_id][metric], est.value, est.low, est.high,
                                measured[mv][base_config][metric], est.status))
    return rows


def summarise(rows: list[Row], metric: str) -> Summary:
    sel = [r for r in rows if r.metric == metric]
    usable = [r for r in sel if r.estimated is not None]
    scale = (lambda v: np.log(np.asarray(v))) if is_log_metric(metric) else (lambda v: np.asarray(v))
    truth = scale([r.measured for r in usable])
    est = scale([r.estimated for r in usable])
    base = scale([r.baseline for r in usable])
    within = []
    for uid in sorted({r.model_version_uid for r in usable}):
        mine = [r for r in usable if r.model_version_uid == uid]
        rho = m.spearman(scale([r.estimated for r in mine]), scale([r.measured for r in mine]))
        if not np.isnan(rho):
            within.append(rho)
    inside = [r.low is not None and r.high is not None and r.low <= r.measured <= r.high for r in usable]
    return Summary(metric=metric, n=len(usable), spearman=m.spearman(est, truth), spearman_baseline=m.spearman(base, truth),
                   mae=m.mae(est, truth), mae_baseline=m.mae(base, truth),
                   coverage=float(np.mean(inside)) if inside else float("nan"),
                   not_enough_evidence=len(sel) - len(usable),
                   spearman_within_model=float(np.mean(within)) if within else float("nan"))
