"""`graphcat evaluate MODEL_VERSION FILE --label COLUMN [--metric ...] [--record]`: print the measurement."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graphcat.settings import Settings

METRIC_HELP = "comma-separated: auc, bkg_rejection@0.5 (background_rejection@E), accuracy, mse (default auc)"


def add_command(sub: Any, handler: Any) -> None:
    ev = sub.add_parser("evaluate", help="run a catalogued model version's ONNX artifact on a data file and measure it")
    ev.add_argument("model_version", metavar="MODEL_VERSION", help="model_version:<model>@<version> or <model>@<version>")
    ev.add_argument("file", metavar="FILE", help="ROOT, HDF5, Parquet, CSV or npz")
    ev.add_argument("--label", required=True, help="the column holding the true label (or target, for mse)")
    ev.add_argument("--metric", default="auc", help=METRIC_HELP)
    ev.add_argument("--dataset", help="the dataset version the file is (default: the one recorded with its sha256)")
    ev.add_argument("--about", metavar="YAML_OR_JSON",
                    help="for a file that is no dataset version: a YAML/JSON file of what it is, in the catalog's "
                         "dataset-version terms (data_type, conditions, recorded_with, simulated_with, description); "
                         "the transferability estimate then targets it, and --record records it so")
    ev.add_argument("--record", action="store_true",
                    help="record the result as Evaluations (the file becomes a dataset version if it is none yet)")
    ev.add_argument("--batch-rows", type=int, default=None, help="rows per batch read and run (default 4096)")
    ev.set_defaults(handler=handler)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from graphcat.evaluation import service
    from graphcat.store import migrations
    from graphcat.store.database import Database

    uid = args.model_version if args.model_version.startswith("model_version:") else f"model_version:{args.model_version}"
    dataset = args.dataset
    if dataset is not None and not dataset.startswith("dataset_version:"):
        dataset = f"dataset_version:{dataset}"
    about = _read_about(args.about) if args.about else None
    bar = tqdm(unit=" rows", desc="evaluating", leave=False)

    def progress(done: int, total: int | None) -> None:
        bar.total = total
        bar.update(done - bar.n)

    with Database(settings) as db:
        migrations.apply(db)
        try:
            result = service.evaluate(db, settings, uid, args.file, label=args.label, metrics=args.metric,
                                      record=args.record, dataset=dataset, progress=progress, about=about,
                                      **({"batch_rows": args.batch_rows} if args.batch_rows else {}))
        finally:
            bar.close()
    print(render(result))
    return 0


def _read_about(path: str) -> Any:
    """The --about file, read like a catalog file (YAML or JSON; problems name the file and line)."""
    from graphcat.catalog.files import read_document
    from graphcat.errors import InvalidInput

    data, problems = read_document(Path(path))
    if problems:
        raise InvalidInput(f"--about {problems[0]}", path="about")
    return data


def render(result: Any) -> str:
    m = result.measurement
    lines = [f"{m.model_version_uid} on {m.source} ({m.format}, {m.rows} rows, sha256 {m.sha256[:12]}...), "
             f"label {m.label}, {m.seconds:.2f} s"]
    for name, expr in m.mapping.items():
        lines.append(f"  input {name} <- {expr}")
    for c in result.checked:
        line = f"  {c.metric:<28} {c.value:.4f}  (95% bootstrap {c.low:.4f} .. {c.high:.4f})"
        if c.estimate is not None:
            line += (f"  estimated {c.estimate:.4f} [{c.estimate_low:.4f}, {c.estimate_high:.4f}]"
                     f"  gap {c.gap:+.4f}")
        elif c.estimate_status:
            line += f"  estimate: {c.estimate_status}"
        lines.append(line)
    where = result.dataset_version_uid or "not a catalogued dataset version"
    lines.append(f"  recorded as {', '.join(result.evaluation_uids)} on {where}" if result.recorded
                 else f"  dataset: {where}; not recorded (pass --record)")
    return "\n".join(lines)
