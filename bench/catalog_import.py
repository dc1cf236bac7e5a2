"""Catalog import / export / lineage timings on a synthetic catalog of growing size.

    .venv/bin/python -m bench.catalog_import [--sizes 100 1000] [--features 20] [--repeat 5]

Uses GRAPHCAT_NEO4J_* like everything else and EMPTIES that catalog first: point it at a
scratch server. For each size N: N model versions (N/5 models), N/10 dataset versions in a
DERIVED_FROM chain of skims, each model version trained on one of them, every fifth fine-tuned
from the previous version; each version has --features inputs. Prints wall times (median of
--repeat for the queries) and Neo4j round trips; a table, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import write_document
from graphcat.catalog.importer import import_files
from graphcat.service import lineage
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database, count_queries


def synthetic(n_versions: int, n_features: int) -> dict[str, Any]:
    n_datasets = max(1, n_versions // 10)
    datasets = []
    for d in range(n_datasets):
        v: dict[str, Any] = {"version": "1", "data_type": "simulation",
                             "features": [{"name": f"f{i}", "dtype": "float32", "shape": [None]} for i in range(n_features)]}
        if d:
            v["derived_from"] = [{"dataset": f"ds{d - 1}@1", "kind": "skim"}]
        datasets.append({"id": f"ds{d}", "name": f"Dataset {d}", "versions": [v]})
    models = []
    per_model = 5
    for m in range(max(1, n_versions // per_model)):
        versions = []
        for k in range(per_model):
            v = {"version": f"{k}.0", "framework": "pytorch", "trained_on": [f"ds{(m + k) % n_datasets}@1"],
                 "inputs": [{"name": f"f{i}", "dtype": "float32", "shape": [100]} for i in range(n_features)],
                 "hyperparameters": {"lr": 0.001, "batch_size": 256}}
            if k:
                v["lineage"] = [{"type": "FINE_TUNED_FROM", "from": f"m{m}@{k - 1}.0"}]
            versions.append(v)
        models.append({"id": f"m{m}", "name": f"Model {m}", "versions": versions})
    return {"graphcat_catalog": 1, "datasets": datasets, "models": models}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, int]:
    times, trips = [], 0
    for _ in range(repeat):
        with count_queries() as n:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        trips = n[0]
    return statistics.median(times), trips


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = Database(Settings.from_env())
    migrations.apply(db)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            clear_catalog(db)
            path = Path(tmp) / f"synthetic-{size}.yaml"
            write_document(synthetic(size, args.features), path)
            rows.append((size, "import (empty catalog)", *timed(lambda: import_files(db, [path]))))
            rows.append((size, "re-import (no-op)", *timed(lambda: import_files(db, [path]))))
            rows.append((size, "export", *timed(lambda: export_document(db))))
            last_ds = f"dataset_version:ds{max(1, size // 10) - 1}@1"
            rows.append((size, "upstream depth 10 (end of skim chain)",
                         *timed(lambda: lineage.lineage(db, last_ds, "upstream", depth=10), args.repeat)))
            rows.append((size, "impact of ds0@1 (depth 10)", *timed(lambda: lineage.impact(db, "dataset_version:ds0@1", depth=10), args.repeat)))
            rows.append((size, "path m0@4.0 -> ds0@1", *timed(lambda: lineage.path(db, "model_version:m0@4.0", "dataset_version:ds0@1"), args.repeat)))
    print(f"{'versions':>8}  {'operation':<40} {'seconds':>9} {'round trips':>11}")
    for size, op, seconds, trips in rows:
        print(f"{size:>8}  {op:<40} {seconds:>9.3f} {trips:>11}")


if __name__ == "__main__":
    main()
