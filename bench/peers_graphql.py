"""graphcat against @neo4j/graphql on the same Neo4j, the same data and the same questions (issue 15).

    .venv/bin/python -m bench.peers_graphql --versions 10000 [--queries 100] [--warmup 5] [--no-docs]
                                            [--compare-with REV]

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (point it at a scratch server), bulk-imports
bench/synthetic.py's catalog of --versions model versions, then starts graphcat's GraphQL route
under uvicorn (bench/peers/servers.py; `--full-serve`: `graphcat serve`, whose start-up first
builds the vector index) and the peer, bench/peers/neo4j_graphql/server.mjs
(@neo4j/graphql + @apollo/server standalone, a free port, `npm ci --prefix
bench/peers/neo4j_graphql` first), both on that Neo4j. One persistent httpx client per server;
every round sends each question to graphcat, then the same question to the peer, so both run
under the same machine load. The questions:

1. page: a page of 100 model versions (sorted by model, then id; the walk follows each side's own
   cursor) with nested model, tasks, training datasets and their detectors, and evaluations;
2. filtered: the first 100 model versions of a task (or a subtask of it) AND an experiment (the
   training data recorded or simulated with one of its detectors), with the total count;
3. consumers: a dataset version's direct consumers (model versions TRAINED_ON it);
4. lineage: every node at most 3 hops upstream of a model version (the lineage relationship types);
   graphcat's `lineage(depth: 3)`, the peer a nested selection 3 deep over the same relationships.

Answers are compared per round (ids in order where both order, as sets otherwise). Neo4j round
trips per request: graphcat's X-Graphcat-Queries header (its count of Cypher queries run), the
peer's x-peer-queries (Cypher queries @neo4j/graphql sent, counted at the driver's tx.run).
Writes the "peers-graphql" section of docs/benchmarks.md unless --no-docs.

`--compare-with REV` also serves graphcat of git revision REV (a temporary `git worktree`,
bench.common.revision_tree) on the same Neo4j and catalog at the same time: every round asks
REV's graphcat, this tree's graphcat, then the peer, so before, after and the peer are one run
under one load; each graphcat gets its own row against the same peer timings, and a round's
answers count as the same only when all three agree.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import httpx
import numpy as np

from bench.common import machine, revision_tree, table, write_section
from bench.http_latency import load_catalog
from bench.import_rate import synthetic_catalog
from bench.lineage import version_uids
from bench.peers.servers import PEER_DIR, check_installed, serving
from bench.synthetic import EXPERIMENTS, TASKS
from graphcat.domain import LINEAGE_TYPES
from graphcat.settings import Settings

QUESTIONS = ("page", "filtered", "consumers", "lineage")

# -- graphcat's side (schema.graphql) --------------------------------------------------------------
# includeDeprecated: the peer has no notion of deprecation, so both sides list every version.
G_PAGE = """query Page($after: String) { modelVersions(first: 100, after: $after, filter: {includeDeprecated: true}) { totalCount
  pageInfo { hasNextPage endCursor }
  edges { node { id version framework model { name } tasks { id }
    evaluations { metric value dataset { id } } datasets { id format detectors { id name } } } } } }"""
G_FILTERED = """query Filtered($task: ID!, $experiment: ID!) {
  modelVersions(filter: {task: $task, experiment: $experiment, includeDeprecated: true}, first: 100) { totalCount edges { node { id } } } }"""
G_CONSUMERS = "query Consumers($id: ID!) { node(id: $id) { ... on DatasetVersion { trainedModels { id } } } }"
G_LINEAGE = """query Lineage($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 3, limit: 5000) {
  truncated nodes { id } } }"""

# -- the peer's side (bench/peers/neo4j_graphql/typeDefs.graphql) ---------------------------------
# The peer pages with limit / offset on its list field, plus its connection's totalCount. Its own
# connection cursors (modelVersionsConnection(first, after)) are not usable past the first pages:
# @neo4j/graphql 7 collects every version, then runs the nested selections before SKIP, so the
# page at offset 300 of 10k versions needs more than Neo4j's 1 GiB heap allows a transaction
# (MemoryPoolOutOfMemoryError; docs/benchmarks.md).
P_PAGE = """query Page($offset: Int!) {
  count: modelVersionsConnection { totalCount }
  page: modelVersions(limit: 100, offset: $offset, sort: [{model_uid: ASC}, {uid: ASC}]) {
    uid version framework model { name tasks { uid } }
    evaluations { metric value dataset { uid } }
    trainedOn { uid format recordedWith { uid name } simulatedWith { uid name } } } }"""
# graphcat's task filter matches subtasks too; the peer spells the taxonomy's two levels out.
_TASK = "{OR: [{uid: {eq: $task}}, {parent: {some: {uid: {eq: $task}}}}, {parent: {some: {parent: {some: {uid: {eq: $task}}}}}}]}"
_EXP = "{experiment: {some: {uid: {eq: $experiment}}}}"
P_FILTERED = ("query Filtered($task: ID!, $experiment: ID!) { modelVersionsConnection(first: 100, "
              "sort: [{model_uid: ASC}, {uid: ASC}], where: {model: {some: {tasks: {some: " + _TASK + "}}}, "
              "trainedOn: {some: {OR: [{recordedWith: {some: " + _EXP + "}}, {simulatedWith: {some: " + _EXP + "}}]}}}) "
              "{ totalCount edges { node { uid } } } }")
P_CONSUMERS = "query Consumers($id: ID!) { datasetVersions(where: {uid: {eq: $id}}) { trainedModels { uid } } }"
# Upstream lineage fields of each type (LINEAGE_TYPES, as stored): what each node was made from.
UPSTREAM = {
    "ModelVersion": {"fineTunedFrom": "ModelVersion", "distilledFrom": "ModelVersion", "quantizedFrom": "ModelVersion",
                     "convertedFrom": "ModelVersion", "trainedOn": "DatasetVersion"},
    "DatasetVersion": {"derivedFrom": "DatasetVersion", "recordedWith": "Detector", "simulatedWith": "Detector"},
    "Detector": {},
}
_FIELD_TYPES = {"fineTunedFrom": "FINE_TUNED_FROM", "distilledFrom": "DISTILLED_FROM", "quantizedFrom": "QUANTIZED_FROM",
                "convertedFrom": "CONVERTED_FROM", "trainedOn": "TRAINED_ON", "derivedFrom": "DERIVED_FROM",
                "recordedWith": "RECORDED_WITH", "simulatedWith": "SIMULATED_WITH"}
# EVALUATES / EVALUATED_ON leave evaluations, never a model or dataset version: not upstream of one.
assert set(_FIELD_TYPES.values()) == set(LINEAGE_TYPES) - {"EVALUATES", "EVALUATED_ON"}


def upstream_selection(label: str, depth: int) -> str:
    """`uid` plus every upstream relationship field, nested `depth` levels deep."""
    parts = ["uid"]
    if depth > 0:
        parts += [f"{name} {{ {upstream_selection(target, depth - 1)} }}" for name, target in UPSTREAM[label].items()]
    return " ".join(parts)


P_LINEAGE = ("query Lineage($id: ID!) { modelVersions(where: {uid: {eq: $id}}) { "
             + upstream_selection("ModelVersion", 3) + " } }")


# -- canonical answers -----------------------------------------------------------------------------
def _node_g(n: dict[str, Any]) -> dict[str, Any]:
    return {"id": n["id"], "version": n["version"], "framework": n["framework"], "model": n["model"]["name"],
            "tasks": sorted(t["id"] for t in n["tasks"]),
            "evaluations": sorted((e["metric"], round(e["value"], 6), e["dataset"]["id"]) for e in n["evaluations"]),
            "datasets": sorted((d["id"], d["format"], tuple(sorted((x["id"], x["name"]) for x in d["detectors"])))
                               for d in n["datasets"])}


def _node_p(n: dict[str, Any]) -> dict[str, Any]:
    (model,) = n["model"]
    return {"id": n["uid"], "version": n["version"], "framework": n["framework"], "model": model["name"],
            "tasks": sorted(t["uid"] for t in model["tasks"]),
            "evaluations": sorted((e["metric"], round(e["value"], 6), d["uid"]) for e in n["evaluations"] for d in e["dataset"]),
            "datasets": sorted((d["uid"], d["format"], tuple(sorted((x["uid"], x["name"])
                                                                     for x in d["recordedWith"] + d["simulatedWith"])))
                               for d in n["trainedOn"])}


def _walk_p(node: dict[str, Any], out: set[str]) -> set[str]:
    out.add(node["uid"])
    for name in _FIELD_TYPES:
        for child in node.get(name) or []:
            _walk_p(child, out)
    return out


def canonical(question: str, side: str, data: dict[str, Any]) -> Any:
    """One side's answer to one question in a form both sides share."""
    if question == "page":
        if side == "graphcat":
            conn = data["modelVersions"]
            return conn["totalCount"], [_node_g(e["node"]) for e in conn["edges"]]
        return data["count"]["totalCount"], [_node_p(n) for n in data["page"]]
    if question == "filtered":
        conn = data["modelVersions" if side == "graphcat" else "modelVersionsConnection"]
        key = "id" if side == "graphcat" else "uid"
        return conn["totalCount"], [e["node"][key] for e in conn["edges"]]
    if question == "consumers":
        if side == "graphcat":
            return sorted(m["id"] for m in (data["node"] or {}).get("trainedModels", []))
        return sorted(m["uid"] for d in data["datasetVersions"] for m in d["trainedModels"])
    if side == "graphcat":
        if data["lineage"]["truncated"]:
            raise RuntimeError("graphcat's lineage answer was truncated at its limit: not comparable")
        return sorted(n["id"] for n in data["lineage"]["nodes"])
    found: set[str] = set()
    for start in data["modelVersions"]:
        _walk_p(start, found)
    return sorted(found)


