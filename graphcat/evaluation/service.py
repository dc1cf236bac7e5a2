"""Evaluate a model version on a file, check the transferability estimate, record, rank.

- `finish(db, measurement, ...)`: the same from a Measurement made elsewhere (a worker, graphcat.evaluation.jobs).
- `evaluate(db, settings, model_version_uid, path, label=, metrics=, record=False, dataset=None)`:
  the Measurement (graphcat.evaluation.run), the dataset version the file is (`dataset`, or the one
  recorded with the file's sha256), and per metric the transferability estimate for that pair when
  the catalog has one, with the gap measured - estimated. With `record` (the caller checked the
  writer right) it writes, in one transaction: the file as a new dataset version when it is none yet
  (`upload-<sha256[:12]>@1`, its schema, digest, size and row count), one Evaluation per metric,
  and on each the facts of the measurement (measured by graphcat, sha256, rows, mapping, code
  version, bootstrap interval, estimate and gap).
- `leaderboard(db, dataset_version_uid, metric, framework=, max_latency_ms=, hardware=)`: the model
  versions by the metric on a dataset version: recorded evaluations (measured by graphcat, with
  their interval, or reported) and, for the other candidates, the transferability estimate, marked
  as such; best first. Filters: the version's framework, and from the deployment-readiness
  benchmarks a latency budget (newest batch-1 p99 in ms on some machine) and a machine (Hardware
  id or kind): a version without such a benchmark is left out when either is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from graphcat.catalog.importer import apply_plan
from graphcat.catalog.plan import Plan, build_plan, plan_evaluation
from graphcat.errors import InvalidInput, NotFound
from graphcat.evaluation import about as about_
from graphcat.evaluation.metrics import LOWER_IS_BETTER, parse as parse_metrics  # noqa: F401 (for the API)
from graphcat.evaluation.run import BATCH_ROWS, Measurement, Progress, measure, model_version
from graphcat.service import transferability
from graphcat.service.catalog import get_by_uid
from graphcat.service.dataset_distance import TextEncoder
from graphcat.settings import Settings
from graphcat.store import evaluation as store
from graphcat.store.database import Database, Tx

MEASURED_BY = "measured by graphcat"


@dataclass(frozen=True)
class Checked:
    """A measured metric beside the transferability estimate for the pair (when there is one)."""

    metric: str
    value: float
    low: float
    high: float
    estimate_status: str | None = None
    estimate: float | None = None
    estimate_low: float | None = None
    estimate_high: float | None = None

    @property
    def gap(self) -> float | None:
        return None if self.estimate is None else self.value - self.estimate


@dataclass(frozen=True)
class Result:
    measurement: Measurement
    checked: tuple[Checked, ...]
    dataset_version_uid: str | None  # the file as a dataset version (None: not catalogued, not recorded)
    recorded: bool
    evaluation_uids: tuple[str, ...] = ()


def evaluate(db: Database, settings: Settings, model_version_uid: str, path: str | Path, *, label: str,
             metrics: str | list[str] | None = None, record: bool = False, dataset: str | None = None,
             source: str | None = None, encoder: TextEncoder | None = None,
             progress: Progress | None = None, batch_rows: int = BATCH_ROWS,
             about: dict[str, Any] | None = None) -> Result:
    about = check_inputs(db, dataset, about)
    m = measure(db, settings, model_version_uid, path, label=label, metrics=metrics, source=source, progress=progress,
                batch_rows=batch_rows)
    return finish(db, m, dataset=dataset, record=record, encoder=encoder, about=about)


def finish(db: Database, m: Measurement, *, dataset: str | None = None, record: bool = False,
           encoder: TextEncoder | None = None, about: dict[str, Any] | None = None) -> Result:
    """A measurement checked against the transferability estimate, and recorded when asked.
    `about` (graphcat.evaluation.about) describes a file that is no dataset version yet: the
    estimate then targets the dataset version it would become, and `record` writes it so. A file
    found by its sha256 is that dataset version, whose recorded conditions win over `about`."""
    dsv = dataset or store.dataset_by_digest(db, m.sha256)
    about = about_.check_about(about)
    target, targets = dsv, {}
    if dsv is None and about is not None:
        # Not catalogued yet: the estimate targets the dataset version the file would become.
        target, spec = about_.upload_target(db, m, about)
        targets = {target: spec}
    checked = tuple(_check(db, encoder, m, v, target, targets) for v in m.metrics)
    if not record:
        return Result(m, checked, dsv, False)
    dsv, uids = _record(db, m, checked, dsv, about)
    from graphcat.service import vector_index

    vector_index.after_write(db)  # a new dataset version joins the recommender's index
    return Result(m, checked, dsv, True, uids)


def check_inputs(db: Database, dataset: str | None, about: Any) -> dict[str, Any] | None:
    """Checks what can be checked before a file is read: the dataset version, the `about` object
    (which only describes a file that is no dataset version: not both)."""
    if dataset is not None:
        check_dataset_version(db, dataset)
        if about is not None:
            raise InvalidInput(f"about describes a file that is no dataset version yet; {dataset} is one, "
                               f"with its own recorded conditions: give dataset or about, not both", path="about")
    return about_.check_about(about)


def check_dataset_version(db: Database, uid: str) -> None:
    """Refuses a `dataset` argument that is not a dataset version of the catalog."""
    try:
        node = get_by_uid(db, uid)
    except NotFound:
        raise NotFound(f"no dataset version {uid!r}", path="dataset") from None
    if node.kind != "dataset_version":
        raise NotFound(f"{uid!r} is a {node.kind}, not a dataset version", path="dataset")


def _check(db: Database, encoder: TextEncoder | None, m: Measurement, value: Any, dsv: str | None,
           targets: dict[str, transferability.Target]) -> Checked:
    base = Checked(value.name, value.value, value.low, value.high)
    if dsv is None:
        return base
    est = transferability.Estimator(db, encoder, targets=targets).estimate(m.model_version_uid, dsv, value.name)
    if est.value is None:
        return Checked(**{**base.__dict__, "estimate_status": est.status})
    return Checked(value.name, value.value, value.low, value.high, est.status, est.value, est.low, est.high)


def _record(db: Database, m: Measurement, checked: tuple[Checked, ...], dsv: str | None,
            about: dict[str, Any] | None) -> tuple[str, tuple[str, ...]]:
    mv = model_version(db, m.model_version_uid)
    name = f"evaluate {m.source}"
    documents = []
    if dsv is None:
        dsv = about_.upload_uid(m.sha256)
        documents.append((name, about_.upload_document(m, about)))
    plan = build_plan(documents) if documents else Plan()
    today = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    dataset_ident = dsv.split(":", 1)[1]
    uids = []
    for i, c in enumerate(checked):
        plan_evaluation(plan, name, mv.uid, mv.id, {
            "dataset": dataset_ident, "metric": c.metric, "value": c.value, "date": today,
            "notes": f"{MEASURED_BY} {m.graphcat_version} on {m.rows} rows of {m.source} (label {m.label})"},
            f"evaluations[{i}]")
        uids.append(f"evaluation:{mv.id}/{dataset_ident}/{c.metric}")

    def facts(tx: Tx) -> None:
        for uid, c in zip(uids, checked):
            estimate = (c.estimate, c.estimate_low, c.estimate_high) if c.estimate is not None else None
            store.record_measured(tx, uid, sha256=m.sha256, rows=m.rows, mapping=m.mapping,
                                  graphcat_version=m.graphcat_version, label=m.label, interval=(c.low, c.high),
                                  estimate=estimate, gap=c.gap)

    apply_plan(db, plan, (name,), also=facts)
    return dsv, tuple(uids)


@dataclass(frozen=True)
class Entry:
    model_version_uid: str
    value: float | None
    kind: str  # measured (by graphcat) | reported (recorded from a source) | estimated | not_enough_evidence
    low: float | None = None
    high: float | None = None
    rows: int | None = None
    estimate: float | None = None  # for a measured entry: the estimate it was checked against
    reason: str | None = None
    p99_ms: float | None = None  # with a latency or hardware filter: the fastest fitting batch-1 p99
    hardware: str | None = None  # and the machine it was measured on


def leaderboard(db: Database, dataset_version_uid: str, metric: str, encoder: TextEncoder | None = None, *,
                framework: str | None = None, max_latency_ms: float | None = None,
                hardware: str | None = None) -> list[Entry]:
    metric = parse_metrics(metric)[0].name
    if max_latency_ms is not None and not max_latency_ms > 0:
        raise InvalidInput(f"maxLatencyMs must be > 0 (milliseconds), got {max_latency_ms}", path="maxLatencyMs")
    for name, value in (("framework", framework), ("hardware", hardware)):
        if value is not None and not value.strip():
            raise InvalidInput(f"{name} must not be empty (leave it out for any)", path=name)
    check_dataset_version(db, dataset_version_uid)
    entries = _ranked(db, dataset_version_uid, metric, encoder)
    if framework is None and max_latency_ms is None and hardware is None:
        return entries
    fits = store.leaderboard_filter(db, [e.model_version_uid for e in entries], framework=framework,
                                    hardware=hardware, max_p99_ms=max_latency_ms)
    return [replace(e, p99_ms=fits[e.model_version_uid]["p99_ms"], hardware=fits[e.model_version_uid]["hardware"])
            for e in entries if e.model_version_uid in fits]


def _ranked(db: Database, dataset_version_uid: str, metric: str, encoder: TextEncoder | None) -> list[Entry]:
    recorded = {r["model_version"]: r for r in store.leaderboard(db, dataset_version_uid, metric)}
    entries = [Entry(uid, r["value"], "measured" if r["measured_by"] else "reported", r["ci_low"], r["ci_high"],
                     r["data_rows"], r["estimate"]) for uid, r in recorded.items()]
    for est in transferability.Estimator(db, encoder).rank_models(dataset_version_uid, metric):
        if est.model_version_uid in recorded:
            continue
        entries.append(Entry(est.model_version_uid, est.value, est.status if est.value is not None else
                             transferability.NOT_ENOUGH, est.low, est.high, reason=est.reason))
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0
    return sorted(entries, key=lambda e: (e.value is None, sign * (e.value or 0.0), e.model_version_uid))
