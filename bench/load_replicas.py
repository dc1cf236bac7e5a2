"""Load against 1, 2 and 3 API replicas on one Neo4j (issue 18): does anything serialise on shared state?

    .venv/bin/python -m bench.load_replicas [--replicas 1 2 3] [--users 12] [--seconds 30] [--markdown docs/benchmarks.md]

Loads tests/data/catalog_small.yaml into the configured Neo4j, then for each replica count N starts N
`graphcat serve` processes (each its own port, index folder and recommender index, all on that one
Neo4j) and runs bench.load's mix with `--users` virtual users spread round-robin over the replicas
(user k talks to replica k mod N, as a load balancer without affinity would), for `--seconds`. The
replicas are stopped before the next count starts. Prints req/s and p50/p95/p99 per count and
operation; --markdown writes the table into docs/benchmarks.md (section bench:load-replicas).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import write_section
from bench.load import ROOT, Level, _user, available_mix, table

START_TIMEOUT = 300.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replicas:
    """N `graphcat serve` processes on free ports, each with its own index folder."""

    def __init__(self, count: int, folder: Path) -> None:
        self.count, self.folder = count, folder
        self.procs: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []

    def __enter__(self) -> list[str]:
        for k in range(self.count):
            port = _free_port()
            env = {**os.environ, "GRAPHCAT_LOG_LEVEL": "warning", "GRAPHCAT_INDEX_DIR": str(self.folder / f"index-{k}"),
                   "GRAPHCAT_ENCODER_DIR": str(Path(os.environ.get("GRAPHCAT_ENCODER_DIR", ROOT / ".graphcat" / "encoder")).resolve())}
            self.procs.append(subprocess.Popen([sys.executable, "-m", "graphcat.cli", "serve", "--port", str(port)],
                                               env=env, cwd=ROOT, start_new_session=True))
            self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + START_TIMEOUT
        for proc, url in zip(self.procs, self.urls):
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"replica {url} exited with {proc.returncode} before answering")
                try:
                    if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"replica {url} did not answer /healthz in {START_TIMEOUT:.0f} s")
                time.sleep(0.5)
        return self.urls

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


async def run_spread(urls: list[str], users: int, seconds: float, mix: list) -> Level:
    level = Level(users, seconds)
    schedule = [(name, query, variables) for name, weight, query, variables in mix for _ in range(weight)]
    per = -(-users // len(urls))
    limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for url in urls]
    try:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_user(clients[k % len(urls)], level, schedule, k, deadline) for k in range(users)))
        level.elapsed = time.monotonic() - started
    finally:
        for client in clients:
            await client.aclose()
    return level


def measure(counts: list[int], users: int, seconds: float) -> list[tuple[int, Level]]:
    subprocess.run([sys.executable, "-m", "graphcat.cli", "import", str(ROOT / "tests" / "data" / "catalog_small.yaml")],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    results = []
    folder = Path(tempfile.mkdtemp(prefix="graphcat-replicas-"))
    try:
        for count in counts:
            with Replicas(count, folder) as urls:
                mix = available_mix(urls[0])
                with httpx.Client(timeout=600) as client:  # warm-up: encoder and index of every replica
                    for url in urls:
                        for _, _, query, variables in mix:
                            client.post(f"{url}/graphql", json={"query": query, "variables": variables})
                results.append((count, asyncio.run(run_spread(urls, users, seconds, mix))))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def render(results: list[tuple[int, Level]]) -> list[str]:
    lines = []
    for count, level in results:
        rows = table([level])
        if not lines:
            lines += ["| replicas " + rows[0], "|---:" + rows[1]]
        lines += [f"| {count} " + row for row in rows[2:]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_replicas", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = measure(args.replicas, args.users, args.seconds)
    lines = render(results)
    print("\n".join(lines))
    for count, level in results:
        for sample in level.samples:
            print(f"error with {count} replicas: {sample}", file=sys.stderr)
    if args.markdown:
        command = (f"python -m bench.load_replicas --replicas {' '.join(map(str, args.replicas))} --users {args.users} "
                   f"--seconds {args.seconds:g} --markdown {args.markdown}")
        write_section("load-replicas", "\n".join([
            f"### Load against 1, 2 and 3 replicas on one Neo4j ({date}, bench/load_replicas.py, issue 18)", "",
            f"Command: `{command}`; load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min); "
            f"{platform.machine()}, {os.cpu_count()} cores shared by the replicas, Neo4j, the client and other "
            "engineers' jobs; catalog tests/data/catalog_small.yaml; mix of bench/load.py.", "",
            *lines]), args.markdown)
    return 0 if all(not level.errors for _, level in results) else 1


if __name__ == "__main__":
    sys.exit(main())
