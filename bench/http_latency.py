"""Search and recommend over HTTP (issue 20): the real server, a persistent client, p50/p95/p99.

    .venv/bin/python -m bench.http_latency [--sizes demo 100000] [--queries 200] [--compare-with REV]

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (point it at a scratch server), then per size loads
the catalog (`demo`: graphcat/demo/hep-catalog.yaml; a number: bench/synthetic.py's catalog of
that many model versions, bulk-imported) and starts `graphcat serve` (uvicorn, a subprocess, a
free port) on it. One persistent HTTP client per server times, after a warm-up, a bare
`{__typename}` request (the floor: HTTP + GraphQL with no work), `search` over varied texts and
`recommendModels` over the demo's dataset schemas (every dataset version's feature list), each
request twice: once as the schema stands ("repeated": the page asks again for a schema it asked
before) and once with one extra column of its own name, never sent before ("new schema").

`--compare-with REV` also serves git revision REV (a temporary `git worktree` of it, removed
afterwards) on the same Neo4j and catalog at the same time, and sends every request to both
servers in turn, so before and after are one run under the same machine load; the answers of the
two are compared (ids in order, scores to 3 decimals) and the count that differ is printed.
Each server keeps its vector index under .graphcat/bench/http-index/<label>/ (built once per
catalog state, reused by later runs). The environment of the run (GRAPHCAT_EMBEDDING_BACKEND...)
reaches both servers alike.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
import numpy as np
import yaml

from bench.common import ROOT, revision_tree, table

DEMO = ROOT / "graphcat" / "demo" / "hep-catalog.yaml"
INDEX_DIRS = ROOT / ".graphcat" / "bench" / "http-index"
START_TIMEOUT = 1800.0  # seconds: a server first builds its vector index (100k: encoding every card)

SEARCH = ("query Search($text: String!) { search(text: $text, first: 20) { total "
          "hits { uid kind label score sources tasks experiments } facets { name values { value count } } } }")
RECOMMEND = ("query Recommend($columns: [ColumnInput!]!) { recommendModels(columns: $columns, first: 10) { "
             "... on Recommendations { indexFingerprint items { modelVersion { id } score compatibility similarity "
             "explanation mapping { modelInput userColumn score } unusedColumns transformations } } "
             "... on InvalidInputError { message } } }")
FLOOR = "{ __typename }"
TEXTS = [
    "top tagging", "jet", "transverse momentum top tagger", "generate calorimeter showers quickly",
    "b-tagging CMS", "particle transformer", "find charged particle tracks with graph neural networks",
    "anomaly detection trigger", "ATLAS", "fast simulation", "energy regression", "hls4ml FPGA",
    "tell quark jets from gluon jets", "Higgs decaying to a bottom quark pair", "ring imaging cherenkov",
    "particle flow reconstruction", "simulated top quark pair events", "onnx", "graph", "pions",
]
KINDS = ("floor", "search", "recommend (repeated schema)", "recommend (new schema)")


def demo_schemas() -> list[list[dict[str, Any]]]:
    """The demo's dataset schemas as `ColumnInput` lists: every dataset version's features."""
    doc = yaml.safe_load(DEMO.read_text())
    out = []
    for dataset in doc["datasets"]:
        for version in dataset.get("versions", []):
            if version.get("features"):
                out.append([{"name": f["name"], "dtype": f.get("dtype", "float32"), "shape": f.get("shape") or []}
                            for f in version["features"]])
    return out


def load_catalog(size: str) -> str:
    """Empty the catalog and load the one of this size; a line saying what was loaded."""
    from graphcat.catalog.importer import import_files
    from graphcat.settings import Settings
    from graphcat.store import migrations
    from graphcat.store.admin import clear_catalog
    from graphcat.store.database import Database

    with Database(Settings.from_env()) as db:
        migrations.apply(db)
        clear_catalog(db)
        if size == "demo":
            import_files(db, [DEMO], replace=True)
            return "demo catalog (graphcat/demo/hep-catalog.yaml)"
        from bench.import_rate import synthetic_catalog
        from graphcat.catalog.bulk import bulk_import
        from bench.synthetic import catalog_files

        folder, _ = synthetic_catalog(int(size))
        report = bulk_import(db, catalog_files(folder), progress=False)
        return f"synthetic catalog, {int(size):,} model versions ({report.nodes_written:,} nodes)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Subprocess:
    """A server in a subprocess whose output goes to `self.log`: wait until it answers, show its log, stop it."""

    process: subprocess.Popen[bytes] | None
    log: Any
    label: str

    def wait_for(self, answers: Callable[[], bool], timeout: float) -> float:
        """Seconds until `answers()` is true; the log's tail when the process exits or time runs out."""
        assert self.process is not None
        started = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if answers():
                    return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"{self.label} did not answer in {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.3)

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


