"""Peers, side by side: MLflow's model registry and graphcat on the same model versions (issue 15).

    .venv/bin/python -m bench.peers_mlflow --versions 10000 [--queries 100] [--rebuild-mlflow] [--no-docs]

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (point it at a scratch server). Generates (or reuses)
bench/synthetic.py's catalog (seed 0, like the rest of bench/) and bulk-imports it into graphcat
(timed, as bench/import_rate.py does), and loads the same model versions into a real MLflow
registry with the `mlflow` client (sqlite, .graphcat/bench/peers-mlflow-N-seed0/, built once and
reused: its load rate is then the one recorded by the run that built it, named by its date).
bench/peers_mlflow_registry.py says what goes where (tags, aliases).

Then `mlflow server` (sqlite, one worker) and `graphcat serve` run side by side, and the three
questions of bench/peers_mlflow_questions.py go to graphcat (GraphQL over HTTP, one persistent
httpx client), MLflow over HTTP (MlflowClient on the server's URL) and MLflow in-process
(MlflowClient on the sqlite URI: how many users run it), interleaved per round so the three share
the machine's load. Each answer set is checked against the catalog records on every side first.
Where graphcat is slower than MLflow over HTTP, the graphcat Cypher of that question is PROFILEd.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import numpy as np

from bench.common import ROOT, machine, table, write_section
from bench.http_latency import Server, _free_port
from bench.import_rate import DATA, run as bulk_run, synthetic_catalog
from bench.peers_mlflow_questions import (QUESTIONS, Variant, expected, graphcat_all, mlflow_all, post,
                                          timed_calls, variants)
from bench.peers_mlflow_registry import cached_registry, read_catalog
from bench.synthetic import catalog_files

START_TIMEOUT = 180.0
GRAPHCAT = "graphcat (HTTP)"
MLFLOW_HTTP = "MLflow server (HTTP)"
MLFLOW_SQLITE = "MLflow in-process (sqlite)"
SIDES = (GRAPHCAT, MLFLOW_HTTP, MLFLOW_SQLITE)
HEADING = "## Peers, side by side: MLflow model registry (issue 15)"


@contextlib.contextmanager
def mlflow_server(db_file: Path) -> Iterator[str]:
    """`mlflow server` on the sqlite registry `db_file`, one worker, a free port: its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    folder = db_file.parent
    log = folder / "server.log"
    cli = Path(sys.executable).with_name("mlflow")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(cli), "server", "--backend-store-uri", f"sqlite:///{db_file}", "--artifacts-destination",
             str(folder / "artifacts"), "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=dict(os.environ), start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited with {proc.returncode}; log {log}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server at {url} did not answer /health in {START_TIMEOUT:.0f} s; log {log}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def check_answers(qs: dict[str, list[Variant]], models: list, graphcat: Any, mlflow_clients: dict[str, Any]) -> dict[str, str]:
    """Every variant's whole answer on every side against the records: per question 'k/n equal'."""
    out = {}
    for question, vs in qs.items():
        same, notes = 0, []
        for v in vs:
            truth = expected(models, v)
            answers = {GRAPHCAT: graphcat_all(graphcat, v)} | {k: mlflow_all(c, v) for k, c in mlflow_clients.items()}
            wrong = [k for k, a in answers.items() if a != truth]
            same += not wrong
            if wrong and len(notes) < 2:
                notes.append(f"{v.label}: {', '.join(f'{k} {len(answers[k])}' for k in wrong)} vs {len(truth)} expected")
        sizes = [len(expected(models, v)) for v in vs]
        out[question] = (f"{same}/{len(vs)} variants equal on all three sides (answers of {min(sizes)}-{max(sizes)} "
                         f"versions)" + (f"; differ: {'; '.join(notes)}" if notes else ""))
    return out


