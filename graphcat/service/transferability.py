"""Transferability: the expected metric of a model version on a dataset version it was not evaluated on.

The model, in full (every number below is a module constant):

1. Evidence is the model version's recorded evaluations of the metric on other dataset versions.
   Dataset versions are compared axis by axis (graphcat.service.dataset_distance): the distance
   d(A, B) is a weighted sum of condition differences, 1 per "substantial shift". Numeric axes
   (sqrt(s), pile-up, jet pT, conditions.parameters such as a resolution or a generator setting)
   also give signed coordinates; the other axes are categorical (a tune name, a generator...).
2. Response: relative to its training data (the anchor, value v0), the model's metric is taken as
   v(D) = v0 + sum_k (beta_k dx_k(D) - alpha_k |dx_k(D)|) - sum_c gamma_c c_c(D), where dx_k is D's
   signed offset from the training data on numeric axis k: beta_k is the trend along the axis (the
   task itself gets easier or harder, e.g. a W's decay products merge as pT rises), alpha_k the
   cost of moving away from what the model was trained on in either direction (a model is tuned
   to its training point); c_c is a categorical distance, gamma_c its penalty per unit. The
   description embedding only weighs evidence (step 3), it gets no coefficient. The coefficients
   are fitted by ridge regression in two levels: pooled over its peers (the model versions solving
   one of its tasks, itself included; beta and alpha shrunk towards 0, categorical penalties
   towards one common penalty per unit fitted on the total categorical distance), then for this
   model version (shrunk towards the pooled coefficients). RIDGE sets the shrinkage (in units of
   one evaluation one unit away), so a model with few points on an axis takes it from its peers.
3. Each evidence i predicts p_i = v_i + response(T) - response(D_i) for the target T: it is
   carried along the axes by the fitted response (interpolating between evaluations on an axis,
   extrapolating beyond them). The estimate is their weighted mean with weights
   exp(-d(T, D_i) / BANDWIDTH), multiplied by (1 + 1/h) when D_i is h DERIVED_FROM hops from T.
4. Interval: Z times the root of (weighted spread of the p_i)^2 + sigma^2 + the weighted mean of
   the coefficient variance carried over each evidence's offset (dz_i' Cov dz_i, with Cov =
   sigma^2 (Z'Z + RIDGE I)^-1 of the fit), where sigma is the residual spread of the fit (the
   peers' when the model has fewer than MIN_OWN evaluations). The last term grows with the
   distance the estimate is carried, so extrapolation widens the interval; at least
   MIN_HALF_WIDTH, clipped to the metric's range. Its coverage is measured (docs/transferability.md).
5. "Not enough evidence" when the model version has no evaluation of the metric, when the target
   provides a schema without the model's inputs, or when the nearest evidence is further than
   MAX_DISTANCE. The answer always lists the evidence it used.

`drift_by_axis` reports the fitted coefficients as metric lost per unit: for a numeric axis, per
unit of increase along it (negative: the model gains), and as "<axis> (either way)" per unit moved
away from the training data in either direction; for a categorical one, per unit of difference.

Metrics named like background rejection are estimated on a log scale (they are ratios spanning
decades); bounded metrics (auc, accuracy, efficiency...) are clipped to [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from graphcat.errors import InvalidInput, NotFound
from graphcat.features import decode_shape
from graphcat.service.dataset_distance import AxisDistance, Comparator, Profile, TextEncoder, signed, total
from graphcat.service.transfer_response import MIN_OWN, RIDGE, Offsets, Response, common_penalty, difference, fit_response
from graphcat.store import transfer as store
from graphcat.store.database import Database

BANDWIDTH = 1.0
MAX_DISTANCE = 4.0
Z = 1.64
MIN_HALF_WIDTH = 0.01
BOUNDED = ("auc", "accuracy", "efficiency", "precision", "recall", "f1")

MEASURED = "measured"
ESTIMATED = "estimated"
NOT_ENOUGH = "not_enough_evidence"
# The response (step 2) lives in graphcat.service.transfer_response; its names are re-exported here.
__all__ = ["BANDWIDTH", "ESTIMATED", "MAX_DISTANCE", "MEASURED", "MIN_OWN", "NOT_ENOUGH", "RIDGE", "Estimate", "Estimator",
           "Evidence", "Offsets", "Response", "Target", "common_penalty", "fit_response", "is_log_metric", "rank_models",
           "transferability"]


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
class Target:
    """A dataset version the catalog does not hold (yet), e.g. an uploaded file with what the user
    says about it (graphcat.evaluation.about): its profile row in the form transfer/dataset_profiles
    returns, and its provided features as stored (name, dtype, encoded shape, unit, description)."""

    row: dict[str, Any]
    provided: list[dict[str, Any]]


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


# Not a physical condition: the description embedding weighs evidence but gets no response of its
# own (it restates the conditions in words, so a slope on it would double-count theirs).
WEIGHT_ONLY_AXES = ("description",)


class Estimator:
    """One estimator per request: caches profiles, embeddings and the pooled response per metric."""

    def __init__(self, db: Database, encoder: TextEncoder | None = None, *,
                 hidden: Iterable[str] = (), hidden_pairs: Iterable[tuple[str, str]] = (),
                 targets: Mapping[str, Target] | None = None) -> None:
        self.db = db
        self.comparator = Comparator(encoder)
        # Dataset versions whose evaluations are ignored (leave-one-out validation).
        self.hidden = frozenset(hidden)
        # (model version, dataset version) evaluations ignored (leave-one-pair-out validation).
        self.hidden_pairs = frozenset(hidden_pairs)
        self._profiles: dict[str, Profile] = {}
        # Dataset versions outside the catalog that estimates may target (never used as evidence).
        self.targets = dict(targets or {})
        for u, t in self.targets.items():
            self._profiles[u] = Profile.from_row(t.row)
        self._pooled: dict[tuple[str, str], Response] = {}

    # -- data -------------------------------------------------------------------------------

    def profiles(self, uids: Iterable[str]) -> dict[str, Profile]:
        missing = [u for u in set(uids) if u not in self._profiles]
        if missing:
            for uid, row in store.dataset_profiles(self.db, missing).items():
                self._profiles[uid] = Profile.from_row(row)
        return {u: self._profiles[u] for u in uids if u in self._profiles}

    def offsets(self, a: str, trained: Sequence[str]) -> Offsets:
        """Where dataset version a lies relative to the nearest training dataset version: signed
        offsets on the numeric axes both record, distances on the other (categorical) axes."""
        if a in trained or not trained:
            return {}
        best: tuple[float, Offsets] | None = None
        for t in trained:
            p = self.profiles([a, t])
            axes = self.comparator.axes(p[a], p[t])[0]
            numeric = signed(p[a], p[t])
            z = {f"num:{k}": v for k, v in numeric.items()}
            z.update({f"abs:{k}": abs(v) for k, v in numeric.items()})
            for x in axes:
                if x.axis not in numeric and x.axis not in WEIGHT_ONLY_AXES:
                    z[f"cat:{x.axis}"] = z.get(f"cat:{x.axis}", 0.0) + x.distance
            if best is None or total(axes) < best[0]:
                best = (total(axes), z)
        return best[1] if best else {}

    def changes(self, evals: Sequence[dict[str, Any]], trained: Sequence[str], metric: str) -> list[tuple[Offsets, float]]:
        """(offsets from the training data, v - v0) for each evaluation away from it."""
        anchors = [_to_scale(metric, e["value"]) for e in evals if e["dataset"] in trained]
        if not anchors:
            return []
        v0 = float(np.mean(anchors))
        out = []
        for e in evals:
            if e["dataset"] not in trained:
                self.profiles([e["dataset"], *trained])
                out.append((self.offsets(e["dataset"], trained), _to_scale(metric, e["value"]) - v0))
        return out

    def pooled_response(self, metric: str, model_version_uid: str) -> "Response":
        """The response pooled over the evaluations of the metric by the model version's peers
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
            data: list[tuple[Offsets, float]] = []
            for evals in by_model.values():
                trained = [t for t in evals[0]["trained_on"] if t in self._profiles]
                data.extend(self.changes(evals, trained, metric))
            penalty = common_penalty(data)
            self._pooled[key] = fit_response(data, {}, penalty,
                                             f"pooled over {len(by_model)} model version(s) of its task")
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
        derived_note = ""
        inputs = set(ev["inputs"])
        if inputs and target_profile.features:
            coverage = len(inputs & target_profile.features) / len(inputs)
            if coverage < 1.0:
                missing = sorted(inputs - target_profile.features)
                # Not by name: the recommender's matching may still feed every input, from packed
                # columns (E_0..E_199) or derived ones (pt from px, py; eta relative to the jet axis).
                fed, detail = _derivable(self.db, model_version_uid, dataset_version_uid,
                                         self.targets.get(dataset_version_uid))
                if not fed:
                    return Estimate(**base, status=NOT_ENOUGH, value=None, low=None, high=None, schema_coverage=coverage,
                                    reason=f"the dataset does not provide the model's inputs {missing[:5]}"
                                           f"{' ...' if len(missing) > 5 else ''}, nor columns to derive them from"
                                           f"{f' ({detail})' if detail else ''}: it cannot run on it")
                coverage = 1.0
                derived_note = f"; inputs prepared from the dataset's columns ({detail})"

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

        # Response per axis: this model version's own changes, shrunk towards its peers' (same task).
        own = self.changes(evals, trained, metric)
        pooled = self.pooled_response(metric, model_version_uid)
        if not trained or not any(e["dataset"] in trained for e in evals):
            response = Response({}, 0.0, pooled.sigma, None, (), "none: no evaluation on the training data to anchor a response")
        elif own:
            response = fit_response(own, pooled.coefficients, pooled.penalty,
                                    f"own ({len(own)} evaluation(s)) shrunk towards {pooled.source}",
                                    fallback_sigma=pooled.sigma)
        else:
            response = pooled
        target_z = self.offsets(dataset_version_uid, trained)

        items: list[tuple[dict[str, Any], float, float, float, float, list[AxisDistance], list[str]]] = []
        for e in evals:
            axes, unknown = self.comparator.axes(target_profile, profiles[e["dataset"]])
            d = total(axes)
            h = hops.get(e["dataset"])
            w = math.exp(-d / BANDWIDTH) * (1.0 + 1.0 / h if h else 1.0)
            dz = difference(target_z, self.offsets(e["dataset"], trained))
            p = _to_scale(metric, e["value"]) + response.change(dz)
            items.append((e, d, w, p, response.variance(dz), axes, unknown))
        nearest = min(i[1] for i in items)
        weights = np.array([i[2] for i in items])
        weights = weights / weights.sum()
        preds = np.array([i[3] for i in items])
        carried = np.array([i[4] for i in items])
        evidence = tuple(sorted((
            Evidence(dataset_version_uid=e["dataset"], value=e["value"], distance=round(d, 4), weight=round(float(wn), 4),
                     prediction=_from_scale(metric, p), derived_hops=hops.get(e["dataset"]),
                     is_training_data=e["dataset"] in trained, differences=tuple(axes), unknown_axes=tuple(unknown))
            for (e, d, _, p, _, axes, unknown), wn in zip(items, weights)), key=lambda x: (x.distance, x.dataset_version_uid)))
        slope = response.penalty
        if nearest > MAX_DISTANCE:
            return Estimate(**base, status=NOT_ENOUGH, value=None, low=None, high=None, schema_coverage=coverage,
                            drift_per_unit=slope, drift_source=response.source, evidence=evidence,
                            drift_by_axis=response.by_axis(),
                            reason=f"the nearest evaluated dataset is {nearest:.2f} away (more than {MAX_DISTANCE:g}): "
                                   f"too different to carry its result over")

        mean = float(weights @ preds)
        wspread = float(np.sqrt(weights @ (preds - mean) ** 2))
        sigma = response.sigma or 0.0
        half = Z * math.sqrt(wspread**2 + sigma**2 + float(weights @ carried))
        half = max(half, MIN_HALF_WIDTH)
        status = MEASURED if base["measured"] is not None else ESTIMATED
        reason = (f"{len(evals)} evaluation(s) of {metric}; nearest dataset {nearest:.2f} away; "
                  f"expected change from the training data {response.change(target_z):+.4f} ({response.source})"
                  f"{derived_note}")
        return Estimate(**base, status=status, value=_from_scale(metric, mean), low=_from_scale(metric, mean - half),
                        high=_from_scale(metric, mean + half), reason=reason, drift_per_unit=slope,
                        drift_source=response.source, drift_by_axis=response.by_axis(),
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


def _derivable(db: Database, model_version_uid: str, dataset_version_uid: str,
               target: Target | None = None) -> tuple[bool, str]:
    """Whether every model input can be fed from the dataset's columns (packing, derivation rules
    of embeddings.derive, as the recommender matches them), with the transformations that do it or
    the first input that stays unfed and why."""
    from embeddings.compat import compatibility, prepare
    from embeddings.errors import EmbeddingsError
    from embeddings.schema import Column

    inputs, provided = store.feature_columns(db, model_version_uid, dataset_version_uid)
    if target is not None:
        provided = target.provided
    if not inputs or not provided:
        return False, ""

    def columns(rows: list[dict[str, Any]]) -> list[Column]:
        return [Column(r["name"], r["dtype"], tuple(d if d and d > 0 else None for d in decode_shape(r["shape"])),
                       r.get("unit"), r.get("description")) for r in rows]

    try:
        result = compatibility(prepare(columns(provided)), prepare(columns(inputs)))
    except EmbeddingsError as exc:
        # A stored schema the matcher cannot read is no evidence that the model runs on the dataset.
        return False, f"its schema could not be matched: {exc}"
    if result.unsatisfied:
        name, why = result.unsatisfied[0]
        return False, f"{name}: {why}"
    steps = result.transformations
    return True, ("; ".join(steps[:3]) + (" ..." if len(steps) > 3 else "")) if steps else "renamed columns"


def transferability(db: Database, model_version_uid: str, dataset_version_uid: str, metric: str = "auc",
                    encoder: TextEncoder | None = None) -> Estimate:
    return Estimator(db, encoder).estimate(model_version_uid, dataset_version_uid, metric)


def rank_models(db: Database, dataset_version_uid: str, metric: str = "auc",
                encoder: TextEncoder | None = None) -> list[Estimate]:
    return Estimator(db, encoder).rank_models(dataset_version_uid, metric)
