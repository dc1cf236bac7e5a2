"""The `graphcat import`, `graphcat export` and `graphcat demo load` commands."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import write_document
from graphcat.catalog.importer import import_files
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database


def demo_catalog_path() -> Path:
    return Path(str(resources.files("graphcat").joinpath("demo/hep-catalog.yaml")))


def run(args: argparse.Namespace, settings: Settings) -> int:
    with Database(settings) as db:
        migrations.apply(db)
        if args.command == "import":
            report = import_files(db, args.files, replace=args.replace, progress=sys.stderr.isatty())
            print(f"imported {', '.join(report.files)}: {report.summary()}")
            _index_follows(db)
        elif args.command == "export":
            out = Path(args.output) if args.output else None
            text = write_document(export_document(db), out)
            if out is None:
                sys.stdout.write(text)
            else:
                print(f"wrote {out}", file=sys.stderr)
        else:  # demo load
            path = demo_catalog_path()
            if not path.is_file():
                # `make demo` runs this before serving; a checkout without the demo file serves empty.
                print(f"no demo catalog at {path}; nothing loaded", file=sys.stderr)
                return 0
            report = import_files(db, [path], progress=sys.stderr.isatty())
            print(f"demo catalog loaded: {report.summary()}")
            from graphcat.interop import demo

            for what, imported in demo.load(db, settings):
                print(f"demo {what}: {imported.summary()}")
            _index_follows(db)
    return 0


def _index_follows(db: Database) -> None:
    """Update the recommender's saved index, when there is one (the server's start-up builds it otherwise)."""
    from graphcat.service import vector_index

    status = vector_index.after_write(db)
    if status is not None:
        print(f"vector index: {status}", file=sys.stderr)
