"""`graphcat import-mlflow`: read an MLflow registry, map it, write it in one transaction."""

from __future__ import annotations

import argparse
import sys

from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.catalog.plan import Problem, Where
from graphcat.domain import ImportReport
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database


def import_mlflow(db: Database, uri: str, models: list[str] | None = None, *, progress: bool = False) -> ImportReport:
    """Everything MLflow holds for `models` (all registered models by default), all-or-nothing.

    MLflow is read completely before anything is written; a version already imported with other
    content is a conflict naming the MLflow model and version, the graphcat version and the
    differing fields, and nothing is written."""
    from graphcat.interop.mlflow import read_registry
    from graphcat.interop.mlflow_mapping import Mapper

    records = read_registry(uri, models)
    mapper = Mapper(uri)
    document = mapper.document(records)
    name = f"mlflow {uri}"
    try:
        return import_documents(db, [(name, document)], progress=progress)
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
        report = import_mlflow(db, args.tracking_uri, args.model or None, progress=sys.stderr.isatty())
        print(f"imported from MLflow {args.tracking_uri}: {report.summary()}")
        _index_follows(db)
    return 0


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
