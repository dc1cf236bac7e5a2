"""The two servers of bench/peers_graphql.py: the @neo4j/graphql peer (node) and graphcat (uvicorn)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx

from bench.common import ROOT
from bench.http_latency import Server, Subprocess, _free_port
from graphcat.settings import Settings

PEER_DIR = ROOT / "bench" / "peers" / "neo4j_graphql"
NPM_CI = "npm ci --prefix bench/peers/neo4j_graphql"


def check_installed() -> None:
    if not (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir():
        raise RuntimeError(f"the @neo4j/graphql peer is not installed: run `{NPM_CI}` (make install does)")


@dataclass
class Peer(Subprocess):
    """bench/peers/neo4j_graphql/server.mjs in a node subprocess on a free port."""

    settings: Settings
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Any = None
    label: str = "@neo4j/graphql"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        check_installed()
        s = self.settings
        env = {**os.environ, "NEO4J_URI": s.neo4j_uri, "NEO4J_USER": s.neo4j_user, "NEO4J_PASSWORD": s.neo4j_password,
               "NEO4J_DATABASE": s.neo4j_database, "PORT": str(self.port), "NODE_ENV": "production"}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(["node", "server.mjs"], cwd=PEER_DIR, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120.0) -> float:
        return self.wait_for(lambda: httpx.post(self.url, json={"query": "{ __typename }"}, timeout=5).status_code == 200,
                             timeout)


def graphql_app() -> Any:
    """graphcat's GraphQL route as `graphcat serve` mounts it (graphcat.api.graphql_app), without the
    app's start-up build of the recommender's vector index: none of the four questions uses it, and
    at 10k versions on this loaded machine the build takes over 20 minutes."""
    from bench.graphql_page import _app

    return _app(Settings.from_env())


class GraphqlServer(Server):
    """uvicorn serving graphql_app() in a subprocess on a free port (real HTTP, like `graphcat serve`)."""

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(self.tree), "GRAPHCAT_LOG_LEVEL": "warning"}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bench.peers.servers:graphql_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=self.tree, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> float:
        return self.wait_for(lambda: httpx.post(self.url + "/graphql", json={"query": "{ __typename }"},
                                                timeout=5).status_code == 200, 300.0)


@contextlib.contextmanager
def serving(settings: Settings, size: str, full: bool, before: tuple[str, Path] | None = None,
            ) -> Iterator[tuple[list[Server], Peer, list[str]]]:
    """graphcat (`graphcat serve` when `full`) and the peer, both answering; how long each took to
    start. `before` = (label, source tree): graphcat of that tree too, first in the list."""
    trees = ([before] if before else []) + [("graphcat" if before is None else "graphcat (this tree)", ROOT)]
    with contextlib.ExitStack() as stack:
        graphcats = [(Server if full else GraphqlServer)(label, tree, size) for label, tree in trees]
        peer = Peer(settings)
        for s in (*graphcats, peer):
            stack.callback(s.stop)
            s.start()
        what = "graphcat serve (vector index build included)" if full else "graphcat's GraphQL route under uvicorn"
        lines = [f"{what}, {g.label}, answered after {g.wait():.0f}s of start-up" for g in graphcats]
        lines.append(f"@neo4j/graphql peer answered after {peer.wait():.0f}s")
        yield graphcats, peer, lines
