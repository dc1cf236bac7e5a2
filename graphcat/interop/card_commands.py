"""`graphcat import-card` and `graphcat export-card`: a Hugging Face model card in, or out.

import: read the card completely (graphcat.interop.card), look up what the catalog already holds
(tasks, dataset names, the model's tasks), measure the folder's ONNX file through the deployment
path (signature, artifact store, smoke test), map it all to one catalog document and import it in
one transaction with the measurements: all or nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphcat import domain
from graphcat.catalog.importer import import_documents
from graphcat.domain import ImportReport
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database, Tx

if TYPE_CHECKING:
    from graphcat.interop.card import CardRecord
    from graphcat.interop.card_mapping import Known

DEFAULT_VERSION = "1"


def import_card(db: Database, settings: Settings, target: str | Path, *, model_id: str | None = None,
                version: str | None = None, progress: bool = False) -> ImportReport:
    """Import the model card at `target` (a README.md or its folder) as one model version."""
    from graphcat.interop import card_mapping
    from graphcat.interop.card import read_card
    from graphcat.service import catalog, deploy

    record = read_card(target)
    ident, name = card_mapping.model_identity(record, model_id)
    version = version or record.version or DEFAULT_VERSION
    known = _known(db, record, ident)
    version_uid = domain.uid("model_version", f"{ident}@{version}")
    already = version_uid in catalog.get_many(db, [version_uid])

    onnx_entry: dict[str, Any] | None = None
    also = None
    if record.onnx is not None:
        measured = deploy.measure_onnx(settings, record.onnx, model_id=ident, version=version)
        onnx_entry = deploy.onnx_version_entry(measured, None, None)
        if not already:  # a re-run changes nothing: the first import's measurements stand

            def also(tx: Tx) -> None:
                deploy.record_measured(tx, measured)

    doc = card_mapping.document(record, model_id=ident, name=name, version=version, known=known,
                                onnx_entry=onnx_entry)
    return import_documents(db, [(f"model card {record.path}", doc)], progress=progress, also=also)


def _known(db: Database, record: CardRecord, model_id: str) -> Known:
    from graphcat.interop import card_mapping
    from graphcat.service import catalog

    task_uids = [domain.uid("task", t) for t in card_mapping.task_candidates(record)]
    refs = card_mapping.dataset_refs(record)
    families = {domain.uid("dataset", d) for d, _ in refs}
    versions = {domain.uid("dataset_version", f"{d}@{v}") for d, v in refs}
    model_uid = domain.uid("model", model_id)
    found = catalog.get_many(db, [*task_uids, *families, *versions, model_uid])
    known = card_mapping.Known(
        tasks={n.id for u, n in found.items() if u in task_uids},
        dataset_names={n.id: n.name for n in found.values() if isinstance(n, domain.Dataset)},
        dataset_versions={n.id for n in found.values() if isinstance(n, domain.DatasetVersion)})
    if model_uid in found:
        known.model_tasks = [t.id for t in catalog.tasks_of(db, [model_uid])[model_uid]]
    return known


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog.commands import _index_follows

    with Database(settings) as db:
        migrations.apply(db)
        report = import_card(db, settings, args.card, model_id=args.model_id, version=args.version,
                             progress=sys.stderr.isatty())
        print(f"imported model card {args.card}: {report.summary()}")
        _index_follows(db)
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.interop.card_export import export_card

    with Database(settings) as db:
        path = export_card(db, args.model, args.output)
    print(f"wrote {path}")
    return 0