def measure(qs: dict[str, list[Variant]], calls: dict[str, Any], floors: dict[str, Any], rounds: int,
            warmup: int) -> dict[tuple[str, str], list[float]]:
    """`rounds` rounds; in each, every question's next variant to every side in turn (interleaved),
    and each server's floor (a request that does no work)."""
    times: dict[tuple[str, str], list[float]] = {(q, s): [] for q in QUESTIONS for s in calls}
    times |= {("floor", s): [] for s in floors}
    for r in range(-warmup, rounds):
        for side, floor in floors.items():
            t = time.perf_counter()
            floor()
            if r >= 0:
                times[("floor", side)].append((time.perf_counter() - t) * 1000)
        for q in QUESTIONS:
            v = qs[q][r % len(qs[q])]
            for side, call in calls.items():
                t = time.perf_counter()
                call(v)
                if r >= 0:
                    times[(q, side)].append((time.perf_counter() - t) * 1000)
    return times


def _profiled(db: Any, name: str, params: dict[str, Any]) -> str:
    """PROFILE of one named graphcat query: db hits in all, and the top 4 operators."""
    from graphcat.store import queries

    with db.driver.session(database=db.settings.neo4j_database) as session:
        summary = session.run("PROFILE " + queries.get(name), params).consume()
    ops: list[tuple[int, str, int]] = []

    def walk(plan: dict[str, Any]) -> None:
        args = plan.get("args", {})
        ops.append((int(plan.get("dbHits", args.get("DbHits", 0))), str(plan.get("operatorType", "?")).partition("@")[0],
                    int(plan.get("rows", args.get("Rows", 0)))))
        for child in plan.get("children", []):
            walk(child)

    walk(summary.profile)
    top = ", ".join(f"{op} {hits:,} hits / {rows:,} rows" for hits, op, rows in sorted(ops, reverse=True)[:4])
    return f"`{name}`: {sum(h for h, _, _ in ops):,} db hits ({top})"


def profile(db: Any, v: Variant) -> str:
    """PROFILE of the Cypher graphcat runs for a variant (first page): Model.versions is two round
    trips (the node, then its HAS_VERSION neighbours); modelVersions one keyset query."""
    from graphcat.store.catalog import _filter_params

    if v.question == "model":
        uid = v.variables["id"]
        return "two round trips: " + "; ".join([
            _profiled(db, "catalog/nodes_by_uid", {"uids": [uid]}),
            _profiled(db, "catalog/outgoing", {"uids": [uid], "types": ["HAS_VERSION"]})])
    f = v.variables["filter"]
    filters = {k: f[k] for k in ("task", "experiment", "text") if f.get(k) is not None}
    params = {**_filter_params({**filters, "include_deprecated": True}), "key": "", "uid": "", "limit": 101}
    return "one round trip: " + _profiled(db, "catalog/model_versions_by_model", params)


