"""Bulk import rate: a synthetic catalog (bench/synthetic.py) through `graphcat bulk-import`.

    .venv/bin/python -m bench.import_rate --sizes 1000 10000   # EMPTIES the catalog first

Uses GRAPHCAT_NEO4J_* like everything else: point it at a scratch server.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.common import ROOT, peak_rss_mib, reset_peak_rss, table
from bench.synthetic import Manifest, catalog_files, generate, read_manifest
from graphcat.catalog.bulk import bulk_import
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


def run(db: Database, size: int, progress: bool = True) -> dict[str, Any]:
    folder, manifest = synthetic_catalog(size)
    clear_catalog(db)
    reset_peak_rss()
    report = bulk_import(db, catalog_files(folder), progress=progress)
    total = report.validate_seconds + report.write_seconds
    return {
        "model versions": size,
        "files": len(manifest.files),
        "nodes": report.nodes_written,
        "relationships": report.relationships_written,
        "validate s": report.validate_seconds,
        "nodes s": report.node_seconds,
        "relationships s": report.relationship_seconds,
        "nodes/s (node phase)": report.nodes_written / report.node_seconds,
        "relationships/s": report.relationships_written / report.relationship_seconds,
        "rows/s end to end": (report.nodes_written + report.relationships_written) / total,
        "transactions": report.transactions,
        "peak RSS MiB": peak_rss_mib(),
    }


def render(rows: list[dict[str, Any]]) -> str:
    header = ["model versions", "nodes", "relationships", "validate s", "node phase s (nodes/s)",
              "relationship phase s (rels/s)", "rows/s end to end", "transactions", "peak RSS MiB (client)"]
    return table(header, [[f"{r['model versions']:,}", f"{r['nodes']:,}", f"{r['relationships']:,}", f"{r['validate s']:.0f}",
                           f"{r['nodes s']:.0f} ({r['nodes/s (node phase)']:,.0f})",
                           f"{r['relationships s']:.0f} ({r['relationships/s']:,.0f})", f"{r['rows/s end to end']:,.0f}",
                           r["transactions"], f"{r['peak RSS MiB']:.0f}"] for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args(argv)
    with Database(Settings.from_env()) as db:
        migrations.apply(db)
        print(render([run(db, size) for size in args.sizes]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
