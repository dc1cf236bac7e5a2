"""`alerts(first, after, all)`, `metricHistory(modelVersion | alias, metric, dataset)` and the
mutations `setMonitorThreshold` / `deleteMonitorThreshold` (writer). Wraps graphcat.monitoring.service."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.context import RequestContext
from graphcat.api.types.errors import InvalidInputError, NotFoundError, as_result
from graphcat.api.types.reads import PageInfo
from graphcat.errors import InvalidInput
from graphcat.monitoring import service
from graphcat.service import catalog as catalog_service

Info = strawberry.Info[RequestContext, None]


@strawberry.enum(description="A monitored series' state: its newest value inside the expected band (ok), outside "
                             "it (alert), or no band known (unknown: no threshold, no recorded transferability interval).")
class MonitorState(Enum):
    OK = "ok"
    ALERT = "alert"
    UNKNOWN = "unknown"


@strawberry.type(description="One point of a metric history: an evaluation on one dataset version.")
class MetricPoint:
    evaluation: strawberry.ID
    dataset_version: strawberry.ID
    value: float
    time: str | None = strawberry.field(description="The evaluation's date (ISO 8601), else when graphcat measured it.")
    run_period: str | None
    measured: bool = strawberry.field(description="Measured by graphcat (else reported from a source).")
    low: float | None = strawberry.field(description="Bootstrap interval (measured points).")
    high: float | None
    estimate_low: float | None = strawberry.field(description="The transferability interval recorded with it.")
    estimate_high: float | None


@strawberry.type(description="The expected band: `low`..`high` (null: unbounded on that side) and where it comes from "
                             "(threshold MODEL@ALIAS, or transferability interval).")
class MonitorBand:
    low: float | None
    high: float | None
    source: str


@strawberry.type(description="A model version's values of one metric on the versions of one dataset, oldest first, "
                             "and the state of the newest value against the expected band.")
class MetricSeries:
    model_version: strawberry.ID
    aliases: list[str]
    dataset: strawberry.ID
    metric: str
    points: list[MetricPoint]
    state: MonitorState
    reason: str
    band: MonitorBand | None


@strawberry.type(description="The state of a monitored series (a version carrying an alias, a dataset, a metric).")
class MonitorAlert:
    key: str
    state: MonitorState
    reason: str
    band: MonitorBand | None
    series: MetricSeries
    newest: MetricPoint


@strawberry.type
class MonitorAlertEdge:
    cursor: str
    node: MonitorAlert


@strawberry.type
class MonitorAlerts:
    total_count: int
    alert_count: int
    edges: list[MonitorAlertEdge]
    page_info: PageInfo


def _point(p: service.Point) -> MetricPoint:
    return MetricPoint(evaluation=strawberry.ID(p.evaluation_uid), dataset_version=strawberry.ID(p.dataset_version_uid),
                       value=p.value, time=p.time, run_period=p.run_period, measured=p.measured, low=p.low, high=p.high,
                       estimate_low=p.estimate_low, estimate_high=p.estimate_high)


def _band(b: service.Band | None) -> MonitorBand | None:
    return None if b is None else MonitorBand(low=b.low, high=b.high, source=b.source)


def _series(a: service.Alert) -> MetricSeries:
    s = a.series
    return MetricSeries(model_version=strawberry.ID(s.model_version_uid), aliases=list(s.aliases),
                        dataset=strawberry.ID(s.dataset_uid), metric=s.metric, points=[_point(p) for p in s.points],
                        state=MonitorState(a.state), reason=a.reason, band=_band(a.band))


async def metric_history(info: Info, metric: str | None = None, model_version: strawberry.ID | None = None,
                         alias: Annotated[str | None, strawberry.argument(description="MODEL@ALIAS, e.g. tagger@production")] = None,
                         dataset: strawberry.ID | None = None) -> list[MetricSeries]:
    db = info.context.db
    found = await run_in_threadpool(lambda: service.assess(db, service.history(
        db, metric=metric, model_version=None if model_version is None else str(model_version), alias=alias,
        dataset=None if dataset is None else str(dataset))))
    return [_series(a) for a in found]


async def alerts(info: Info, first: int = 20, after: str | None = None,
                 all: Annotated[bool, strawberry.argument(description="Also the series in state ok or unknown "
                                                           "(default: only alerts).")] = False) -> MonitorAlerts:
    limit = info.context.settings.graphql_max_page_size
    if not 1 <= first <= limit:
        raise InvalidInput(f"first must be between 1 and {limit} (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE), got {first}",
                           path="first")
    start = catalog_service.decode_cursor(after) + 1 if after else 0
    found = await run_in_threadpool(service.alerts, info.context.db)
    n_alert = sum(a.state == service.ALERT for a in found)
    chosen = found if all else [a for a in found if a.state == service.ALERT]
    page = chosen[start:start + first]
    edges = [MonitorAlertEdge(cursor=catalog_service.encode_cursor(start + i), node=MonitorAlert(
        key=a.key, state=MonitorState(a.state), reason=a.reason, band=_band(a.band), series=_series(a),
        newest=_point(a.newest))) for i, a in enumerate(page)]
    return MonitorAlerts(total_count=len(chosen), alert_count=n_alert, edges=edges,
                         page_info=PageInfo(has_next_page=start + first < len(chosen),
                                            end_cursor=edges[-1].cursor if edges else None))


SetMonitorThresholdResult = Annotated[MonitorBand | InvalidInputError | NotFoundError,
                                      strawberry.union("SetMonitorThresholdResult")]


async def set_monitor_threshold(info: Info, alias: str, metric: str, min: float | None = None,
                                max: float | None = None) -> SetMonitorThresholdResult:
    async def work() -> MonitorBand:
        band = await run_in_threadpool(lambda: service.set_threshold(info.context.db, alias=alias, metric=metric,
                                                                     low=min, high=max))
        return MonitorBand(low=band.low, high=band.high, source=band.source)

    return await as_result(work)  # type: ignore[return-value]


async def delete_monitor_threshold(info: Info, alias: str, metric: str) -> bool:
    return await run_in_threadpool(lambda: service.delete_threshold(info.context.db, alias=alias, metric=metric))
