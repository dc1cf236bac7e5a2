"""evaluateOnData under load (issue 17): API responsiveness while an evaluation runs, and peak memory.

    .venv/bin/python -m bench.evaluation_load [--gb 2] [--rows 2000000] [--idle 200] [--compare-with REV]

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (point it at a scratch server), registers a small ONNX
model (a sigmoid of jet_mass and jet_pt) and generates, under .graphcat/bench/ (not committed), a
Parquet file of `--rows` jets: jet_mass, jet_pt, label and float32 filler branches up to `--gb` GB
(a flat ntuple with many branches; the model reads two). Then `graphcat serve` of this tree, and of
REV with `--compare-with` (a temporary worktree, same Neo4j and catalog), each in a subprocess:

1. idle: `--idle` bare `{__typename}` requests (the floor: HTTP + GraphQL, no work), p50/p95/p99;
2. busy: one client uploads the file to `evaluateOnData` (multipart, streamed from disk by httpx)
   and waits for the answer, while another sends the same bare request without pause until the
   evaluation answers: p50/p95/p99/max of those, how many, and the evaluation's seconds;
3. memory: the API process's peak RSS (VmHWM of /proc) before and after, and the worker's peak RSS
   as the job reports it (this tree only; REV evaluates in the API process).

The servers are measured one after the other in one run (REV first), under the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.common import ROOT, revision_tree, table
from bench.http_latency import FLOOR, Server

DATA = ROOT / ".graphcat" / "bench" / "evaluation"
RESULT = "... on UserError { code message } ... on EvaluationOnData { rows seconds metrics { metric value } }"
# REV (before the jobs) answers the evaluation in the request; this tree answers the job at once
# (wait: 0), polled every 0.5 s until it ends: the work on the server is the same.
BLOCKING = """mutation ($file: Upload) { evaluateOnData(modelVersion: "model_version:bench-mass-tagger@1", file: $file,
  label: "label") { __typename %s } }""" % RESULT
JOB = "id state workerPeakRssBytes error { code message } result { rows seconds metrics { metric value } }"
STARTING = """mutation ($file: Upload) { evaluateOnData(modelVersion: "model_version:bench-mass-tagger@1", file: $file,
  label: "label", wait: 0) { __typename %s ... on EvaluationJob { %s } } }""" % (RESULT, JOB)
POLL = "query ($id: ID!) { evaluationJob(id: $id) { __typename ... on EvaluationJob { %s } } }" % JOB
FILLER_PER_GROUP = 100_000  # rows per Parquet row group written


def model(path: Path) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    consts = [numpy_helper.from_array(np.array(v, dtype=np.float32), n)
              for n, v in (("centre", 100.0), ("scale", 0.1), ("tiny", 1e-4))]
    nodes = [helper.make_node("Sub", ["jet_mass", "centre"], ["d"]), helper.make_node("Mul", ["d", "scale"], ["z0"]),
             helper.make_node("Mul", ["jet_pt", "tiny"], ["p"]), helper.make_node("Add", ["z0", "p"], ["z"]),
             helper.make_node("Sigmoid", ["z"], ["score"])]
    graph = helper.make_graph(nodes, "bench_mass", [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N"])
                                                     for n in ("jet_mass", "jet_pt")],
                              [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N"])], initializer=consts)
    m = helper.make_model(graph, producer_name="graphcat-bench", opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, str(path))
    return path


def data_file(rows: int, gb: float) -> Path:
    """The jets file (made once per size): 3 columns the model and label need, filler up to `gb` GB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    filler = max(0, int(gb * 1e9 / (4 * rows)) - 3)
    path = DATA / f"jets-{rows}-{filler}.parquet"
    if path.is_file():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    tmp = path.with_suffix(".part")
    writer = None
    for start in range(0, rows, FILLER_PER_GROUP):
        n = min(FILLER_PER_GROUP, rows - start)
        mass = rng.uniform(40, 160, n).astype(np.float32)
        cols = {"jet_mass": mass, "jet_pt": rng.uniform(300, 600, n).astype(np.float32),
                "label": ((mass + rng.normal(0, 15, n)) > 100).astype(np.int8)}
        cols.update({f"branch_{i:03d}": rng.standard_normal(n, dtype=np.float32) for i in range(filler)})
        batch = pa.table(cols)
        writer = writer or pq.ParquetWriter(tmp, batch.schema, compression="none")
        writer.write_table(batch)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path


def setup_catalog(onnx_path: Path) -> None:
    import dataclasses

    from graphcat.catalog.importer import import_documents
    from graphcat.service import deploy
    from graphcat.settings import Settings
    from graphcat.store import migrations
    from graphcat.store.admin import clear_catalog
    from graphcat.store.database import Database

    settings = dataclasses.replace(Settings.from_env(), artifact_root=str(DATA / "artifacts"))
    with Database(settings) as db:
        migrations.apply(db)
        clear_catalog(db)
        import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
        deploy.register_onnx(db, settings, onnx_path, model_id="bench-mass-tagger", version="1", task="jet-tagging")