def render(times: dict[tuple[str, str], list[float]]) -> tuple[str, list[str]]:
    rows, losses = [], []
    for q in QUESTIONS:
        g50, g95 = np.percentile(times[(q, GRAPHCAT)], [50, 95])
        for side in SIDES:
            p50, p95 = np.percentile(times[(q, side)], [50, 95])
            ratio = "" if side == GRAPHCAT else f"{g50 / p50:.2f} / {g95 / p95:.2f}"
            rows.append([q, side, len(times[(q, side)]), f"{p50:.1f}", f"{p95:.1f}", ratio])
            if side != GRAPHCAT and g95 > p95 and q not in losses:
                losses.append(q)
    for label, key in (("graphcat `{ __typename }` (HTTP + GraphQL, no work)", GRAPHCAT),
                       ("MLflow server `GET /health` (HTTP, no work)", MLFLOW_HTTP)):
        p50, p95 = np.percentile(times[("floor", key)], [50, 95])
        rows.append(["floor", label, len(times[("floor", key)]), f"{p50:.1f}", f"{p95:.1f}", ""])
    return table(["question", "side", "n", "p50 ms", "p95 ms", "graphcat / this side (p50 / p95)"], rows), losses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_mlflow", description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100, help="timed rounds (each: every question to every side)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--variants", type=int, default=20, help="variants of each question (checked, then cycled)")
    parser.add_argument("--rebuild-mlflow", action="store_true", help="reload the MLflow registry even if cached")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
    from mlflow import MlflowClient

    from graphcat.settings import Settings
    from graphcat.store import migrations
    from graphcat.store.database import Database

    folder, _ = synthetic_catalog(args.versions)
    models = read_catalog(catalog_files(folder))
    registry = DATA / f"peers-mlflow-{args.versions}-seed0"
    print(f"MLflow registry {registry} ...", flush=True)
    uri, load = cached_registry(registry, models, rebuild=args.rebuild_mlflow)
    print(f"MLflow load: {load['versions']:,} versions in {load['seconds']:.0f} s"
          f"{' (cached, loaded ' + load['date'] + ')' if load['cached'] else ''}", flush=True)
    with Database(Settings.from_env(env_file=ROOT / ".env")) as db:
        migrations.apply(db)
        info = machine(db)
        bulk = bulk_run(db, args.versions, progress=False)
        bulk_s = bulk["validate s"] + bulk["nodes s"] + bulk["relationships s"]
        print(f"graphcat bulk import: {args.versions:,} versions in {bulk_s:.0f} s", flush=True)
        qs = variants(models, args.variants)
        with contextlib.ExitStack() as stack:
            server = Server("peers-mlflow", ROOT, str(args.versions))
            stack.callback(server.stop)
            server.start()
            mlflow_url = stack.enter_context(mlflow_server(registry / "mlflow.db"))
            started = server.wait()
            print(f"graphcat serve answered after {started:.0f} s (vector index)", flush=True)
            graphcat = stack.enter_context(httpx.Client(base_url=server.url, timeout=120))
            mlflow_clients = {MLFLOW_HTTP: MlflowClient(tracking_uri=mlflow_url, registry_uri=mlflow_url),
                              MLFLOW_SQLITE: MlflowClient(tracking_uri=uri, registry_uri=uri)}
            answers = check_answers(qs, models, graphcat, mlflow_clients)
            load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
            mlflow_http = stack.enter_context(httpx.Client(base_url=mlflow_url, timeout=120))
            floors = {GRAPHCAT: lambda: post(graphcat, "{ __typename }", {}),
                      MLFLOW_HTTP: lambda: mlflow_http.get("/health").raise_for_status()}
            times = measure(qs, timed_calls(graphcat, mlflow_clients), floors, args.queries, args.warmup)
            load_after = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        body, losses = render(times)
        profiles = {q: profile(db, qs[q][0]) for q in losses}
    rate_rows = [
        ["MLflow client, sqlite (create_registered_model, create_model_version with tags, set alias)",
         f"{load['versions']:,}", f"{load['seconds']:.1f}", f"{load['versions_per_second']:,.0f}",
         f"{load['models']:,} registered models, {load['aliases']:,} aliases" + (f"; cached, loaded {load['date']}" if load["cached"] else "")],
        ["graphcat bulk-import (whole catalog: datasets, features, lineage, evaluations too)", f"{args.versions:,}",
         f"{bulk_s:.1f}", f"{args.versions / bulk_s:,.0f}", f"{bulk['nodes']:,} nodes, {bulk['relationships']:,} relationships"],
    ]
    text = "\n\n".join([
        HEADING,
        f"Run {info['date']}: `python -m bench.peers_mlflow --versions {args.versions} --queries {args.queries}` on "
        f"{info['cpu']}, {info['memory']}, load average {info['load average at start (1 min)']} at start, "
        f"{load_before} before and {load_after} after timing (1/5/15 min); Neo4j {info.get('neo4j', '?')}; "
        f"{args.versions:,} model versions (bench/synthetic.py, seed 0); mlflow {_mlflow_version()}.",
        "Load rate (model versions per second):",
        table(["loader", "versions", "s", "versions/s", "what"], rate_rows),
        f"First page of 100, {args.queries} rounds after {args.warmup} warm-up rounds, the three sides interleaved; "
        "each question cycles over its variants:",
        body,
        "Answers (whole answer sets, every page, against the catalog records):\n\n"
        + "\n".join(f"- {q}: {a}" for q, a in answers.items()),
        ("Where graphcat's p95 is above a peer's, PROFILE of its Cypher (first variant, first page):\n\n"
         + "\n".join(f"- {q}: {p}" for q, p in profiles.items())) if profiles else
        "graphcat's p95 is at or below both MLflow sides on every question.",
    ])
    print(text)
    if not args.no_docs:
        write_section("peers-mlflow", text)
    return 0


def _mlflow_version() -> str:
    import mlflow

    return str(mlflow.__version__)


if __name__ == "__main__":
    raise SystemExit(main())
