"""Neo4j goes away while concurrent clients read and write through GraphQL, then comes back.

During the outage every request fails fast with 503 + Retry-After and code DATABASE_UNAVAILABLE
(never a 500, never a hang, never a partial entity); afterwards the same graphcat process serves
again, and every write acknowledged as successful is in the catalog. Two outages: a loopback proxy
that cuts every connection (milliseconds, exact timing) and a real stop/start of Neo4j.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx
import pytest

from graphcat import neo4j_launcher
from graphcat.api.app import create_app
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import token
from tests.reliability_support import Cases, OutageProxy, ServerThread, cases, post  # noqa: F401  (fixture)

# A request that takes longer than this is a hang: the client gives up and the test fails.
HANG = 30.0

REGISTER = """mutation($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) { __typename ... on ModelVersion { id } ... on UserError { code message } } }"""
SEARCH = "query($t: String!) { search(text: $t, first: 5) { total hits { uid } } }"
LIST = "{ modelVersions(first: 10) { totalCount edges { node { id version } } } }"


@dataclass
class Outcome:
    status: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ok_after_restore: int = 0
    t0: float = field(default_factory=time.monotonic)
    phases: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _check(outcome: Outcome, response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    with outcome.lock:
        outcome.status[response.status_code] += 1
        for error in body.get("errors") or []:
            outcome.codes[error.get("extensions", {}).get("code", "?")] += 1
        if response.status_code == 503:
            if response.headers.get("retry-after") is None:
                outcome.problems.append("503 without Retry-After")
            errors = body.get("errors") or []
            if not errors or any(e.get("extensions", {}).get("code") != "DATABASE_UNAVAILABLE" for e in errors):
                outcome.problems.append(f"503 without DATABASE_UNAVAILABLE: {body}")
        elif response.status_code != 200:
            outcome.problems.append(f"{response.status_code}: {response.text[:300]}")
        elif body.get("errors"):
            outcome.problems.append(f"200 with errors: {body['errors']}")
    return body


def _worker(url: str, secret: str, n: int, stop: threading.Event, restored: threading.Event,
            outcome: Outcome) -> None:
    with httpx.Client(base_url=url, timeout=HANG) as client:
        i = 0
        while not stop.is_set():
            i += 1
            version = f"{n}.{i}"
            with outcome.lock:
                outcome.attempted.append(version)
            variables = {"input": {"model": f"outage-m{n}", "modelName": f"Outage model {n}", "version": version,
                                   "framework": "pytorch",
                                   "inputs": [{"name": "jet_pt", "dtype": "float32", "shape": []},
                                              {"name": "jet_eta", "dtype": "float32", "shape": []}]}}
            calls: list[Callable[[], httpx.Response]] = [
                lambda: post(client, REGISTER, variables, token=secret),
                lambda: post(client, SEARCH, {"t": "outage"}),
                lambda: post(client, LIST),
            ]
            for index, call in enumerate(calls):
                started = time.monotonic()
                try:
                    response = call()
                except httpx.TimeoutException:
                    with outcome.lock:
                        outcome.problems.append(f"request {index} ({['register', 'search', 'list'][index]}) hung "
                                                f"for {HANG:.0f} s from t={started - outcome.t0:.1f}; phases {outcome.phases}")
                    continue
                body = _check(outcome, response)
                if index == 0 and response.status_code == 200 and body.get("data"):
                    result = body["data"]["registerModelVersion"]
                    with outcome.lock:
                        if result["__typename"] == "ModelVersion":
                            outcome.acknowledged.append(result["id"])
                        else:
                            outcome.problems.append(f"unexpected typed error: {result}")
                if response.status_code == 200 and restored.is_set():
                    with outcome.lock:
                        outcome.ok_after_restore += 1
            time.sleep(0.05)


def _wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def run_outage(db: Database, settings: Settings, down: Callable[[], None], up: Callable[[], None],
               *, workers: int, cases: Cases) -> Outcome:
    secret = token(db, "writer")
    outcome = Outcome()
    stop, restored = threading.Event(), threading.Event()
    with ServerThread(create_app(settings)) as server:
        # Warm-up, not measured: the first write loads the recommender's encoder (tens of seconds
        # on a busy machine), which is start-up cost, not an outage hang.
        with httpx.Client(base_url=server.url, timeout=300) as client:
            warm = {"input": {"model": "outage-warm", "modelName": "Warm-up", "version": "1", "framework": "pytorch"}}
            assert post(client, REGISTER, warm, token=secret).status_code == 200
        threads = [threading.Thread(target=_worker, args=(server.url, secret, n, stop, restored, outcome))
                   for n in range(workers)]
        for t in threads:
            t.start()
        _wait(lambda: sum(outcome.status.values()) >= 2 * workers, 60)
        outcome.phases.append(f"down at {time.monotonic() - outcome.t0:.1f}")
        down()
        outcome.phases.append(f"down done {time.monotonic() - outcome.t0:.1f}")
        # The outage lasts until clients have seen it (a fixed time would race slow requests).
        _wait(lambda: outcome.status[503] >= workers, 60)
        outcome.phases.append(f"up at {time.monotonic() - outcome.t0:.1f}")
        up()
        outcome.phases.append(f"up done {time.monotonic() - outcome.t0:.1f}")
        restored.set()
        deadline = time.monotonic() + 60
        while outcome.ok_after_restore < 3 * workers and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=HANG + 5)
        with httpx.Client(base_url=server.url, timeout=HANG) as client:
            assert client.get("/healthz").status_code == 200  # the same process, no restart
    cases.add(sum(outcome.status.values()))
    cases.note(f"statuses {dict(outcome.status)}; {len(outcome.acknowledged)} writes acknowledged")
    assert not outcome.problems, outcome.problems[:5]
    assert set(outcome.status) <= {200, 503}
    assert outcome.status[503] > 0, "the outage was not seen by any request"
    assert outcome.ok_after_restore >= 3 * workers, "graphcat did not recover after Neo4j came back"
    # Every acknowledged write is there, and every version that exists is whole (both inputs).
    present = catalog.get_many(db, outcome.acknowledged)
    assert sorted(present) == sorted(set(outcome.acknowledged))
    uids = [f"model_version:outage-m{v.split('.')[0]}@{v}" for v in outcome.attempted]
    existing = list(catalog.get_many(db, uids))
    inputs = catalog.inputs_of(db, existing)
    assert all(sorted(f.name for f in inputs[u]) == ["jet_eta", "jet_pt"] for u in existing)  # type: ignore[attr-defined]
    return outcome


@pytest.mark.reliability("Faults", "Neo4j connections cut and restored under concurrent GraphQL load")
def test_connection_outage_answers_503_and_recovers(db: Database, neo4j_server: Settings, cases: Cases) -> None:
    proxy = OutageProxy(neo4j_server.neo4j_host, neo4j_server.neo4j_bolt_port)
    try:
        settings = dataclasses.replace(neo4j_server, neo4j_uri=f"bolt://127.0.0.1:{proxy.port}",
                                       neo4j_connect_timeout=2.0, mutation_rate_per_minute=100_000)
        run_outage(db, settings, proxy.cut, proxy.restore, workers=4, cases=cases)
    finally:
        proxy.close()


@pytest.mark.reliability("Faults", "Neo4j stopped and started again under concurrent GraphQL load")
def test_neo4j_restart_answers_503_and_recovers(db: Database, neo4j_server: Settings, cases: Cases) -> None:
    assert neo4j_server.neo4j_is_local, "this test restarts the local launcher's Neo4j (CI's and make test's)"
    settings = dataclasses.replace(neo4j_server, neo4j_connect_timeout=2.0, mutation_rate_per_minute=100_000)
    started = False

    def down() -> None:
        neo4j_launcher.stop(neo4j_server)
        assert not neo4j_launcher.status(neo4j_server).running

    def up() -> None:
        nonlocal started
        neo4j_launcher.start(neo4j_server)
        started = True

    try:
        run_outage(db, settings, down, up, workers=3, cases=cases)
    finally:
        if not started:
            neo4j_launcher.start(neo4j_server)