@dataclass
class Server(Subprocess):
    """`graphcat serve` of one source tree, in a subprocess on a free port."""

    label: str
    tree: Path
    size: str
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        index_dir = INDEX_DIRS / _slug(self.label)
        env = {**os.environ, "PYTHONPATH": str(self.tree), "GRAPHCAT_INDEX_DIR": str(index_dir),
               "GRAPHCAT_LOG_LEVEL": "warning", "HF_HUB_OFFLINE": "1"}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, "-m", "graphcat.cli", "serve", "--port", str(self.port)],
                                        cwd=self.tree, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> float:
        """Seconds until the server answers (its start-up loads or builds the vector index)."""
        return self.wait_for(lambda: httpx.get(self.url + "/healthz", timeout=5).status_code == 200, START_TIMEOUT)


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in label)


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = (time.perf_counter() - t) * 1000
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"{query[:40]}... answered errors: {body['errors']}")
    return elapsed, body["data"]


def requests(n: int, schemas: list[list[dict[str, Any]]], offset: int = 0) -> list[tuple[str, str, dict[str, Any]]]:
    """The i-th round: (kind, query, variables) of each kind; new-schema rounds never repeat a column name."""
    out = []
    for i in range(offset, offset + n):
        cols = schemas[i % len(schemas)]
        extra = {"name": f"bench_extra_{i}", "dtype": "float32", "shape": []}
        out += [("floor", FLOOR, {}), ("search", SEARCH, {"text": TEXTS[i % len(TEXTS)]}),
                ("recommend (repeated schema)", RECOMMEND, {"columns": cols}),
                ("recommend (new schema)", RECOMMEND, {"columns": [*cols, extra]})]
    return out


def _canonical(data: Any) -> Any:
    """An answer with floats to 3 decimals, for comparing two servers' answers."""
    if isinstance(data, float):
        return round(data, 3)
    if isinstance(data, dict):
        return {k: _canonical(v) for k, v in data.items() if k != "indexFingerprint"}
    if isinstance(data, list):
        return [_canonical(v) for v in data]
    return data


def measure(servers: list[Server], queries: int, warmup: int) -> dict[str, Any]:
    """Every request to every server in turn: times per (server, kind) and answers that differ."""
    schemas = demo_schemas()
    clients = [httpx.Client(base_url=s.url, timeout=120) for s in servers]
    times: dict[tuple[str, str], list[float]] = {(s.label, k): [] for s in servers for k in KINDS}
    differ: dict[str, int] = {k: 0 for k in KINDS}
    examples: list[str] = []
    try:
        for _, query, variables in requests(warmup, schemas, offset=10_000):
            for c in clients:
                _post(c, query, variables)
        for kind, query, variables in requests(queries, schemas):
            answers = []
            for s, c in zip(servers, clients):
                ms, data = _post(c, query, variables)
                times[(s.label, kind)].append(ms)
                answers.append(_canonical(data))
            if any(a != answers[0] for a in answers[1:]):
                differ[kind] += 1
                if len(examples) < 3:
                    examples.append(f"{kind} {variables.get('text') or len(variables.get('columns', []))}")
    finally:
        for c in clients:
            c.close()
    return {"times": times, "differ": differ, "examples": examples}


def render(size: str, servers: list[Server], result: dict[str, Any]) -> str:
    rows = []
    for kind in KINDS:
        for s in servers:
            t = result["times"][(s.label, kind)]
            p50, p95, p99 = np.percentile(t, [50, 95, 99])
            rows.append([size, kind, s.label, len(t), f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}", f"{np.mean(t):.1f}"])
    out = table(["catalog", "request", "server", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms"], rows)
    if len(servers) > 1:
        out += "\n\nanswers that differ between the servers: " + ", ".join(
            f"{k} {v}/{len(result['times'][(servers[0].label, k)])}" for k, v in result["differ"].items())
        if result["examples"]:
            out += " (e.g. " + "; ".join(result["examples"]) + ")"
    return out


def run(size: str, queries: int, warmup: int, compare_with: str | None = None, load: bool = True) -> str:
    """One size: load the catalog, serve it (and REV's server), time; the printed report."""
    lines = [load_catalog(size) if load else f"catalog already loaded ({size})"]
    with contextlib.ExitStack() as stack:
        trees = []
        if compare_with:
            trees.append((f"before ({compare_with})", stack.enter_context(revision_tree(compare_with))))
        trees.append(("after (this tree)", ROOT))
        servers = [Server(label, tree, size) for label, tree in trees]
        for s in servers:
            stack.callback(s.stop)
            s.start()
        for s in servers:
            lines.append(f"{s.label}: answered after {s.wait():.0f}s of start-up")
        lines.append(f"load average before timing: {_load()}")
        result = measure(servers, queries, warmup)
        lines.append(f"load average after timing: {_load()}")
        lines.append("")
        lines.append(render(size, servers, result))
    return "\n".join(lines)


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["demo"], help="demo and/or numbers of model versions")
    parser.add_argument("--queries", type=int, default=200, help="timed rounds (each: every request kind)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first")
    parser.add_argument("--compare-with", metavar="REV", help="serve git revision REV too, side by side")
    args = parser.parse_args(argv)
    for size in args.sizes:
        if size != "demo" and not size.isdigit():
            parser.error(f"--sizes: {size!r} is neither `demo` nor a number of model versions")
    print(f"{args.queries} rounds after {args.warmup} warm-up rounds; times in ms over HTTP (persistent client)")
    for size in args.sizes:
        print(f"\n== {size}\n" + run(size, args.queries, args.warmup, args.compare_with), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
