"""Where graphcat's time goes on bench/peers_graphql.py's questions: py-spy over the real server.

    .venv/bin/python -m bench.peers_profile --versions 10000 [--rounds 30] [--question consumers]
                                            [--top 12] [--py-spy PATH] [--compare-with REV]

On the catalog `python -m bench.peers_graphql --versions N` loaded (GRAPHCAT_NEO4J_URI; nothing
is written), graphcat's GraphQL route runs under uvicorn exactly as the peers bench serves it
(bench/peers/servers.py). py-spy (a sampling profiler, not a project dependency: `pip install
py-spy`, on PATH or --py-spy) attaches to that process, all threads, idle frames left out, while
one client sends --rounds requests of a question (the bench's variables, round by round) after 3
untimed ones. Printed per question: the client's mean wall time per request, where the server's
busy samples fall by package (the innermost frame), then the --top functions by self samples.
With --compare-with REV the same is done for graphcat of REV first (a temporary git worktree).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

import httpx

from bench.common import ROOT, revision_tree, table
from bench.import_rate import synthetic_catalog
from bench.peers.servers import GraphqlServer
from bench.peers_graphql import QUESTIONS, arguments, graphcat_side

# (package label, path fragments of a frame's file), first match wins; py-spy names files relative
# to their sys.path entry ("neo4j/_sync/...") or absolute.
PACKAGES = (("waiting: socket, select, locks, queues (idle misread under load)",
             ("selectors.py", "threading.py", "queue.py", "_wait_for_io")),
            ("neo4j driver", ("neo4j/",)), ("graphql-core", ("graphql/",)), ("strawberry", ("strawberry/",)),
            ("graphcat api", ("graphcat/api/",)), ("graphcat service / store", ("graphcat/",)),
            ("starlette / anyio / uvicorn", ("starlette/", "anyio/", "uvicorn/", "h11/")),
            ("asyncio", ("asyncio/",)), ("dataclass __init__ (generated code)", ("<string>",)))

# Inclusive: the busy samples with this frame anywhere on the stack (a sample may count in several).
PHASES = (("Neo4j reads (graphcat Database.read: driver, network, records)", "Database.read ("),
          ("domain objects (store to_domain / partial_domain)", "to_domain ("),
          ("GraphQL objects (from_domain)", "from_domain ("),
          ("graphql-core execution (resolving and completing fields; resolvers it calls included)",
           "graphql/execution/"))


def package(frame: str) -> str:
    for name, parts in PACKAGES:
        if any(part in frame for part in parts):
            return name
    return "other (stdlib, builtins)"


@contextlib.contextmanager
def sampling(py_spy: str, pid: int, rate: int) -> Iterator[Path]:
    """py-spy record of `pid` (collapsed stacks, one line per distinct stack) while the block runs."""
    out = Path(tempfile.mkdtemp()) / "stacks.txt"
    proc = subprocess.Popen([py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                             "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)  # attached
    if proc.poll() is not None:
        raise RuntimeError(f"py-spy could not attach to {pid}: {proc.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
    try:
        yield out
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def summary(stacks: Path, top: int) -> tuple[int, str]:
    """Samples, and the tables: by package of the innermost frame, then the top functions."""
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    by_phase: Counter[str] = Counter()
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        by_package[package(leaf)] += int(count)
        by_function[leaf.split("site-packages/")[-1]] += int(count)
        for name, marker in PHASES:
            by_phase[name] += int(count) if marker in stack else 0
    total = sum(by_package.values()) or 1
    return total, "\n\n".join([
        table(["on the stack (inclusive)", "busy samples", "share"],
              [[name, by_phase[name], f"{by_phase[name] / total:.0%}"] for name, _ in PHASES]),
        table(["package (innermost frame)", "busy samples", "share"],
              [[k, v, f"{v / total:.0%}"] for k, v in by_package.most_common()]),
        table(["function (file:line)", "busy samples", "share"],
              [[f"`{k}`", v, f"{v / total:.0%}"] for k, v in by_function.most_common(top)])])


def profile(label: str, tree: Path, versions: int, questions: list[str], rounds: int, top: int, py_spy: str,
            rate: int) -> None:
    variables = arguments(synthetic_catalog(versions)[0])
    server = GraphqlServer(label, tree, str(versions))
    server.start()
    try:
        server.wait()
        with httpx.Client(base_url=server.url, timeout=300) as client:
            side = graphcat_side(client, name=label)
            for q in questions:
                for i in range(3):
                    side.ask(q, variables[q](i))
                with sampling(py_spy, server.process.pid, rate) as out:  # type: ignore[union-attr]
                    times = [side.ask(q, variables[q](i))[0] for i in range(rounds)]
                samples, tables = summary(out, top)
                print(f"#### {label}, {q}: {sum(times) / len(times):.1f} ms mean per request, {rounds} requests, "
                      f"{samples} busy samples at {rate} Hz ({samples / rounds:.1f} per request; stacks: {out})\n\n{tables}\n", flush=True)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=10_000, help="the loaded synthetic catalog's size")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--question", choices=QUESTIONS, action="append", help="default: page and consumers")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="the py-spy executable")
    parser.add_argument("--compare-with", metavar="REV", help="profile graphcat of git revision REV first")
    args = parser.parse_args(argv)
    if not args.py_spy:
        raise SystemExit("py-spy not found: `pip install py-spy` or pass --py-spy PATH")
    questions = args.question or ["page", "consumers"]
    with contextlib.ExitStack() as stack:
        if args.compare_with:
            profile(f"graphcat before ({args.compare_with})", stack.enter_context(revision_tree(args.compare_with)),
                    args.versions, questions, args.rounds, args.top, args.py_spy, args.rate)
        profile("graphcat (this tree)", ROOT, args.versions, questions, args.rounds, args.top, args.py_spy, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