def writer_token() -> str:
    from graphcat.settings import Settings
    from graphcat.store import tokens
    from graphcat.store.database import Database

    with Database(Settings.from_env()) as db:
        return tokens.create(db, "writer", "bench-evaluation")[1]


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def floor(client: httpx.Client) -> float:
    t = time.perf_counter()
    client.post("/graphql", json={"query": FLOOR}).raise_for_status()
    return (time.perf_counter() - t) * 1000


def pcts(ms: list[float]) -> list[str]:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return [f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}", f"{max(ms):.1f}", str(len(ms))]


def measure(server: Server, path: Path, token: str, idle: int, jobs: bool) -> dict[str, Any]:
    assert server.process is not None
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for _ in range(20):
            floor(client)
        quiet = [floor(client) for _ in range(idle)]
        before = vm_hwm(server.process.pid)
        answer: dict[str, Any] = {}

        def evaluate() -> None:
            started = time.perf_counter()
            auth = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, timeout=7200) as c, path.open("rb") as fh:
                query = STARTING if jobs else BLOCKING
                response = c.post("/graphql", headers=auth,
                                  data={"operations": json.dumps({"query": query, "variables": {"file": None}}),
                                        "map": json.dumps({"0": ["variables.file"]})},
                                  files={"0": (path.name, fh, "application/octet-stream")})
                body = response.json()
                job = (body.get("data") or {}).get("evaluateOnData") or {}
                while job.get("__typename") == "EvaluationJob" and job["state"] not in ("DONE", "FAILED", "CANCELLED"):
                    time.sleep(0.5)
                    job = c.post("/graphql", headers=auth, json={"query": POLL, "variables": {"id": job["id"]}}).json()[
                        "data"]["evaluationJob"]
                if job.get("__typename") == "EvaluationJob":
                    answer["worker_rss"] = job["workerPeakRssBytes"]
                    body = {"data": {"evaluateOnData": job["result"] and {"__typename": "EvaluationOnData", **job["result"]}},
                            "job": job}
            answer["seconds"] = time.perf_counter() - started
            answer["body"] = body

        worker = threading.Thread(target=evaluate)
        worker.start()
        busy = []
        while worker.is_alive():
            busy.append(floor(client))
        worker.join()
    result = answer["body"].get("data", {}).get("evaluateOnData") if "body" in answer else None
    if not result or result.get("__typename") != "EvaluationOnData":
        raise RuntimeError(f"{server.label}: the evaluation failed: {answer.get('body')}")
    return {"quiet": quiet, "busy": busy, "seconds": answer["seconds"], "result": result,
            "worker_rss": answer.get("worker_rss"),
            "hwm_before": before, "hwm_after": vm_hwm(server.process.pid)}


def run(rows: int, gb: float, idle: int, compare_with: str | None) -> str:
    load = os.getloadavg()
    DATA.mkdir(parents=True, exist_ok=True)
    onnx_path = model(DATA / "bench-mass.onnx")
    path = data_file(rows, gb)
    setup_catalog(onnx_path)
    token = writer_token()
    os.environ.update({"GRAPHCAT_MAX_UPLOAD_BYTES": str(path.stat().st_size + 2**20),
                       "GRAPHCAT_EVALUATION_WAIT_S": "3600", "GRAPHCAT_EVALUATION_TIME_LIMIT_S": "7200",
                       "GRAPHCAT_ARTIFACT_ROOT": str(DATA / "artifacts")})
    results: list[tuple[str, dict[str, Any]]] = []

    def serve(label: str, tree: Path, jobs: bool) -> None:
        server = Server(label, tree, "evaluation")
        server.start()
        try:
            server.wait()
            results.append((label, measure(server, path, token, idle, jobs)))
        finally:
            server.stop()

    if compare_with:
        with revision_tree(compare_with) as tree:
            serve(compare_with, tree, jobs=False)
    serve("this tree", ROOT, jobs=True)
    mib = lambda b: f"{b / 2**20:.0f}"  # noqa: E731
    rows_out = []
    for label, m in results:
        wrss = mib(m["worker_rss"]) if m["worker_rss"] else "n/a (runs in the API process)"
        rows_out.append([label, "idle", *pcts(m["quiet"]), "", "", "", ""])
        rows_out.append([label, "during upload + evaluation", *pcts(m["busy"]), f"{m['seconds']:.1f}",
                         mib(m["hwm_before"]), mib(m["hwm_after"]), wrss])
    size = path.stat().st_size
    head = (f"File: {path.name}, {size / 1e9:.2f} GB Parquet, {rows} rows ({size // (4 * rows) - 3} filler "
            f"float32 branches besides jet_mass, jet_pt, label); AUC {results[-1][1]['result']['metrics'][0]['value']:.4f}, "
            f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f} (1 min)")
    return head + "\n\n" + table(["server", "while", "floor p50 ms", "p95 ms", "p99 ms", "max ms", "n", "evaluation s",
                                  "API peak RSS before MiB", "after MiB", "worker peak RSS MiB"], rows_out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--gb", type=float, default=2.0)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--compare-with", metavar="REV")
    args = parser.parse_args(argv)
    print(run(args.rows, args.gb, args.idle, args.compare_with))
    return 0


if __name__ == "__main__":
    sys.exit(main())
