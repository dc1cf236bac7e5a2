"""`graphcat import-onnx DIR [--keep-going]`: every *.onnx under DIR as a model version.

Rules (docs/interop.md, "A folder of ONNX files"):
- files are found recursively and taken in sorted order of their path relative to DIR;
- each goes through graphcat's ONNX registration path (onnx checker, signature, artifact store,
  onnxruntime smoke test, optionally latency) via graphcat.interop.onnx_register;
- model id and version come from the sidecar (`model.yaml` next to `model.onnx`), else the file
  stem as a graphcat id and version "1";
- every file is read and checked before anything is written; one catalog document goes through
  import_documents (one transaction). A bad file (corrupt ONNX, bad sidecar, a changed file under
  a registered version, a reference to nothing) is reported by its path. Without --keep-going one
  bad file means nothing is written; with it the good files are written and the bad ones listed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.catalog.plan import Problem
from graphcat.domain import ImportReport
from graphcat.errors import InvalidInput
from graphcat.interop import onnx_register, onnx_sidecar
from graphcat.interop.commands import relabel
from graphcat.interop.mlflow_mapping import slug
from graphcat.interop.onnx_sidecar import Sidecar
from graphcat.service import deploy as service
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database

DEFAULT_VERSION = "1"


class OnnxFolderInvalid(InvalidInput):
    """One or more files of the folder are bad and nothing was written; lists each by path."""


@dataclass(frozen=True)
class Failure:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class FolderReport:
    folder: str
    imported: ImportReport | None  # None when no file could be imported
    versions: dict[str, str] = field(default_factory=dict)  # path -> model@version, of the files written
    measured: list[str] = field(default_factory=list)  # paths newly measured (the others were unchanged)
    smoke_failed: dict[str, str] = field(default_factory=dict)  # path -> onnxruntime error (registered anyway)
    failed: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.smoke_failed


@dataclass(frozen=True)
class _File:
    rel: str  # path relative to the folder: what errors name
    item: onnx_register.OnnxItem
    sidecar: Sidecar


def onnx_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InvalidInput("no such folder", path=str(folder))
    files = sorted((p for p in folder.rglob("*.onnx") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())
    if not files:
        raise InvalidInput("no *.onnx file in this folder or below", path=str(folder))
    return files


def import_onnx_folder(db: Database, settings: Settings, folder: str | Path, *, keep_going: bool = False,
                       benchmark: bool = False, progress: bool = False) -> FolderReport:
    """See the module docstring. Raises OnnxFolderInvalid (nothing written) without `keep_going`."""
    folder = Path(folder)
    failures: list[Failure] = []
    files = _read_all(folder, failures)
    _check_conflicts(db, files, failures)
    if failures and not keep_going:
        raise _invalid(folder, failures, len(files) + len(failures))
    outcomes = onnx_register.measure_items(db, settings, [f.item for f in files], benchmark=benchmark,
                                           progress=progress)
    by_label = {o.item.label: o for o in outcomes}
    while files:
        document, labels = _document(db, files, by_label)
        chosen = [by_label[f.rel] for f in files]
        try:
            report = import_documents(db, [(f"import-onnx {folder}", document)], progress=progress,
                                      also=onnx_register.recorder(chosen))
        except CatalogInvalid as exc:
            bad = _attribute(exc.problems, labels, files)
            if not keep_going or bad is None:
                raise CatalogInvalid([relabel(p, labels) for p in exc.problems]) from exc
            failures.extend(bad)
            names = {b.path for b in bad}
            files = [f for f in files if f.rel not in names]
            continue
        return FolderReport(str(folder), report, {f.rel: f"{f.item.model_id}@{f.item.version}" for f in files},
                            [o.item.label for o in chosen if o.measured is not None],
                            {o.item.label: o.measured.smoke.error or "failed" for o in chosen if not o.smoke_ok},
                            _sorted(failures))
    return FolderReport(str(folder), None, failed=_sorted(failures))


def _read_all(folder: Path, failures: list[Failure]) -> list[_File]:
    """Every file read and checked (sidecar, onnx checker, signature); the bad ones in `failures`."""
    files: list[_File] = []
    first: dict[str, str] = {}  # model@version -> the file that defines it
    names: dict[str, tuple[str, str]] = {}  # model id -> (name, file), for names given by sidecars
    for path in onnx_files(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            found = onnx_sidecar.find(path)
            sidecar = onnx_sidecar.read(found) if found else Sidecar()
            model_id = sidecar.model or slug(path.stem)
            item = onnx_register.inspect_item(rel, path, model_id, sidecar.version or DEFAULT_VERSION)
            for role, specs in (("inputs", item.signature.inputs), ("outputs", item.signature.outputs)):
                onnx_sidecar.annotate([s.as_feature() for s in specs], specs, sidecar, role)
        except InvalidInput as exc:
            failures.append(Failure(rel, _message(exc, path, folder)))
            continue
        key = f"{item.model_id}@{item.version}"
        if key in first:
            failures.append(Failure(rel, f"model version {key} is already defined by {first[key]} "
                                         "(give one of them another version in its sidecar)"))
            continue
        if sidecar.name is not None:
            other = names.setdefault(item.model_id, (sidecar.name, rel))
            if other[0] != sidecar.name:
                failures.append(Failure(rel, f"model {item.model_id!r} is named {sidecar.name!r} here and "
                                             f"{other[0]!r} by {other[1]}"))
                continue
        first[key] = rel
        files.append(_File(rel, item, sidecar))
    return files


def _message(exc: InvalidInput, path: Path, folder: Path) -> str:
    """The error without absolute paths: the failure is already named by the file's relative path."""
    where = exc.path or ""
    if where == str(path):
        return exc.message
    if where.startswith(f"{path}: "):  # an input or output of the ONNX file
        where = where[len(f"{path}: "):]
    elif where.startswith(f"{folder}/"):  # a sidecar file and field
        where = where[len(f"{folder}/"):]
    return f"{where}: {exc.message}" if where else exc.message


