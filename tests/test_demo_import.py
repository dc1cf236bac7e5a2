"""The demo HEP catalog imports into an empty catalog, re-imports as a no-op and round-trips."""

from __future__ import annotations

from pathlib import Path

from graphcat.catalog.commands import demo_catalog_path
from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import read_document, write_document
from graphcat.catalog.importer import import_files
from graphcat.service import lineage
from graphcat.store.database import Database


def test_demo_catalog_imports_and_round_trips(db: Database, tmp_path: Path) -> None:
    path = demo_catalog_path()
    doc, problems = read_document(path)
    assert not problems
    report = import_files(db, [path])
    expected = {
        "experiment": len(doc.get("experiments", [])),
        "model": len(doc.get("models", [])),
        "model_version": sum(len(m.get("versions", [])) for m in doc.get("models", [])),
        "dataset_version": sum(len(d.get("versions", [])) for d in doc.get("datasets", [])),
    }
    assert {k: report.created.get(k, 0) for k in expected} == expected
    again = import_files(db, [path])
    assert again.created == {} and again.updated == {}
    assert again.unchanged["model_version"] == expected["model_version"]

    first = write_document(export_document(db), tmp_path / "export.yaml")
    import_files(db, [tmp_path / "export.yaml"], replace=True)
    assert write_document(export_document(db), None) == first
    # The original file is still "the same content" as what the export re-created.
    assert import_files(db, [path]).unchanged["model_version"] == expected["model_version"]


def test_impact_and_lineage_on_the_demo(db: Database) -> None:
    path = demo_catalog_path()
    doc, _ = read_document(path)
    import_files(db, [path])
    # The dataset version most models were trained on: its impact must name every one of them.
    trained: dict[str, set[str]] = {}
    for m in doc["models"]:
        for v in m.get("versions", []):
            for ds in v.get("trained_on", []):
                trained.setdefault(ds, set()).add(f"model_version:{m['id']}@{v['version']}")
    busiest, models = max(trained.items(), key=lambda item: (len(item[1]), item[0]))
    report = lineage.impact(db, f"dataset_version:{busiest}")
    assert models <= {n.uid for n in report.model_versions}
    some_model = sorted(models)[0]
    upstream = {n.uid for n in lineage.lineage(db, some_model, "upstream").nodes}
    assert f"dataset_version:{busiest}" in upstream
