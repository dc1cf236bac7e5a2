"""Bulk import rate: a synthetic catalog (bench/synthetic.py) through `graphcat bulk-import`.

    .venv/bin/python -m bench.import_rate --sizes 1000 10000   # EMPTIES the catalog first
    .venv/bin/python -m bench.import_rate --sizes 10000 --compare-with be2a65e   # old path first, same run

Reports each phase separately: validation (read = JSON parse, schema, plan, lookup = existing
entities in Neo4j, spill = rows to the temporary files), the node phase (nodes/s) and the
relationship phase (relationships/s), with the load average before and after (the machine is
shared). `--compare-with REV` first runs this same benchmark from the git revision REV (exported
with `git archive` into a temporary folder, run in a subprocess on the same Neo4j), so the old
and the new bulk path are measured side by side in one run.

Uses GRAPHCAT_NEO4J_* like everything else: point it at a scratch server.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, peak_rss_mib, reset_peak_rss, table
from bench.synthetic import Manifest, catalog_files, generate, read_manifest
from graphcat import neo4j_launcher
from graphcat.catalog.bulk import BATCH, TX_ROWS, WORKERS, bulk_import
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database

DATA = ROOT / ".graphcat" / "bench"


def synthetic_catalog(size: int, seed: int = 0) -> tuple[Path, Manifest]:
    """The synthetic catalog files of this size, generated once and reused."""
    out = DATA / f"synthetic-{size}-seed{seed}"
    if (out / "manifest.txt").is_file():
        manifest = read_manifest(out)
        if manifest.model_versions == size and manifest.seed == seed:
            return out, manifest
    return out, generate(size, out, seed)


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) a local process has used: the Neo4j server's work, whatever the
    load of the shared machine does to wall-clock times."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:  # not a local server, or not Linux
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client_cpu() -> float:
    t = os.times()
    return t.user + t.system


def run(db: Database, size: int, progress: bool = True, batch: int = BATCH, tx_rows: int = TX_ROWS,
        workers: int = WORKERS) -> dict[str, Any]:
    folder, manifest = synthetic_catalog(size)
    clear_catalog(db)
    reset_peak_rss()
    load_before = _load()
    pid = neo4j_launcher.status(db.settings).pid if db.settings.neo4j_is_local else None
    server_before, client_before = _cpu_seconds(pid), _client_cpu()
    report = bulk_import(db, catalog_files(folder), progress=progress, batch=batch, tx_rows=tx_rows,
                         workers=workers)
    total = report.validate_seconds + report.write_seconds
    server_after = _cpu_seconds(pid)
    server_cpu = server_after - server_before if server_after is not None and server_before is not None else None
    return {
        "model versions": size,
        "files": len(manifest.files),
        "nodes": report.nodes_written,
        "relationships": report.relationships_written,
        "validate s": report.validate_seconds,
        "validate parts": report.validate_parts,
        "nodes s": report.node_seconds,
        "relationships s": report.relationship_seconds,
        "nodes/s (node phase)": report.nodes_written / report.node_seconds,
        "relationships/s": report.relationships_written / report.relationship_seconds,
        "rows/s end to end": (report.nodes_written + report.relationships_written) / total,
        "batch / tx rows": f"{batch:,} / {tx_rows:,} / {workers}",
        "transactions": report.transactions,
        "peak RSS MiB": peak_rss_mib(),
        "neo4j CPU s": server_cpu,
        "client CPU s": _client_cpu() - client_before,
        "load before / after": f"{load_before} / {_load()}",
    }


def render(rows: list[dict[str, Any]]) -> str:
    header = ["model versions", "nodes", "relationships", "validate s (read, schema, plan, lookup, spill)",
              "node phase s (nodes/s)", "relationship phase s (rels/s)", "rows/s end to end",
              "rows per query / per commit / node writers", "transactions", "peak RSS MiB (client)", "CPU s: Neo4j / client", "load avg 1/5/15 min before / after"]
    out = []
    for r in rows:
        parts = r["validate parts"]
        split = ", ".join(f"{parts.get(k, 0.0):.0f}" for k in ("read", "schema", "plan", "lookup", "spill"))
        out.append([f"{r['model versions']:,}", f"{r['nodes']:,}", f"{r['relationships']:,}",
                    f"{r['validate s']:.0f} ({split})",
                    f"{r['nodes s']:.1f} ({r['nodes/s (node phase)']:,.0f})",
                    f"{r['relationships s']:.1f} ({r['relationships/s']:,.0f})", f"{r['rows/s end to end']:,.0f}",
                    r["batch / tx rows"], r["transactions"], f"{r['peak RSS MiB']:.0f}",
                    f"{r['neo4j CPU s']:.1f} / {r['client CPU s']:.1f}" if r["neo4j CPU s"] is not None else f"? / {r['client CPU s']:.0f}", r["load before / after"]])
    return table(header, out)


def run_revision(rev: str, sizes: list[int]) -> str:
    """This benchmark as it was at git revision `rev`, in a subprocess on the same Neo4j: its table."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "graphcat", "cypher", "bench"],
                             check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory(prefix="graphcat-bench-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        # The old tree comes first on the path, so its graphcat (and its cypher/) are the ones imported;
        # it generates its catalogs under its own folder, so link the cached ones.
        (Path(tmp) / ".graphcat").symlink_to(ROOT / ".graphcat")
        env = {**os.environ, "PYTHONPATH": tmp}
        done = subprocess.run([sys.executable, "-m", "bench.import_rate", "--sizes", *map(str, sizes)],
                              cwd=tmp, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--batch", type=int, default=BATCH, help="rows per UNWIND query")
    parser.add_argument("--tx-rows", type=int, default=TX_ROWS, help="rows per committed transaction")
    parser.add_argument("--workers", type=int, default=WORKERS, help="node transactions in flight at once")
    parser.add_argument("--compare-with", metavar="REV", help="first run this benchmark as of git revision REV")
    args = parser.parse_args(argv)
    if args.compare_with:
        print(f"bulk import as of {args.compare_with} (load avg before: {_load()}):\n")
        print(run_revision(args.compare_with, args.sizes))
        print("bulk import now:\n")
    with Database(Settings.from_env()) as db:
        migrations.apply(db)
        print(render([run(db, size, batch=args.batch, tx_rows=args.tx_rows, workers=args.workers) for size in args.sizes]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