# -- asking ----------------------------------------------------------------------------------------
def ask(client: Any, path: str, query: str, variables: dict[str, Any], trips_header: str) -> tuple[float, dict[str, Any], int | None]:
    """POST one GraphQL request: (ms, data, Neo4j queries it took). Any GraphQL error raises."""
    t = time.perf_counter()
    r = client.post(path, json={"query": query, "variables": variables})
    ms = (time.perf_counter() - t) * 1000
    body = r.json() if r.headers.get("content-type", "").startswith(("application/json", "application/graphql")) else {}
    if r.status_code != 200 or body.get("errors") or "data" not in body:
        raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:800]}")
    trips = r.headers.get(trips_header)
    return ms, body["data"], int(trips) if trips is not None else None


@dataclass
class Side:
    kind: str  # "graphcat" or "peer": whose queries and answers
    name: str  # the row label ("graphcat", "graphcat (this tree)", "graphcat before (REV)", "peer")
    client: Any
    path: str
    header: str
    queries: dict[str, str]
    cursor: str | None = None  # graphcat's page cursor
    offset: int = 0  # the peer's page offset

    def ask(self, question: str, variables: dict[str, Any]) -> tuple[float, Any, int | None]:
        if question == "page":
            variables = {"after": self.cursor} if self.kind == "graphcat" else {"offset": self.offset}
        try:
            ms, data, trips = ask(self.client, self.path, self.queries[question], variables, self.header)
        except RuntimeError as exc:
            raise RuntimeError(f"{self.name}, question {question} {json.dumps(variables)}: {exc}") from exc
        answer = canonical(question, self.kind, data)
        if question == "page" and self.kind == "graphcat":
            info = data["modelVersions"]["pageInfo"]
            self.cursor = info["endCursor"] if info["hasNextPage"] else None
        elif question == "page":  # the same walk: next page, back to the first after the last
            total, nodes = answer
            self.offset = self.offset + len(nodes) if self.offset + len(nodes) < total else 0
        return ms, answer, trips


