"""`graphcat import-mlflow`: read an MLflow registry, map it, write it in one transaction."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.catalog.plan import Problem, Where
from graphcat.domain import ImportReport
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database

if TYPE_CHECKING:
    from graphcat.interop.onnx_register import Outcome


def import_mlflow(db: Database, uri: str, models: list[str] | None = None, *, progress: bool = False,
                  settings: Settings | None = None) -> ImportReport:
    """Everything MLflow holds for `models` (all registered models by default), all-or-nothing.

    MLflow is read completely before anything is written; a version already imported with other
    content is a conflict naming the MLflow model and version, the graphcat version and the
    differing fields, and nothing is written. A version with an `onnx` flavour also gets the
    deployment record of graphcat's ONNX registration path (graphcat.interop.mlflow_onnx)."""
    return import_mlflow_with_onnx(db, uri, models, progress=progress, settings=settings)[0]


def import_mlflow_with_onnx(db: Database, uri: str, models: list[str] | None = None, *, progress: bool = False,
                            settings: Settings | None = None) -> tuple[ImportReport, list[Outcome]]:
    """`import_mlflow`, also returning what the ONNX registration path did per ONNX flavour file."""
    from graphcat.interop.mlflow import read_registry
    from graphcat.interop.mlflow_mapping import Mapper
    from graphcat.interop.mlflow_onnx import measure_versions
    from graphcat.interop.onnx_register import recorder

    with tempfile.TemporaryDirectory(prefix="graphcat-mlflow-onnx-") as tmp:
        records = read_registry(uri, models, onnx_dir=Path(tmp))
        onnx_fields, outcomes = measure_versions(db, settings or db.settings, uri, records, progress=progress)
    mapper = Mapper(uri, onnx_fields)
    document = mapper.document(records)
    name = f"mlflow {uri}"
    try:
        return import_documents(db, [(name, document)], progress=progress, also=recorder(outcomes)), outcomes
    except CatalogInvalid as exc:
        raise CatalogInvalid([relabel(p, mapper.labels) for p in exc.problems]) from exc


def relabel(problem: Problem, labels: dict[str, str]) -> Problem:
    """Name the source entry (an MLflow model version, a Croissant field...) a problem comes from instead
    of a path into the generated document; `labels` maps document paths to those names."""
    for prefix in sorted(labels, key=len, reverse=True):
        path = problem.where.path
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return Problem(Where(f"{problem.where.file}: {labels[prefix]}", path), problem.message)
    return problem


def run(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog.commands import _index_follows

    with Database(settings) as db:
        migrations.apply(db)
        report, outcomes = import_mlflow_with_onnx(db, args.tracking_uri, args.model or None, settings=settings,
                                                   progress=sys.stderr.isatty())
        for o in outcomes:
            state = "unchanged" if o.measured is None else ("smoke test ok" if o.smoke_ok else
                                                            f"smoke test FAILED: {o.measured.smoke.error}")
            print(f"{o.item.label}: {o.item.model_id}@{o.item.version} {state}")
        print(f"imported from MLflow {args.tracking_uri}: {report.summary()}")
        _index_follows(db)
    return 0 if all(o.smoke_ok for o in outcomes) else 1


def run_import_croissant(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog.commands import _index_follows
    from graphcat.interop.croissant import import_croissant

    with Database(settings) as db:
        migrations.apply(db)
        report = import_croissant(db, args.file, dataset_id=args.id, version=args.version,
                                  progress=sys.stderr.isatty())
        print(f"imported Croissant {args.file}: {report.summary()}")
        _index_follows(db)
    return 0


def run_export_croissant(args: argparse.Namespace, settings: Settings) -> int:
    import json
    from pathlib import Path

    from graphcat.interop.croissant_export import croissant_document, parse_ref

    ident, version = parse_ref(args.dataset)
    with Database(settings) as db:
        document = croissant_document(db, ident, version, base_url=args.base_url)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
