"""`graphcat monitor` against a real local HTTP receiver (http.server) and the real Neo4j: exit
codes, the JSON alert POSTed once per state change, a failing webhook an error retried next run."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Iterator

import pytest

from graphcat import cli
from graphcat.monitoring import service
from graphcat.service import catalog
from graphcat.store.database import Database
from test_monitoring import catalog_doc


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers["Content-Length"])
                assert self.headers["Content-Type"] == "application/json"
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    r = Receiver()
    monkeypatch.setenv("GRAPHCAT_MONITOR_WEBHOOK_URL", r.url)
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_alert_is_posted_once_per_state_change(db: Database, receiver: Receiver,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    catalog.register(db, catalog_doc())
    assert cli.main(["monitor"]) == 0  # no band anywhere: unknown is not an alert
    assert receiver.bodies == []
    service.set_threshold(db, alias="tagger@production", metric="auc", low=0.9, high=None)
    assert cli.main(["monitor"]) == 1
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["state"] == "alert" and body["model_version"] == "model_version:tagger@1.0.0"
    assert body["dataset"] == "dataset:run3-jets" and body["metric"] == "auc" and body["value"] == pytest.approx(0.86)
    assert body["dataset_version"] == "dataset_version:run3-jets@2024"
    assert body["band"] == {"low": 0.9, "high": None, "source": "threshold tagger@production"}
    assert "below" in body["reason"]
    out = capsys.readouterr().out
    assert "1 in alert, 1 alert(s) sent" in out
    # Unchanged state: still exit 1, nothing resent.
    assert cli.main(["monitor"]) == 1 and len(receiver.bodies) == 1
    # Back to ok (a new, better run period), then a new alert: sent again.
    catalog.record_evaluation(db, "model_version:tagger@1.0.0",
                              {"dataset": "run3-jets@2024", "metric": "auc", "value": 0.95, "date": "2025-03-01"})
    assert cli.main(["monitor"]) == 0 and len(receiver.bodies) == 1
    catalog.record_evaluation(db, "model_version:tagger@1.0.0",
                              {"dataset": "run3-jets@2024", "metric": "auc", "value": 0.80, "date": "2025-04-01"})
    assert cli.main(["monitor"]) == 1 and len(receiver.bodies) == 2
    assert receiver.bodies[1]["value"] == pytest.approx(0.80)


def test_a_refusing_webhook_is_an_error_and_is_retried(db: Database, receiver: Receiver,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    catalog.register(db, catalog_doc())
    service.set_threshold(db, alias="tagger@production", metric="auc", low=0.9, high=None)
    receiver.status = 500
    assert cli.main(["monitor"]) == 2
    err = capsys.readouterr().err
    assert "GRAPHCAT_MONITOR_WEBHOOK_URL" in err and "answered 500" in err
    receiver.status = 204
    assert cli.main(["monitor"]) == 1  # not stored as notified: sent on the next run
    assert len(receiver.bodies) == 2 and receiver.bodies[0] == receiver.bodies[1]


def test_unreachable_webhook_names_the_setting(db: Database, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    catalog.register(db, catalog_doc())
    service.set_threshold(db, alias="tagger@production", metric="auc", low=0.9, high=None)
    monkeypatch.setenv("GRAPHCAT_MONITOR_WEBHOOK_URL", "http://127.0.0.1:9/closed")
    assert cli.main(["monitor"]) == 2
    assert "could not be reached" in capsys.readouterr().err
    monkeypatch.setenv("GRAPHCAT_MONITOR_WEBHOOK_URL", "ftp://x")
    assert cli.main(["monitor"]) == 2
    assert "must be an http(s) URL" in capsys.readouterr().err


def test_threshold_command_sets_and_removes_the_band(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    catalog.register(db, catalog_doc())
    assert cli.main(["monitor-threshold", "tagger@production", "auc", "--min", "0.9"]) == 0
    assert "expected in [0.9, inf]" in capsys.readouterr().out
    run3 = next(a for a in service.alerts(db) if a.key == "model_version:tagger@1.0.0|dataset:run3-jets|auc")
    assert run3.state == service.ALERT
    assert cli.main(["monitor-threshold", "tagger@production", "auc"]) == 2  # neither --min nor --max
    assert "min, max or both" in capsys.readouterr().err
    assert cli.main(["monitor-threshold", "tagger@production", "auc", "--delete"]) == 0
    assert "removed" in capsys.readouterr().out
    assert all(a.state == service.UNKNOWN for a in service.alerts(db))
