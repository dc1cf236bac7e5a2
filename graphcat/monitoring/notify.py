"""`graphcat monitor` (for cron): check every monitored series, POST a JSON alert to
GRAPHCAT_MONITOR_WEBHOOK_URL for each series that entered the alert state, and answer the exit code.

An alert is sent once per state change: the state notified per series is stored (MonitorNotice);
a series still in alert is not resent, one that went back to ok and alerts again is. An alert is
stored as notified only once the webhook accepted it (2xx), so a failed POST is retried on the
next run; without a webhook nothing is stored for alerts (configuring one later sends them).
Exit codes: 0 every series ok (or unknown: no band), 1 some alert, 2 an error (the webhook
refused or could not be reached, Neo4j unavailable...).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from graphcat.errors import GraphcatError
from graphcat.monitoring import service
from graphcat.settings import Settings
from graphcat.store import monitoring as store
from graphcat.store.database import Database


class WebhookFailed(GraphcatError):
    code = "WEBHOOK_FAILED"
    status = 502


@dataclass(frozen=True)
class Report:
    alerts: list[service.Alert]
    sent: list[str]  # keys of the series whose alert was POSTed on this run

    @property
    def exit_code(self) -> int:
        return 1 if any(a.state == service.ALERT for a in self.alerts) else 0


def payload(a: service.Alert) -> dict[str, Any]:
    p = a.newest
    return {"graphcat": "alert", "key": a.key, "state": a.state, "reason": a.reason,
            "model": a.series.model_uid, "model_version": a.series.model_version_uid,
            "aliases": list(a.series.aliases), "dataset": a.series.dataset_uid, "metric": a.series.metric,
            "value": p.value, "dataset_version": p.dataset_version_uid, "evaluation": p.evaluation_uid, "time": p.time,
            "band": None if a.band is None else {"low": a.band.low, "high": a.band.high, "source": a.band.source}}


def post(url: str, body: dict[str, Any], timeout_s: float) -> None:
    data = json.dumps(body, sort_keys=True).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "graphcat-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (an http(s) URL setting)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookFailed(f"the webhook GRAPHCAT_MONITOR_WEBHOOK_URL={url} answered {exc.code} for {body['key']}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookFailed(f"the webhook GRAPHCAT_MONITOR_WEBHOOK_URL={url} could not be reached: {reason}") from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"the webhook GRAPHCAT_MONITOR_WEBHOOK_URL={url} answered {status} for {body['key']}")


def run(db: Database, settings: Settings) -> Report:
    found = service.alerts(db)
    last = store.notices(db)
    stored: list[dict[str, Any]] = []
    sent: list[str] = []
    try:
        for a in found:
            before = last.get(a.key, {}).get("state")
            if a.state == before:
                continue  # unchanged: not resent
            if a.state == service.ALERT:
                if not settings.monitor_webhook_url:
                    continue
                post(settings.monitor_webhook_url, payload(a), settings.monitor_webhook_timeout_s)
                sent.append(a.key)
            stored.append({"key": a.key, "state": a.state, "evaluation": a.newest.evaluation_uid})
    finally:
        store.set_notices(db, stored)  # what was sent stays sent, even when a later POST failed
    return Report(found, sent)


def render(report: Report) -> str:
    lines = [f"{a.state:<8} {a.series.model_version_uid} {a.series.dataset_uid} {a.reason}" for a in report.alerts]
    n = sum(a.state == service.ALERT for a in report.alerts)
    lines.append(f"{len(report.alerts)} monitored series, {n} in alert, {len(report.sent)} alert(s) sent to the webhook")
    return "\n".join(lines)
