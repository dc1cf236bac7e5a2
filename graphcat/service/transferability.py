"""Transferability: the expected metric of a model version on a dataset version it was not evaluated on.

The model, in full (every number below is a module constant):

1. Evidence is the model version's recorded evaluations of the metric on other dataset versions.
   Dataset versions are compared axis by axis (graphcat.service.dataset_distance): the distance
   d(A, B) is a weighted sum of condition differences, 1 per "substantial shift".
2. Drift: away from its training data a model loses performance roughly in proportion to how far
   it moves on each axis. With the evaluations on the training dataset versions as anchor (v0),
   each other evaluation gives a drop v0 - v_i and the axis distances of D_i from the training
   data. Per-axis drift slopes are fitted by ridge regression in two levels: pooled over its peers
   (the model versions solving one of its tasks, itself included; shrunk towards one common slope
   fitted on the total distance), then for this model version (shrunk towards the pooled slopes).
   An axis nothing has moved along keeps the common slope. RIDGE sets the shrinkage (in units of
   one evaluation one distance unit away).
3. Each evidence i predicts p_i = v_i - drift(T) + drift(D_i) for the target T, where drift(X)
   sums slope_axis * distance_axis(X, train) over the axes; the estimate is their weighted mean
   with weights exp(-d(T, D_i) / BANDWIDTH), multiplied by (1 + 1/h) when D_i is h DERIVED_FROM
   hops from T (shared events, shared processing).
4. Interval: Z times the root of (weighted spread of the p_i)^2 + (residual spread of the drift
   fit)^2 + (common slope * distance to the nearest evidence / 2)^2, at least MIN_HALF_WIDTH, clipped to
   the metric's range. Its coverage is measured, not assumed (docs/transferability.md).
5. "Not enough evidence" when the model version has no evaluation of the metric, when the target
   provides a schema without the model's inputs, or when the nearest evidence is further than
   MAX_DISTANCE. The answer always lists the evidence it used.

Metrics named like background rejection are estimated on a log scale (they are ratios spanning
decades); bounded metrics (auc, accuracy, efficiency...) are clipped to [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from graphcat.errors import InvalidInput, NotFound
from graphcat.service.dataset_distance import AxisDistance, Comparator, Profile, TextEncoder, total
from graphcat.store import transfer as store
from graphcat.store.database import Database

BANDWIDTH = 1.0
MAX_DISTANCE = 4.0
RIDGE = 1.0
Z = 1.64
MIN_HALF_WIDTH = 0.01
BOUNDED = ("auc", "accuracy", "efficiency", "precision", "recall", "f1")

MEASURED = "measured"
ESTIMATED = "estimated"
NOT_ENOUGH = "not_enough_evidence"


@dataclass(frozen=True)
class Evidence:
    dataset_version_uid: str
    value: float
    distance: float  # to the target
    weight: float  # normalised over the evidence used
    prediction: float  # this evaluation carried over to the target
    derived_hops: int | None
    is_training_data: bool
    differences: tuple[AxisDistance, ...]
    unknown_axes: tuple[str, ...]


@dataclass(frozen=True)
class Estimate:
    model_version_uid: str
    dataset_version_uid: str
    metric: str
    status: str  # measured | estimated | not_enough_evidence
    value: float | None
    low: float | None
    high: float | None
    measured: float | None
    reason: str
    drift_per_unit: float | None = None
    drift_source: str | None = None
    drift_by_axis: tuple[tuple[str, float], ...] = ()
    schema_coverage: float | None = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def expected(self) -> float | None:
        """The measured value when there is one, the estimate otherwise."""
        return self.measured if self.measured is not None else self.value


def is_log_metric(metric: str) -> bool:
    return "rejection" in metric


def _to_scale(metric: str, v: float) -> float:
    return math.log(max(v, 1e-9)) if is_log_metric(metric) else v


def _from_scale(metric: str, v: float) -> float:
    if is_log_metric(metric):
        return math.exp(v)
    if metric.split("@")[0] in BOUNDED:
        return min(max(v, 0.0), 1.0)
    return v


def _validate(metric: str) -> str:
    metric = metric.strip().lower()
    if not metric:
        raise InvalidInput("give the metric to estimate, e.g. auc", path="metric")
    return metric


class Estimator:
    """One estimator per request: caches profiles, embeddings and the pooled drift per metric."""

    def __init__(self, db: Database, encoder: TextEncoder | None = None, *,
                 hidden: Iterable[str] = (), hidden_pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.db = db
        self.comparator = Comparator(encoder)
        # Dataset versions whose evaluations are ignored (leave-one-out validation).
        self.hidden = frozenset(hidden)
        # (model version, dataset version) evaluations ignored (leave-one-pair-out validation).
        self.hidden_pairs = frozenset(hidden_pairs)
        self._profiles: dict[str, Profile] = {}
        self._pooled: dict[tuple[str, str], Drift] = {}

    # -- data -------------------------------------------------------------------------------

    def profiles(self, uids: Iterable[str]) -> dict[str, Profile]:
        missing = [u for u in set(uids) if u not in self._profiles]
        if missing:
            for uid, row in store.dataset_profiles(self.db, missing).items():
                self._profiles[uid] = Profile.from_row(row)
        return {u: self._profiles[u] for u in uids if u in self._profiles}

    def axis_vector(self, a: str, trained: Sequence[str]) -> dict[str, float]:
        """Axis distances of dataset version a from the nearest of the training dataset versions."""
        if a in trained or not trained:
            return {}
        best: list[AxisDistance] | None = None
        for t in trained:
            p = self.profiles([a, t])
            axes = self.comparator.axes(p[a], p[t])[0]
            if best is None or total(axes) < total(best):
                best = axes
        return {x.axis: x.distance for x in best or []}

    def drops(self, evals: Sequence[dict[str, Any]], trained: Sequence[str], metric: str) -> list[tuple[dict[str, float], float]]:
        """(axis distances from the training data, v0 - v) for each evaluation away from it."""
        anchors = [_to_scale(metric, e["value"]) for e in evals if e["dataset"] in trained]
        if not anchors:
            return []
        v0 = float(np.mean(anchors))
        out = []
        for e in evals:
            if e["dataset"] not in trained:
                self.profiles([e["dataset"], *trained])
                out.append((self.axis_vector(e["dataset"], trained), v0 - _to_scale(metric, e["value"])))
        return out

    def pooled_drift(self, metric: str, model_version_uid: str) -> "Drift":
        """Per-axis drift pooled over the evaluations of the metric by the model version's peers
        (model versions solving one of its tasks, itself included)."""
        key = (metric, model_version_uid)
        if key not in self._pooled:
            rows = [r for r in store.metric_evaluations(self.db, metric, model_version_uid)
                    if r["dataset"] not in self.hidden and (r["model_version"], r["dataset"]) not in self.hidden_pairs]
            by_model: dict[str, list[dict[str, Any]]] = {}
            for r in rows:
                by_model.setdefault(r["model_version"], []).append(r)
            loaded = self.profiles({r["dataset"] for r in rows} | {t for r in rows for t in r["trained_on"]})
            self.comparator.embed(list(loaded.values()))
            data: list[tuple[dict[str, float], float]] = []
            for evals in by_model.values():
                trained = [t for t in evals[0]["trained_on"] if t in self._profiles]
                data.extend(self.drops(evals, trained, metric))
            scalar = _fit_scalar(data)
            self._pooled[key] = _fit_drift(data, {}, scalar, f"pooled over {len(by_model)} model version(s) of its task")
        return self._pooled[key]

    # -- the estimate -----------------------------------------------------------------------

    def estimate(self, model_version_uid: str, dataset_version_uid: str, metric: str = "auc") -> Estimate:
        metric = _validate(metric)
        ev = store.model_evidence(self.db, model_version_uid, metric)
        if ev is None:
            raise NotFound(f"no model version {model_version_uid!r}", path="modelVersion")
        target_profile = self.profiles([dataset_version_uid]).get(dataset_version_uid)
        if target_profile is None:
            raise NotFound(f"no dataset version {dataset_version_uid!r}", path="dataset")
        measured = next((e["value"] for e in ev["evaluations"] if e["dataset"] == dataset_version_uid), None)
        base = dict(model_version_uid=model_version_uid, dataset_version_uid=dataset_version_uid, metric=metric,
                    measured=measured if dataset_version_uid not in self.hidden
                    and (model_version_uid, dataset_version_uid) not in self.hidden_pairs else None)

        coverage = None
        inputs = set(ev["inputs"])
        if inputs and target_profile.features:
            coverage = len(inputs & target_profile.features) / len(inputs)
            if coverage < 1.0:
                missing = sorted(inputs - target_profile.features)
                return Estimate(**base, status=NOT_ENOUGH, value=None, low=None, high=None, schema_coverage=coverage,
                                reason=f"the dataset does not provide the model's inputs {missing[:5]}"
                                       f"{' ...' if len(missing) > 5 else ''}: it cannot run on it")

        evals = [e for e in ev["evaluations"] if e["dataset"] != dataset_version_uid and e["dataset"] not in self.hidden]
        if not evals:
            return Estimate(**base, status=NOT_ENOUGH if base["measured"] is None else MEASURED,
                            value=None, low=None, high=None, schema_coverage=coverage,
                            reason=f"no other recorded evaluation of {metric} for this model version")

        uids = [e["dataset"] for e in evals] + list(ev["trained_on"]) + [dataset_version_uid]
        profiles = self.profiles(uids)
        self.comparator.embed(list(profiles.values()))
        hops = store.derived_hops(self.db, dataset_version_uid, [e["dataset"] for e in evals])
        trained = [t for t in ev["trained_on"] if t in profiles]

        # Drift per axis: this model version's own drops, shrunk towards its peers' (same task).
        own = self.drops(evals, trained, metric)
        pooled = self.pooled_drift(metric, model_version_uid)
        if not trained or not any(e["dataset"] in trained for e in evals):
            drift = Drift({}, 0.0, pooled.spread, "none: no evaluation on the training data to anchor a drift")
        elif own:
            drift = _fit_drift(own, pooled.per_axis, pooled.scalar,
                               f"own ({len(own)} evaluation(s)) shrunk towards {pooled.source}")
            if len(own) < 3:
                drift = Drift(drift.per_axis, drift.scalar, pooled.spread, drift.source)
        else:
            drift = pooled
        target_drift = drift.loss(self.axis_vector(dataset_version_uid, trained))
        slope = drift.scalar
        spread = drift.spread

        items: list[tuple[dict[str, Any], float, float, float, list[AxisDistance], list[str]]] = []
        for e in evals:
            axes, unknown = self.comparator.axes(target_profile, profiles[e["dataset"]])
            d = total(axes)
            h = hops.get(e["dataset"])
            w = math.exp(-d / BANDWIDTH) * (1.0 + 1.0 / h if h else 1.0)
            p = _to_scale(metric, e["value"]) - target_drift + drift.loss(self.axis_vector(e["dataset"], trained))
            items.append((e, d, w, p, axes, unknown))
        nearest = min(i[1] for i in items)
        weights = np.array([i[2] for i in items])
        weights = weights / weights.sum()
        preds = np.array([i[3] for i in items])
        evidence = tuple(sorted((
            Evidence(dataset_version_uid=e["dataset"], value=e["value"], distance=round(d, 4), weight=round(float(wn), 4),
                     prediction=_from_scale(metric, p), derived_hops=hops.get(e["dataset"]),
                     is_training_data=e["dataset"] in trained, differences=tuple(axes), unknown_axes=tuple(unknown))
            for (e, d, _, p, axes, unknown), wn in zip(items, weights)), key=lambda x: (x.distance, x.dataset_version_uid)))
        if nearest > MAX_DISTANCE:
            return Estimate(**base, status=NOT_ENOUGH, value=None, low=None, high=None, schema_coverage=coverage,
                            drift_per_unit=slope, drift_source=drift.source, evidence=evidence,
                            drift_by_axis=drift.by_axis(),
                            reason=f"the nearest evaluated dataset is {nearest:.2f} away (more than {MAX_DISTANCE:g}): "
                                   f"too different to carry its result over")

        mean = float(weights @ preds)
        wspread = float(np.sqrt(weights @ (preds - mean) ** 2))
        half = Z * math.sqrt(wspread**2 + (spread or 0.0) ** 2 + (0.5 * slope * nearest) ** 2)
        half = max(half, MIN_HALF_WIDTH)
        status = MEASURED if base["measured"] is not None else ESTIMATED
        reason = (f"{len(evals)} evaluation(s) of {metric}; nearest dataset {nearest:.2f} away; "
                  f"expected drift from the training data {target_drift:+.4f} ({drift.source})")
        return Estimate(**base, status=status, value=_from_scale(metric, mean), low=_from_scale(metric, mean - half),
                        high=_from_scale(metric, mean + half), reason=reason, drift_per_unit=slope, drift_source=drift.source,
                        drift_by_axis=drift.by_axis(),
                        schema_coverage=coverage, evidence=evidence)

    def rank_models(self, dataset_version_uid: str, metric: str = "auc") -> list[Estimate]:
        """Model versions for a dataset, best expected first (measured or estimated); no evidence last."""
        metric = _validate(metric)
        if not self.profiles([dataset_version_uid]):
            raise NotFound(f"no dataset version {dataset_version_uid!r}", path="dataset")
        estimates = [self.estimate(uid, dataset_version_uid, metric)
                     for uid in store.candidate_models(self.db, dataset_version_uid, metric)]
        sign = -1.0
        return sorted(estimates, key=lambda e: (e.expected is None, sign * (e.expected or 0.0), e.model_version_uid))


@dataclass(frozen=True)
class Drift:
    """Metric lost per unit of (weighted) distance from the training data, per axis."""

    per_axis: dict[str, float]
    scalar: float  # the common slope, for axes no evaluation has moved along
    spread: float | None  # residual spread of the fit
    source: str

    def loss(self, axes: dict[str, float]) -> float:
        return float(sum(self.per_axis.get(a, self.scalar) * d for a, d in axes.items()))

    def by_axis(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted((a, round(v, 6)) for a, v in self.per_axis.items()))


def _fit_scalar(data: Sequence[tuple[dict[str, float], float]]) -> float:
    """Least-squares slope through the origin of drop vs total distance, never negative."""
    d = np.array([sum(x.values()) for x, _ in data])
    y = np.array([drop for _, drop in data])
    if len(d) == 0 or float(d @ d) == 0.0:
        return 0.0
    return max(float(d @ y / (d @ d)), 0.0)


def _fit_drift(data: Sequence[tuple[dict[str, float], float]], prior: dict[str, float], scalar: float,
               source: str) -> Drift:
    """Ridge regression of drops on axis distances, shrunk towards `prior` (or `scalar`) per axis."""
    axes = sorted({a for x, _ in data for a in x} | set(prior))
    if not data or not axes:
        return Drift(dict(prior), scalar, None, source)
    x = np.array([[row.get(a, 0.0) for a in axes] for row, _ in data])
    y = np.array([drop for _, drop in data])
    beta0 = np.array([prior.get(a, scalar) for a in axes])
    beta = np.linalg.solve(x.T @ x + RIDGE * np.eye(len(axes)), x.T @ y + RIDGE * beta0)
    resid = y - x @ beta
    spread = float(np.sqrt((resid**2).sum() / max(len(data) - 1, 1))) if len(data) >= 2 else None
    return Drift(dict(zip(axes, (float(b) for b in beta))), scalar, spread, source)


def transferability(db: Database, model_version_uid: str, dataset_version_uid: str, metric: str = "auc",
                    encoder: TextEncoder | None = None) -> Estimate:
    return Estimator(db, encoder).estimate(model_version_uid, dataset_version_uid, metric)


def rank_models(db: Database, dataset_version_uid: str, metric: str = "auc",
                encoder: TextEncoder | None = None) -> list[Estimate]:
    return Estimator(db, encoder).rank_models(dataset_version_uid, metric)
