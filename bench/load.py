"""Load test: reads, search and recommend mixed, at several concurrency levels, on loopback.

    .venv/bin/python -m bench.load [--url http://127.0.0.1:8000] [--levels 1 4 16] [--seconds 60]
                                   [--markdown docs/benchmarks.md]

Without --url it loads the demo-sized test catalog (tests/data/catalog_small.yaml) into the
configured Neo4j and serves graphcat with uvicorn on a free loopback port for the run. Each
virtual user (an asyncio task with its own keep-alive connection) sends the next request as soon
as the previous answers, in the mix below; every response that is not a 200 without `errors`
counts as an error. Prints throughput and p50/p95/p99 per level and operation; with --markdown
writes them into that file between <!-- bench:load:start --> and <!-- bench:load:end -->.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import httpx

ROOT = Path(__file__).resolve().parents[1]

# (name, weight, GraphQL document, variables); ids refer to tests/data/catalog_small.yaml.
MIX: list[tuple[str, int, str, dict[str, Any]]] = [
    ("list", 3, "{ modelVersions(first: 20) { totalCount edges { node { id version framework } } } }", {}),
    ("node", 3, "query($id: ID!) { node(id: $id) { id ... on ModelVersion { version model { slug } } } }",
     {"id": "model_version:particlenet@1.0.0"}),
    ("search", 3, "query($t: String!) { search(text: $t, first: 10) { total hits { uid score } } }", {"t": "jet"}),
    ("recommend", 1, """query($c: [ColumnInput!]) { recommendModels(columns: $c, first: 5) {
        __typename ... on Recommendations { items { explanation } } } }""",
     {"c": [{"name": "part_pt", "dtype": "float32", "shape": [None]},
            {"name": "part_eta", "dtype": "float32", "shape": [None]},
            {"name": "part_phi", "dtype": "float32", "shape": [None]}]}),
]


@dataclass
class Level:
    users: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def available_mix(url: str) -> list[tuple[str, int, str, dict[str, Any]]]:
    """The mix, less operations this server's schema does not have (e.g. recommend before it lands)."""
    fields = httpx.post(f"{url}/graphql", json={"query": "{ __schema { queryType { fields { name } } } }"},
                        timeout=60).json()["data"]["__schema"]["queryType"]["fields"]
    names = {f["name"] for f in fields}
    return [m for m in MIX if _root(m[2]) in names]


def _root(document: str) -> str:
    operation = graphql.parse(document).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    first = operation.selection_set.selections[0]
    assert isinstance(first, graphql.FieldNode)
    return first.name.value


async def _user(client: httpx.AsyncClient, level: Level, schedule: list[tuple[str, str, dict[str, Any]]],
                offset: int, deadline: float) -> None:
    i = offset
    while time.monotonic() < deadline:
        name, query, variables = schedule[i % len(schedule)]
        i += 1
        started = time.perf_counter()
        try:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            ok = response.status_code == 200 and not response.json().get("errors")
            detail = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - started
        if ok:
            level.latencies.setdefault(name, []).append(took)
        else:
            level.errors[name] = level.errors.get(name, 0) + 1
            if len(level.samples) < 5:
                level.samples.append(f"{name}: {detail}")


async def run_level(url: str, users: int, seconds: float, mix: list[tuple[str, int, str, dict[str, Any]]]) -> Level:
    level = Level(users, seconds)
    schedule = [(name, query, variables) for name, weight, query, variables in mix for _ in range(weight)]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_user(client, level, schedule, k, deadline) for k in range(users)))
        level.elapsed = time.monotonic() - started
    return level


def run(url: str, levels: list[int], seconds: float) -> list[Level]:
    mix = available_mix(url)
    # Warm-up: the first recommend loads the encoder and builds or loads the index.
    with httpx.Client(base_url=url, timeout=600) as client:
        for _, _, query, variables in mix:
            client.post("/graphql", json={"query": query, "variables": variables})
    return [asyncio.run(run_level(url, users, seconds, mix)) for users in levels]


def table(results: list[Level]) -> list[str]:
    lines = ["| users | operation | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for level in results:
        names = sorted(set(level.latencies) | set(level.errors))
        every = [x for v in level.latencies.values() for x in v]
        for name in names + ["all"]:
            lat = every if name == "all" else level.latencies.get(name, [])
            errors = sum(level.errors.values()) if name == "all" else level.errors.get(name, 0)
            count = len(lat) + errors
            label = "**all**" if name == "all" else name
            lines.append(f"| {level.users} | {label} | {count} | {errors} | {count / level.elapsed:.1f} | "
                         f"{percentile(lat, 50) * 1000:.0f} | {percentile(lat, 95) * 1000:.0f} | "
                         f"{percentile(lat, 99) * 1000:.0f} |")
    return lines


def write_markdown(path: Path, results: list[Level], command: str) -> None:
    load1 = os.getloadavg()[0]
    section = "\n".join([
        "<!-- bench:load:start -->",
        "## Load: reads, search and recommend on loopback (bench/load.py, issue 9)",
        "",
        f"Command: `{command}` (`make reliability`).",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, load average at start (1 min): {load1:.1f}",
        f"- python: {platform.python_version()}; one uvicorn worker; catalog: tests/data/catalog_small.yaml",
        "- mix per user, in turn: list x3, node x3, search x3, recommend x1 (operations the schema lacks are left out)",
        "",
        "The machine is shared by several engineers: absolute numbers are pessimistic; an error is any",
        "response other than 200 without `errors`.",
        "",
        *table(results),
        "<!-- bench:load:end -->",
    ])
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"<!-- bench:load:start -->.*?<!-- bench:load:end -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


class LocalServer:
    """The test catalog loaded into the configured Neo4j and `graphcat serve` on a free port."""

    def __enter__(self) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        graphcat = [sys.executable, "-m", "graphcat.cli"]
        subprocess.run(graphcat + ["import", str(ROOT / "tests" / "data" / "catalog_small.yaml")], check=True,
                       stdout=subprocess.DEVNULL)
        env = {**os.environ, "GRAPHCAT_LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen(graphcat + ["serve", "--port", str(port)], env=env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("graphcat serve exited before answering")
            time.sleep(0.5)
        raise SystemExit("graphcat serve did not answer /healthz in 300 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running graphcat (default: serve one for the run)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    if args.url:
        results = run(args.url, args.levels, args.seconds)
    else:
        with LocalServer() as url:
            results = run(url, args.levels, args.seconds)
    print("\n".join(table(results)))
    for level in results:
        for sample in level.samples:
            print(f"error at {level.users} users: {sample}", file=sys.stderr)
    if args.markdown:
        command = "python -m bench.load " + " ".join(
            f"--levels {' '.join(map(str, args.levels))} --seconds {args.seconds:g}".split())
        write_markdown(args.markdown, results, command)
    return 0 if all(not level.errors for level in results) else 1


if __name__ == "__main__":
    sys.exit(main())
