"""ONNX files found by an importer (a folder, an MLflow ONNX flavour) through graphcat's one ONNX
registration path (graphcat.service.deploy: onnx checker, signature, artifact store, onnxruntime
smoke test, optional latency), without writing: the importer puts the version entries in its
catalog document and passes `record` as import_documents' `also`, so everything commits together.

Re-running: a version already in the catalog with the same artifact sha256 is not measured again
(its entry is restated and the importer counts it unchanged); one with another sha256 is a conflict
naming the new file and the registered artifact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tqdm import tqdm

from graphcat.deploy import onnx_inspect
from graphcat.deploy.artifacts import sha256_of
from graphcat.service import deploy as service
from graphcat.settings import Settings
from graphcat.store.database import Database, Tx


@dataclass(frozen=True)
class OnnxItem:
    """One ONNX file, checked and read; `label` names it in errors (a path, an MLflow version)."""

    label: str
    path: Path
    model_id: str
    version: str
    signature: onnx_inspect.OnnxSignature
    sha256: str

    @property
    def version_uid(self) -> str:
        return service.version_uid(self.model_id, self.version)


@dataclass(frozen=True)
class Outcome:
    item: OnnxItem
    entry: dict[str, Any]  # the catalog version entry: framework, format, artifact, inputs, outputs
    measured: service.Measured | None  # None when the version is already registered with this file

    @property
    def smoke_ok(self) -> bool:
        return self.measured is None or self.measured.smoke.ok


def inspect_item(label: str, path: Path, model_id: str, version: str) -> OnnxItem:
    """onnx's checker and the signature; InvalidInput (naming `path`) when the file is not a usable model."""
    signature = onnx_inspect.inspect(path)
    sha, _ = sha256_of(path)
    return OnnxItem(label, path, model_id, version, signature, sha)


def conflicts(db: Database, items: list[OnnxItem]) -> dict[str, str]:
    """label -> why, for each item whose model version is registered with another artifact sha256."""
    registered = service.registered_artifacts(db, [i.version_uid for i in items])
    out = {}
    for item in items:
        uri, sha = registered.get(item.version_uid, (None, None))
        if item.version_uid in registered and sha != item.sha256:
            out[item.label] = (f"{item.model_id}@{item.version} is already registered with artifact {uri} "
                               f"(sha256 {sha}); this file has sha256 {item.sha256}. A version is immutable: "
                               "give the changed file a new version")
    return out


def measure_items(db: Database, settings: Settings, items: list[OnnxItem], *, benchmark: bool = False,
                  progress: bool = False) -> list[Outcome]:
    """Store, smoke-test (and benchmark) the items not yet registered; restate the others."""
    registered = service.registered_artifacts(db, [i.version_uid for i in items])
    outcomes = []
    for item in tqdm(items, desc="onnx", unit="file", disable=not progress):
        uri, sha = registered.get(item.version_uid, (None, None))
        if sha == item.sha256 and uri:
            entry = service.signature_version_entry(item.version, item.signature, uri, sha)
            outcomes.append(Outcome(item, entry, None))
            continue
        measured = service.measure_onnx(settings, item.path, model_id=item.model_id, version=item.version,
                                   benchmark=benchmark)
        outcomes.append(Outcome(item, service.onnx_version_entry(measured, None, None), measured))
    return outcomes


def recorder(outcomes: list[Outcome]) -> Callable[[Tx], None]:
    """import_documents' `also`: the measurements of the newly measured files, in its transaction."""
    measured = [o.measured for o in outcomes if o.measured is not None]

    def record(tx: Tx) -> None:
        for m in measured:
            service.record_measured(tx, m)

    return record
