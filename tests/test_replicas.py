"""Several API replicas against one Neo4j: three `graphcat serve` processes on their own ports, each with
its own recommender index, spoken to over HTTP.

- read-your-writes: a write through one replica returns a `graphcat-bookmark` header; a read through
  another replica that sends it back sees the write, and its recommender ranks the new version at once
  (each replica checks the catalog revision before it answers: the staleness bound is zero);
- a bounded concurrent client interleaves writes and reads across the replicas while one replica is
  killed (SIGKILL) and restarted: zero stale reads, zero lost writes;
- a malformed or foreign bookmark is a 400 / typed error naming the header, never a 500.
One Neo4j Community server has no lagging secondaries, so here the bookmark wait is immediate; the test
proves the plumbing (header out, header in, sessions started with it) that a cluster relies on.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store import bookmarks
from graphcat.store.database import Database
from tests.conftest import free_port
from tests.graphql_helpers import token

START_TIMEOUT = 180.0
REGISTER = """mutation ($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) { __typename ... on ModelVersion { id } ... on UserError { message } }
}"""
VERSION = '{ node(id: "%s") { id } }'
RECOMMEND = """query ($columns: [ColumnInput!]) {
  recommendModels(columns: $columns, first: 3) { ... on Recommendations { items { modelVersion { id } } } }
}"""
BASE = {
    "graphcat_catalog": 1,
    "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
    "models": [{"id": "seed-tagger", "name": "Seed tagger", "tasks": ["jet-tagging"],
                "description": "A dense network on jet constituents.",
                "versions": [{"version": "1.0.0", "framework": "onnx",
                              "inputs": [{"name": "part_pt", "dtype": "float32", "shape": [None]}]}]}],
}


class Replica:
    def __init__(self, settings: Settings, folder: Path, name: str) -> None:
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        self.env = {**os.environ, "HF_HUB_OFFLINE": "1",
                    "GRAPHCAT_NEO4J_URI": settings.neo4j_uri, "GRAPHCAT_NEO4J_USER": settings.neo4j_user,
                    "GRAPHCAT_NEO4J_PASSWORD": settings.neo4j_password,
                    "GRAPHCAT_NEO4J_DATABASE": settings.neo4j_database,
                    "GRAPHCAT_INDEX_DIR": str(folder / f"index-{name}"),
                    "GRAPHCAT_ENCODER_DIR": str(Path(settings.encoder_dir).resolve()),
                    "GRAPHCAT_MUTATION_RATE_PER_MINUTE": "100000"}
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Replica":
        with self.log.open("a") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "graphcat.cli", "serve", "--port", str(self.port)],
                                         stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.folder,
                                         start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica {self.name} exited with {self.proc.returncode}; log {self.log}:\n"
                                   f"{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"replica {self.name} not healthy in {START_TIMEOUT:.0f} s; log {self.log}")
            time.sleep(0.3)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def replicas(neo4j_server: Settings, session_db: Database,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Replica]]:
    from graphcat.store.admin import clear_catalog

    clear_catalog(session_db)
    import_documents(session_db, [("base", BASE)])
    folder = tmp_path_factory.mktemp("replicas")
    started = [Replica(neo4j_server, folder, name) for name in ("a", "b", "c")]
    try:
        for replica in started:
            replica.start()
        yield started
    finally:
        for replica in started:
            replica.stop()


def post(replica: Replica, query: str, variables: dict[str, Any] | None = None, *, secret: str | None = None,
         bookmark: str | None = None, timeout: float = 30.0) -> httpx.Response:
    headers = {"Accept": "application/json"}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    if bookmark:
        headers[bookmarks.HEADER] = bookmark
    return httpx.post(f"{replica.url}/graphql", json={"query": query, "variables": variables or {}},
                      headers=headers, timeout=timeout)


def register(replica: Replica, secret: str, model: str, version: str, columns: list[str]) -> httpx.Response:
    return post(replica, REGISTER, {"input": {
        "model": model, "modelName": model.replace("-", " "), "tasks": ["jet-tagging"], "version": version,
        "framework": "onnx", "inputs": [{"name": c, "dtype": "float32", "unit": "GeV"} for c in columns]}},
        secret=secret)


def test_a_write_on_one_replica_is_read_and_recommended_on_another(replicas: list[Replica],
                                                                   session_db: Database) -> None:
    a, b, _ = replicas
    secret = token(session_db, "writer")
    written = register(a, secret, "dimuon-classifier", "1.0.0", ["mumu_mass", "mu1_pt", "mu2_pt"])
    assert written.status_code == 200, written.text
    assert written.json()["data"]["registerModelVersion"] == {"__typename": "ModelVersion",
                                                              "id": "model_version:dimuon-classifier@1.0.0"}
    mark = written.headers.get(bookmarks.HEADER)
    assert mark and mark.startswith("FB:"), f"no bookmark header on a write: {dict(written.headers)}"
    assert bookmarks.HEADER not in post(a, VERSION % "model:seed-tagger").headers, "a pure read has no bookmark"

    seen = post(b, VERSION % "model_version:dimuon-classifier@1.0.0", bookmark=mark)
    assert seen.status_code == 200 and seen.json()["data"]["node"] == {"id": "model_version:dimuon-classifier@1.0.0"}
    columns = [{"name": c, "unit": "GeV"} for c in ("mumu_mass", "mu1_pt", "mu2_pt")]
    ranked = post(b, RECOMMEND, {"columns": columns}, bookmark=mark).json()["data"]["recommendModels"]["items"]
    assert ranked[0]["modelVersion"]["id"] == "model_version:dimuon-classifier@1.0.0", ranked


def test_bad_bookmarks_are_refused_with_the_header_named(replicas: list[Replica]) -> None:
    a = replicas[0]
    malformed = post(a, VERSION % "model:seed-tagger", bookmark="not a bookmark")
    assert malformed.status_code == 400, malformed.text
    error = malformed.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT" and bookmarks.HEADER in error["message"]
    too_many = post(a, VERSION % "model:seed-tagger", bookmark=",".join(f"FB:x{i}" for i in range(40)))
    assert too_many.status_code == 400 and "at most" in too_many.json()["errors"][0]["message"]
    foreign = post(a, VERSION % "model:seed-tagger", bookmark="FB:bm90LWEtbmVvNGotYm9va21hcms=")
    assert foreign.status_code < 500, foreign.text
    body = foreign.json()
    assert body["data"]["node"] is None and bookmarks.HEADER in body["errors"][0]["message"], body


def test_interleaved_load_with_a_replica_killed_loses_and_staleness_nothing(replicas: list[Replica],
                                                                          session_db: Database) -> None:
    """Writers register versions on random replicas, then read each one back on another replica with the
    bookmark. Mid-load replica c is killed and restarted on the same port; requests it refuses while
    down are retried on another replica (as a load balancer would), never counted as written."""
    secret = token(session_db, "writer")
    victim = replicas[2]
    rng = random.Random(20261207)
    stale: list[str] = []
    acknowledged: list[tuple[float, str]] = []
    refused = 0
    lock = threading.Lock()
    done = threading.Event()

    def up() -> list[Replica]:
        return [r for r in replicas if r.proc is not None and r.proc.poll() is None]

    def send(fn: Any) -> tuple[httpx.Response, bool]:
        """The first answer from a live replica, and whether an earlier attempt was cut off."""
        nonlocal refused
        cut = False
        for _ in range(50):
            try:
                return fn(rng.choice(up())), cut
            except httpx.TransportError:
                cut = True
                with lock:
                    refused += 1
                time.sleep(0.1)
        raise AssertionError("no replica answered 50 times in a row")

    def worker(w: int) -> None:
        i = 0
        while not done.is_set() and i < 400:
            version = f"{w}.{i}.0"
            i += 1
            response, cut = send(lambda r: register(r, secret, "load-tagger", version, ["jet_pt", "jet_eta"]))
            assert response.status_code == 200, response.text
            kind = response.json()["data"]["registerModelVersion"]["__typename"]
            uid = f"model_version:load-tagger@{version}"
            if kind == "ConflictError" and cut:
                # the replica died after committing, before answering: the retry finds the version there
                mark = None
            else:
                assert kind == "ModelVersion", response.text
                mark = response.headers[bookmarks.HEADER]
            with lock:
                acknowledged.append((time.monotonic(), uid))
            read, _ = send(lambda r: post(r, VERSION % uid, bookmark=mark))
            if read.json().get("data", {}).get("node") != {"id": uid}:
                with lock:
                    stale.append(uid)

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(worker, w) for w in range(4)]
        time.sleep(3)
        killed_at = time.monotonic()
        victim.kill()
        time.sleep(2)
        victim.start()
        back_at = time.monotonic()
        time.sleep(5)
        done.set()
        for future in futures:
            future.result()

    assert victim.proc is not None and victim.proc.poll() is None, "the killed replica came back"
    assert not stale, f"stale reads after a write's bookmark: {stale}"
    times = [t for t, _ in acknowledged]
    assert min(times) < killed_at and max(times) > back_at, "the load did not span the kill and the restart"
    assert any(killed_at < t < back_at for t in times), "no write was acknowledged while a replica was down"
    uids = [u for _, u in acknowledged]
    assert len(uids) == len(set(uids))
    # zero lost writes: every acknowledged version is in the catalog, read through the restarted replica
    listed = post(victim, '{ node(id: "model:load-tagger") { ... on Model { versions { version } } } }').json()
    got = {f"model_version:load-tagger@{v['version']}" for v in listed["data"]["node"]["versions"]}
    assert set(uids) <= got, sorted(set(uids) - got)
    print(f"replicas: {len(uids)} writes acknowledged, {refused} requests refused by the killed replica and retried")
