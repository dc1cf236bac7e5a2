"""Shared helpers of the benchmark suite: timing percentiles, the machine, tables, docs sections."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import resource
import subprocess
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from graphcat.store.database import Database

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def p50_p95(times_ms: Sequence[float]) -> tuple[float, float]:
    return float(np.percentile(times_ms, 50)), float(np.percentile(times_ms, 95))


def reset_peak_rss() -> None:
    """Reset this process's peak RSS (Linux: VmHWM), so a phase's peak excludes earlier phases."""
    clear = Path("/proc/self/clear_refs")
    if clear.exists():
        clear.write_text("5")


def peak_rss_mib() -> float:
    """Peak RSS since the last reset_peak_rss (Linux), or since the process started."""
    status = Path("/proc/self/status")
    if status.is_file():
        found = re.search(r"VmHWM:\s*(\d+)", status.read_text())
        if found:
            return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine(db: Database | None = None) -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    mem = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        mem = f"{int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else mem
    info = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "load average at start (1 min)": f"{os.getloadavg()[0]:.1f}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "neo4j driver": version("neo4j"),
        "faiss": version("faiss-cpu"),
    }
    if db is not None:
        server = db.server_info()
        info["neo4j"] = f"{server.version} {server.edition}"
        info["neo4j heap / page cache"] = f"{db.settings.neo4j_heap} / {db.settings.neo4j_pagecache}"
    return info


@contextlib.contextmanager
def revision_tree(rev: str) -> Iterator[Path]:
    """A temporary git worktree of `rev` (detached), removed afterwards: the benches' `--compare-with
    REV` serve it beside this tree, so before and after are timed in one run under one load."""
    tmp = Path(tempfile.mkdtemp(prefix="graphcat-rev-"))
    tree = tmp / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True,
                   capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False,
                       capture_output=True)
        with contextlib.suppress(OSError):
            tmp.rmdir()


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, text: str, path: Path = DOCS) -> None:
    """Replace (or append) this suite's section of docs/benchmarks.md; other sections are kept."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if start in old and end in old:
        head, _, rest = old.partition(start)
        _, _, tail = rest.partition(end)
        new = head + block + tail
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