def graphcat_side(client: Any, path: str = "/graphql", name: str = "graphcat") -> Side:
    return Side("graphcat", name, client, path, "x-graphcat-queries",
                {"page": G_PAGE, "filtered": G_FILTERED, "consumers": G_CONSUMERS, "lineage": G_LINEAGE})


def peer_side(client: Any, path: str = "/") -> Side:
    return Side("peer", "peer", client, path, "x-peer-queries",
                {"page": P_PAGE, "filtered": P_FILTERED, "consumers": P_CONSUMERS, "lineage": P_LINEAGE})


def arguments(folder: Path, seed: int = 0) -> dict[str, Callable[[int], dict[str, Any]]]:
    """Each question's variables for round i, drawn once from the catalog's files (seeded)."""
    rng = random.Random(seed)
    from bench.synthetic import read_manifest

    manifest = read_manifest(folder)
    models, datasets = version_uids(folder, manifest)
    combos = [(f"task:{t[0]}", f"experiment:{e[0]}") for t in TASKS for e in EXPERIMENTS]
    rng.shuffle(combos)
    used = [f"dataset_version:{d}" for d in manifest.hub_datasets] + rng.sample(datasets, min(90, len(datasets)))
    rng.shuffle(used)
    starts = [f"model_version:{v}" for v in manifest.chain_tips] + rng.sample(models, min(80, len(models)))
    rng.shuffle(starts)
    return {
        "page": lambda i: {},
        "filtered": lambda i: {"task": combos[i % len(combos)][0], "experiment": combos[i % len(combos)][1]},
        "consumers": lambda i: {"id": used[i % len(used)]},
        "lineage": lambda i: {"id": starts[i % len(starts)]},
    }


