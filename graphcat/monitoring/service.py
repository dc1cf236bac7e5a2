"""Metric histories and alert states (docs/evaluation.md, "Monitoring").

- `history(db, model_version=, alias=, metric=, dataset=)` -> list[Series]: the model version's (or
  the one carrying `alias`, written MODEL@ALIAS) evaluations of the metric (None: each metric), one
  series per dataset and metric,
  each point one dataset version (an evaluation's id is model version / dataset version / metric:
  re-measuring the same dataset version restates its point, a new run period's data is a new
  dataset version and a new point), oldest first by the evaluation's date.
- `alerts(db)` -> list[Alert]: for every model version carrying an alias, per dataset and metric,
  the state of the newest point: `alert` when it is outside the expected band, `ok` inside,
  `unknown` when there is no band. The band is the configured threshold for the model, one of
  the version's aliases and the metric (`set_threshold`), else the transferability interval
  recorded with the newest evaluation (graphcat.evaluation.service records it when it measures).
  Alerts first, then unknown, then ok.
- `assess(db, series)` -> list[Alert]: the same states for any series (the page's history plot).
- `set_threshold(db, alias=MODEL@ALIAS, metric=, low=, high=)` / `delete_threshold(...)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from graphcat.errors import InvalidInput, NotFound
from graphcat.store import monitoring as store
from graphcat.store.database import Database

OK, ALERT, UNKNOWN = "ok", "alert", "unknown"
_ORDER = {ALERT: 0, UNKNOWN: 1, OK: 2}


@dataclass(frozen=True)
class Point:
    evaluation_uid: str
    dataset_version_uid: str
    value: float
    time: str | None  # the evaluation's date (ISO), else when graphcat measured it
    run_period: str | None = None
    measured: bool = False
    low: float | None = None  # bootstrap interval (measured)
    high: float | None = None
    estimate_low: float | None = None  # transferability interval recorded with the evaluation
    estimate_high: float | None = None


@dataclass(frozen=True)
class Series:
    model_uid: str
    model_version_uid: str
    aliases: tuple[str, ...]
    dataset_uid: str
    metric: str
    points: tuple[Point, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.model_version_uid}|{self.dataset_uid}|{self.metric}"


@dataclass(frozen=True)
class Band:
    low: float | None
    high: float | None
    source: str  # "threshold MODEL@ALIAS" | "transferability interval"

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class Alert:
    series: Series
    state: str
    reason: str
    band: Band | None

    @property
    def key(self) -> str:
        return self.series.key

    @property
    def newest(self) -> Point:
        return self.series.points[-1]


def _time_key(p: Point) -> tuple[int, dt.datetime, str]:
    if p.time is None:
        return (0, dt.datetime.min.replace(tzinfo=dt.timezone.utc), p.dataset_version_uid)
    try:
        t = dt.datetime.fromisoformat(p.time.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:  # a time the catalog's pattern lets through but Python does not read: its day
        t = dt.datetime.fromisoformat(p.time[:10])
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return (1, t, p.dataset_version_uid)


def _series(rows: list[dict[str, Any]]) -> list[Series]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["model_version"], r["dataset"], r["metric"]), []).append(r)
    out = []
    for (mv, dataset, metric), rs in sorted(groups.items()):
        points = sorted((Point(r["evaluation"], r["dataset_version"], float(r["value"]), r["date"] or r["measured_at"],
                               r["run_period"], r["measured_by"] is not None, r["ci_low"], r["ci_high"],
                               r["estimate_low"], r["estimate_high"]) for r in rs), key=_time_key)
        out.append(Series(rs[0]["model"], mv, tuple(sorted(rs[0]["aliases"])), dataset, metric, tuple(points)))
    return out


def resolve_alias(db: Database, alias: str) -> str:
    """MODEL@ALIAS (or model:MODEL@ALIAS) -> the uid of the version carrying it."""
    model, alias_name = _split_alias(alias)
    uid = store.version_with_alias(db, model, alias_name)
    if uid is None:
        raise NotFound(f"no version of {model} carries the alias {alias_name!r}", path="alias")
    return uid


def _split_alias(alias: str) -> tuple[str, str]:
    text = alias.removeprefix("model:")
    model, sep, name = text.rpartition("@")
    if not sep or not model or not name:
        raise InvalidInput(f"alias must be written MODEL@ALIAS (e.g. tagger@production), got {alias!r}", path="alias")
    return f"model:{model}", name


def history(db: Database, *, metric: str | None = None, model_version: str | None = None, alias: str | None = None,
            dataset: str | None = None) -> list[Series]:
    """`metric` None: every metric (one series per dataset and metric)."""
    if (model_version is None) == (alias is None):
        raise InvalidInput("give modelVersion or alias (MODEL@ALIAS), exactly one", path="modelVersion")
    if metric is not None and not metric.strip():
        raise InvalidInput("metric must not be empty (leave it out for every metric)", path="metric")
    if model_version is not None:
        uid = model_version if model_version.startswith("model_version:") else f"model_version:{model_version}"
        _check_model_version(db, uid)
    else:
        uid = resolve_alias(db, alias)  # type: ignore[arg-type]
    if dataset is not None and not dataset.startswith("dataset:"):
        dataset = f"dataset:{dataset}"
    return _series(store.evaluations(db, model_version=uid, metric=None if metric is None else metric.strip(),
                                      dataset=dataset))


def _check_model_version(db: Database, uid: str) -> None:
    from graphcat.service.catalog import get_by_uid

    try:
        get_by_uid(db, uid)  # a model_version: uid is a model version when it exists
    except NotFound:
        raise NotFound(f"no model version {uid!r}", path="modelVersion") from None


def _threshold_key(model_uid: str, alias: str, metric: str) -> str:
    return f"{model_uid}@{alias}/{metric}"


def set_threshold(db: Database, *, alias: str, metric: str, low: float | None, high: float | None) -> Band:
    model, name = _split_alias(alias)
    if low is None and high is None:
        raise InvalidInput("a threshold needs min, max or both", path="min")
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"min {low} is above max {high}", path="min")
    if not metric.strip():
        raise InvalidInput("metric must not be empty", path="metric")
    store.set_threshold(db, _threshold_key(model, name, metric.strip()), model=model, alias=name,
                        metric=metric.strip(), low=low, high=high)
    return Band(low, high, f"threshold {model.removeprefix('model:')}@{name}")


def delete_threshold(db: Database, *, alias: str, metric: str) -> bool:
    model, name = _split_alias(alias)
    return store.delete_threshold(db, _threshold_key(model, name, metric.strip()))


def _band(s: Series, thresholds: dict[tuple[str, str, str], dict[str, Any]]) -> Band | None:
    for a in s.aliases:
        t = thresholds.get((s.model_uid, a, s.metric))
        if t is not None:
            return Band(t["min"], t["max"], f"threshold {s.model_uid.removeprefix('model:')}@{a}")
    p = s.points[-1]
    if p.estimate_low is not None or p.estimate_high is not None:
        return Band(p.estimate_low, p.estimate_high, "transferability interval")
    return None


def state(s: Series, band: Band | None) -> Alert:
    p = s.points[-1]
    where = f"{s.metric} = {p.value:.4g} on {p.dataset_version_uid}"
    if band is None:
        return Alert(s, UNKNOWN, f"{where}: no expected band (no threshold for the version's aliases, "
                                 "no transferability interval recorded with the evaluation)", None)
    shown = f"[{'-inf' if band.low is None else f'{band.low:.4g}'}, {'inf' if band.high is None else f'{band.high:.4g}'}]"
    if band.contains(p.value):
        return Alert(s, OK, f"{where} is inside {shown} ({band.source})", band)
    side = "below" if band.low is not None and p.value < band.low else "above"
    return Alert(s, ALERT, f"{where} is {side} the expected band {shown} ({band.source})", band)


def assess(db: Database, series: list[Series]) -> list[Alert]:
    """The state of each series (in their order), against its band."""
    thresholds = {(t["model"], t["alias"], t["metric"]): t for t in store.thresholds(db)}
    return [state(s, _band(s, thresholds)) for s in series]


def alerts(db: Database) -> list[Alert]:
    out = assess(db, _series(store.evaluations(db, model_version=None, metric=None, dataset=None)))
    return sorted(out, key=lambda a: (_ORDER[a.state], a.key))