def _check_conflicts(db: Database, files: list[_File], failures: list[Failure]) -> None:
    found = onnx_register.conflicts(db, [f.item for f in files])
    failures.extend(Failure(rel, why) for rel, why in found.items())
    files[:] = [f for f in files if f.rel not in found]


def _document(db: Database, files: list[_File], outcomes: dict[str, onnx_register.Outcome],
              ) -> tuple[dict[str, Any], dict[str, str]]:
    """One catalog document for all files; labels map `models[i].versions[j]` (and `models[i]`) to paths."""
    grouped: dict[str, list[_File]] = {}
    for f in files:
        grouped.setdefault(f.item.model_id, []).append(f)
    models, labels = [], {}
    for i, (model_id, members) in enumerate(sorted(grouped.items())):
        old_name, old_tasks = service.existing_model(db, model_id) or (None, [])
        given = next((f.sidecar.name for f in members if f.sidecar.name), None)
        tasks = [*old_tasks, *sorted({f.sidecar.task for f in members if f.sidecar.task} - set(old_tasks))]
        entry: dict[str, Any] = {"id": model_id, "name": given or old_name or model_id, "versions": []}
        if tasks != old_tasks:
            entry["tasks"] = tasks
        labels[f"models[{i}]"] = ", ".join(f.rel for f in members)
        for j, f in enumerate(members):
            labels[f"models[{i}].versions[{j}]"] = f.rel
            entry["versions"].append(_version(f, outcomes[f.rel].entry))
        models.append(entry)
    return {"graphcat_catalog": 1, "models": models}, labels


def _version(f: _File, base: dict[str, Any]) -> dict[str, Any]:
    sc, sig = f.sidecar, f.item.signature
    entry = dict(base)
    entry.update({"description": sc.description, "license": sc.license,
                  "inputs": onnx_sidecar.annotate(base["inputs"], sig.inputs, sc, "inputs"),
                  "outputs": onnx_sidecar.annotate(base["outputs"], sig.outputs, sc, "outputs")})
    if sc.trained_on:
        entry["trained_on"] = list(sc.trained_on)
    if sc.lineage:
        entry["lineage"] = [{"type": kind, "from": ref} for kind, ref in sc.lineage]
    return entry


def _attribute(problems: list[Problem], labels: dict[str, str], files: list[_File]) -> list[Failure] | None:
    """Each problem as a failure of the file(s) it comes from; None if one belongs to no file."""
    out: dict[str, list[str]] = {}
    for p in problems:
        prefix = max((k for k in labels if p.where.path == k or p.where.path.startswith(k + ".")), key=len, default=None)
        if prefix is None:
            return None
        for rel in labels[prefix].split(", "):
            out.setdefault(rel, []).append(f"{p.where.path}: {p.message}")
    known = {f.rel for f in files}
    return [Failure(rel, "; ".join(msgs)) for rel, msgs in out.items() if rel in known] or None


def _sorted(failures: list[Failure]) -> list[Failure]:
    return sorted(failures, key=lambda f: f.path)


def _invalid(folder: Path, failures: list[Failure], total: int) -> OnnxFolderInvalid:
    lines = "\n".join(f"  {f}" for f in _sorted(failures))
    return OnnxFolderInvalid(f"{len(failures)} of {total} ONNX file(s) under {folder} rejected, nothing written "
                             f"(--keep-going imports the others):\n{lines}")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from graphcat.catalog.commands import _index_follows

    with Database(settings) as db:
        migrations.apply(db)
        report = import_onnx_folder(db, settings, args.dir, keep_going=args.keep_going, benchmark=args.benchmark,
                                    progress=sys.stderr.isatty())
        for rel, version in sorted(report.versions.items()):
            state = "registered" if rel in report.measured else "unchanged"
            smoke = f", smoke test FAILED: {report.smoke_failed[rel]}" if rel in report.smoke_failed else ""
            print(f"{rel}: {version} {state}{smoke}")
        for failure in report.failed:
            print(f"{failure.path}: FAILED, not imported: {failure.message}", file=sys.stderr)
        summary = report.imported.summary() if report.imported else "nothing imported"
        print(f"imported ONNX folder {report.folder}: {summary}; {len(report.failed)} file(s) failed")
        if report.imported is not None:
            _index_follows(db)
    return 0 if report.ok else 1