def measure(sides: list[Side], args: dict[str, Callable[[int], dict[str, Any]]], queries: int, warmup: int,
            questions: tuple[str, ...] = QUESTIONS) -> dict[str, Any]:
    """Every round: each question to each side in turn. Times, round trips and differing answers."""
    times = {(q, s.name): [] for q in questions for s in sides}
    trips: dict[tuple[str, str], list[int]] = {(q, s.name): [] for q in questions for s in sides}
    differ = {q: 0 for q in questions}
    examples: list[str] = []
    for i in range(-warmup, queries):
        for q in questions:
            variables = args[q](i % 10_000)
            answers = []
            for s in sides:
                ms, answer, n = s.ask(q, variables)
                answers.append(answer)
                if i >= 0:
                    times[(q, s.name)].append(ms)
                    if n is not None:
                        trips[(q, s.name)].append(n)
            if i >= 0 and any(a != answers[0] for a in answers[1:]):
                differ[q] += 1
                if len(examples) < 4:
                    examples.append(f"{q} {json.dumps(variables)}")
    return {"times": times, "trips": trips, "differ": differ, "examples": examples, "rounds": queries}


def render(result: dict[str, Any], questions: tuple[str, ...] = QUESTIONS, graphcats: tuple[str, ...] = ("graphcat",),
           ) -> str:
    """One row per question and graphcat side, each against the same peer timings."""
    rows = []
    for q in questions:
        p = result["times"][(q, "peer")]
        p50, p95 = np.percentile(p, [50, 95])
        for name in graphcats:
            g = result["times"][(q, name)]
            g50, g95 = np.percentile(g, [50, 95])
            trips = [result["trips"][(q, side)] for side in (name, "peer")]
            rt = " / ".join((f"{min(t)}-{max(t)}" if min(t) != max(t) else str(t[0])) if t else "?" for t in trips)
            row = [q] + ([name] if len(graphcats) > 1 else [])
            rows.append(row + [len(g), f"{g50:.1f}", f"{g95:.1f}", f"{p50:.1f}", f"{p95:.1f}", f"{g50 / p50:.2f}",
                               f"{g95 / p95:.2f}", rt, f"{len(g) - result['differ'][q]}/{len(g)}"])
    out = table(["question"] + (["graphcat"] if len(graphcats) > 1 else []) + [
        "rounds", "graphcat p50 ms", "graphcat p95 ms", "peer p50 ms", "peer p95 ms", "p50 ratio (graphcat / peer)",
        "p95 ratio", "Neo4j queries per request (graphcat / peer)", "same answers"], rows)
    if result["examples"]:
        out += "\n\nanswers that differ, e.g.: " + "; ".join(result["examples"])
    return out


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _peer_versions() -> str:
    lock = json.loads((PEER_DIR / "package-lock.json").read_text())["packages"]
    return ", ".join(f"{name} {lock['node_modules/' + name]['version']}"
                     for name in ("@neo4j/graphql", "@apollo/server", "neo4j-driver", "graphql"))


