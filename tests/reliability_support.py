"""Shared pieces of the reliability tests (tests/test_reliability_*.py).

Every reliability test carries `@pytest.mark.reliability(category, fault_or_input_class)` and
counts the cases it tried with the `cases` fixture; both go into the JUnit XML as properties, from
which `scripts/reliability_report.py` (run by `make reliability`) builds docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import select
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from graphcat.store import catalog as store
from live_app import ServerThread  # noqa: F401  (re-exported for the reliability tests)
from graphcat.store.database import Database


@dataclass
class Cases:
    count: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, n: int = 1) -> None:
        self.count += n

    def note(self, text: str) -> None:
        self.notes.append(text)


@pytest.fixture()
def cases(request: pytest.FixtureRequest, record_property: Any) -> Iterator[Cases]:
    marker = request.node.get_closest_marker("reliability")
    assert marker is not None and len(marker.args) == 2, \
        "reliability tests carry @pytest.mark.reliability(category, class)"
    box = Cases()
    yield box
    record_property("category", marker.args[0])
    record_property("class", marker.args[1])
    record_property("cases", box.count)
    if box.notes:
        record_property("notes", "; ".join(box.notes))


def catalog_size(db: Database) -> tuple[int, int]:
    """(nodes, relationships) of the catalog: what a partial write would change."""
    return len(store.export_nodes(db)), len(store.export_edges(db))


def catalog_digest(db: Database) -> str:
    """A digest of every catalog node and relationship, to prove a refused request changed nothing."""
    nodes = sorted(repr(sorted(n.items())) for n in store.export_nodes(db))
    edges = sorted(repr(sorted(e.items())) for e in store.export_edges(db))
    return hashlib.sha256("\n".join(nodes + ["--"] + edges).encode()).hexdigest()


def post(client: TestClient | httpx.Client, query: str, variables: dict[str, Any] | None = None, *,
         token: str | None = None) -> httpx.Response:
    headers = {"Accept": "application/graphql-response+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql", json=body, headers=headers)


def assert_client_error_or_typed(response: httpx.Response, *, allow_503: bool = False) -> None:
    """Never a 500: a 2xx with typed results/errors, or a 4xx (503 only where an outage is expected)."""
    assert response.status_code < 500 or (allow_503 and response.status_code == 503), \
        f"{response.status_code}: {response.text[:500]}"
    for error in (response.json().get("errors") or []) if response.content else []:
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", error


class OutageProxy:
    """A loopback TCP proxy in front of Neo4j that can cut every connection and refuse new ones.

    From graphcat's side this is what a stopped server looks like (connections reset, new ones
    refused), reproducible in milliseconds; the real stop/start test restarts Neo4j itself.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener: socket.socket | None = None
        self.port = 0
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._bind(0)

    def _bind(self, port: int) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.settimeout(0.2)
        self.listener = listener
        self.port = listener.getsockname()[1]
        self._stopped.clear()
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (b if src is a else a).sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        """Neo4j 'stops': every open connection is reset and the port refuses connections."""
        self._stopped.set()
        assert self.listener is not None
        self.listener.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            for s in (client, upstream):
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
                except OSError:
                    pass

    def restore(self) -> None:
        """Neo4j 'starts' again on the same port."""
        self._bind(self.port)

    def close(self) -> None:
        if not self._stopped.is_set():
            self.cut()