INTRO = """## Peers, side by side (issue 15)

`make bench-peers` (`python -m bench.peers_graphql --versions 10000`) loads bench/synthetic.py's
catalog into the Neo4j of GRAPHCAT_NEO4J_URI (it empties that catalog: use a scratch server) and
serves it twice: graphcat's GraphQL route under uvicorn (what `graphcat serve` mounts, without its
start-up vector index build; `--full-serve` for `graphcat serve` itself), and @neo4j/graphql (Neo4j's own GraphQL to Cypher translator)
with @apollo/server, bench/peers/neo4j_graphql/ (type definitions for graphcat's labels and
relationships as stored, versions pinned by its package-lock.json). The same questions go to both
over HTTP, one persistent client each, interleaved (graphcat, peer, graphcat, peer ...) so both
run under the same load; times are client-side wall clock per request. Ratios are graphcat / peer
(below 1: graphcat faster). Neo4j queries per request: graphcat's X-Graphcat-Queries header,
the peer's Cypher queries counted at its driver. Questions: page = 100 model versions with model,
tasks, training datasets, their detectors and evaluations (each side walks its own cursor);
filtered = first 100 model versions of a task (subtasks included) and an experiment, with the total;
consumers = the model versions TRAINED_ON a dataset version (hubs included); lineage = every node
at most 3 hops upstream of a model version (the peer: a selection nested 3 deep)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_graphql", description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=10_000, help="model versions of the synthetic catalog")
    parser.add_argument("--queries", type=int, default=100, help="timed rounds (each: every question to both)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--full-serve", action="store_true",
                        help="time `graphcat serve` itself (its start-up first builds the vector index: slow at 10k+)")
    parser.add_argument("--compare-with", metavar="REV",
                        help="serve graphcat of git revision REV too, side by side in the same rounds")
    parser.add_argument("--no-load", action="store_true",
                        help="the catalog of --versions is loaded already (a previous run): keep it, and graphcat's saved index")
    args = parser.parse_args(argv)
    argv_used = argv if argv is not None else sys.argv[1:]
    check_installed()
    settings = Settings.from_env()
    info = machine()
    lines = [f"catalog of {args.versions:,} versions already loaded" if args.no_load else load_catalog(str(args.versions))]
    folder, _ = synthetic_catalog(args.versions)
    with contextlib.ExitStack() as stack:
        before = ((f"graphcat before ({args.compare_with})", stack.enter_context(revision_tree(args.compare_with)))
                  if args.compare_with else None)
        graphcats, peer, started = stack.enter_context(serving(settings, str(args.versions), args.full_serve, before))
        sides = [graphcat_side(stack.enter_context(httpx.Client(base_url=g.url, timeout=300)), name=g.label)
                 for g in graphcats]
        sides.append(peer_side(stack.enter_context(httpx.Client(base_url=peer.url, timeout=300))))
        lines += started
        load_before = _load()
        result = measure(sides, arguments(folder), args.queries, args.warmup)
        lines.append(f"load average 1/5/15 min before / after timing: {load_before} / {_load()}")
    report = render(result, graphcats=tuple(g.label for g in graphcats))
    run = (f"Run {info['date']}: `python -m bench.peers_graphql {' '.join(argv_used)}`, {args.versions:,} model versions, "
           f"{args.queries} rounds after {args.warmup} warm-up rounds, on {info['cpu']}, {info['memory']}; "
           f"{'; '.join(lines)}. Peer: {_peer_versions()}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}.")
    print(run + "\n\n" + report, flush=True)
    if not args.no_docs:
        write_section("peers-graphql", INTRO)
        write_section(f"peers-graphql-{args.versions}", f"### {args.versions:,} model versions\n\n{run}\n\n{report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
