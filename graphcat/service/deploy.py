"""Deployment readiness of model versions: register an ONNX file, smoke-test, benchmark, quantise.

`register_onnx` is the one entry point the CLI and the GraphQL upload share:

1. check the file with onnx's checker and read its signature (opset, inputs, outputs);
2. copy it into the content-addressed artifact store (sha256, size, file:// URI);
3. run it once on generated inputs (a failure is recorded and reported, never hidden);
4. optionally benchmark p50/p99 at batch 1 and 64 on this CPU;
5. optionally quantise it to int8 (a new version linked QUANTIZED_FROM, with its own smoke test,
   latency and output agreement with the original);
6. write the version(s) through the catalog importer (validated, immutable) and every
   measurement in the same transaction: all or nothing.

All the slow work (onnxruntime) happens before anything is written, so the transaction is short.
Re-running is idempotent for the catalog entry (an identical version is "unchanged", the artifact
store is content-addressed) and adds one more smoke test and benchmark record.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphcat.catalog.importer import import_documents
from graphcat.deploy import compat, latency, onnx_inspect, quantize, smoke
from graphcat.deploy.artifacts import Artifacts, StoredArtifact, open_artifact_store
from graphcat.deploy.runtime import ORT_ERRORS
from graphcat.domain import Actor, uid
from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.store import catalog as catalog_store
from graphcat.store import deploy as deploy_store
from graphcat.store.database import Database, Tx

QUANTIZATION_METHOD = "onnxruntime.quantize_dynamic"
QUANTIZATION_WEIGHT_TYPE = "int8"


@dataclass(frozen=True)
class Measured:
    """One ONNX file, inspected, stored, smoke-tested and (optionally) benchmarked."""

    version: str
    version_uid: str
    signature: onnx_inspect.OnnxSignature
    artifact: StoredArtifact
    smoke: smoke.SmokeResult
    latency: latency.LatencyReport | None = None
    # Why a requested step did not run or failed (e.g. "benchmark: the smoke test failed").
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Registration:
    model_id: str
    original: Measured
    quantized: Measured | None = None
    agreement: quantize.Agreement | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def version_uid(self) -> str:
        return self.original.version_uid


def version_uid(model_id: str, version: str) -> str:
    return uid("model_version", f"{model_id}@{version}")


def register_onnx(
    db: Database,
    settings: Settings,
    path: str | Path,
    *,
    model_id: str,
    version: str,
    task: str | None = None,
    name: str | None = None,
    description: str | None = None,
    license: str | None = None,
    benchmark: bool = False,
    quantize_int8: bool = False,
    quantized_version: str | None = None,
    actor: Actor | None = None,
) -> Registration:
    """Register an ONNX file as `model_id@version` (see the module docstring for the steps)."""
    path = Path(path)
    store = open_artifact_store(settings)
    original = _measure(store, settings, path, model_id, version, benchmark)
    quantized: Measured | None = None
    agreement: quantize.Agreement | None = None
    notes: list[str] = []
    if quantize_int8:
        if not original.smoke.ok:
            notes.append("quantize: skipped, the original model failed its smoke test")
        else:
            quantized, agreement, more = _quantize(
                store, settings, original, model_id, quantized_version or f"{version}-int8", benchmark
            )
            notes.extend(more)

    document = catalog_document(model_id, original, quantized, task=task, name=name, description=description,
                                license=license, existing=existing_model(db, model_id))

    def measurements(tx: Tx) -> None:
        for measured in (original, quantized):
            if measured is not None:
                record_measured(tx, measured)
        if quantized is not None and agreement is not None:
            deploy_store.record_quantization(tx, quantized.version_uid, original.version_uid, agreement,
                                             method=QUANTIZATION_METHOD, weight_type=QUANTIZATION_WEIGHT_TYPE)

    # The catalog entry and its measurements commit together: a failure in either leaves nothing.
    import_documents(db, [(f"register-onnx {path.name}", document)], also=measurements, actor=actor)
    return Registration(model_id, original, quantized, agreement, notes)


def register_onnx_upload(
    db: Database, settings: Settings, data: bytes, filename: str, **kwargs: Any
) -> Registration:
    """`register_onnx` for bytes received over the API (a GraphQL upload)."""
    if not data:
        raise InvalidInput("the uploaded file is empty", path=filename)
    with tempfile.TemporaryDirectory(prefix="graphcat-upload-") as tmp:
        target = Path(tmp) / (Path(filename).name or "model.onnx")
        target.write_bytes(data)
        return register_onnx(db, settings, target, **kwargs)


def benchmark_version(db: Database, settings: Settings, version_uid: str, *,
                      actor: Actor | None = None) -> latency.LatencyReport:
    """Benchmark a registered version again from its stored artifact (checked against its sha256)."""
    path = _artifact_path(db, settings, version_uid)
    report = _benchmark(settings, path, onnx_inspect.inspect(path))
    from graphcat.store import audit

    def work(tx: Tx) -> None:
        deploy_store.record_benchmarks(tx, version_uid, report.hardware, report.results)
        state = audit.states(tx, [version_uid]).get(version_uid)  # benchmarks are facts about it, not its state
        audit.record(tx, actor, [audit.Pending(version_uid, "model_version", "measure", state, state)],
                     source=f"benchmark on {report.hardware.id}")

    db.write_transaction(work)
    return report


def check_compatibility(
    db: Database,
    settings: Settings,
    data_path: str | Path,
    version_uid: str,
    *,
    mapping: compat.Mapping | None = None,
    events: int = 16,
) -> compat.CompatibilityReport:
    """Build the version's inputs from the first `events` events of a data file and run the model.

    `mapping` (model input -> column, or list of scalar columns) is the recommended column mapping
    when the caller has one; without it inputs are matched by name (see graphcat.deploy.compat).
    The report says ok + output shapes, or exactly which input could not be built and why."""
    path = _artifact_path(db, settings, version_uid)
    return compat.check(path, onnx_inspect.inspect(path), data_path, mapping=mapping, events=events)


def versions_within_latency(
    db: Database, *, max_p99_ms: float, task: str | None = None, batch: int = 1, limit: int = 100
) -> list[dict[str, Any]]:
    """Model versions (for `task` and its subtasks) whose newest CPU benchmark at `batch` has
    p99 <= `max_p99_ms`, fastest first. Each row: version_uid, model_id, version, p50_ms, p99_ms,
    threads, batch, hardware_id, cpu_model, cores."""
    if max_p99_ms <= 0:
        raise InvalidInput(f"must be positive, got {max_p99_ms}", path="max_p99_ms")
    if batch < 1:
        raise InvalidInput(f"must be at least 1, got {batch}", path="batch")
    return deploy_store.versions_within_latency(db, max_p99_ms=max_p99_ms, task=task, batch=batch, limit=limit)


def deployment(db: Database, version_uid: str) -> dict[str, Any]:
    """Everything deployment-related about a version: artifact (uri, sha256, size), ONNX facts
    (opset, IR version, producer), smoke tests, benchmarks with hardware, quantisation links."""
    return deploy_store.version_deployment(db, version_uid)


def measure_onnx(settings: Settings, path: str | Path, *, model_id: str, version: str,
                 benchmark: bool = False) -> Measured:
    """Steps 1-4 for one file (checker, signature, artifact store, smoke test, optional benchmark),
    for importers that write the catalog entry themselves (graphcat.interop.card): nothing is
    written to Neo4j; pass the result to `record_measured` inside the import's transaction."""
    return _measure(open_artifact_store(settings), settings, Path(path), model_id, version, benchmark)


def record_measured(tx: Tx, measured: Measured) -> None:
    """Write a measured file's ONNX facts, smoke test and benchmarks (the version must exist in `tx`)."""
    deploy_store.record_onnx_facts(tx, measured.version_uid, measured.signature, measured.artifact.size_bytes)
    deploy_store.record_smoke_test(tx, measured.version_uid, measured.smoke)
    if measured.latency is not None:
        deploy_store.record_benchmarks(tx, measured.version_uid, measured.latency.hardware, measured.latency.results)


def onnx_version_entry(measured: Measured, description: str | None, license: str | None) -> dict[str, Any]:
    """The catalog version entry (docs/catalog-format.md) a measured ONNX file gives."""
    return _version_entry(measured, description, license)


def registered_artifacts(db: Database, version_uids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """version uid -> (artifact uri, artifact sha256) of the versions already in the catalog."""
    found = catalog_store.nodes_by_uid(db, version_uids)
    out = {}
    for u, node in found.items():
        artifact = getattr(node, "artifact", None)
        out[u] = (getattr(artifact, "uri", None), getattr(artifact, "sha256", None))
    return out


# -- steps -----------------------------------------------------------------------------------------


def _artifact_path(db: Database, settings: Settings, version_uid: str) -> Path:
    facts = deploy_store.version_deployment(db, version_uid)
    if not facts["artifact_uri"] or not facts["artifact_sha256"]:
        raise InvalidInput(f"model version {version_uid} has no artifact in the artifact store", path="version")
    return open_artifact_store(settings).verify(facts["artifact_uri"], facts["artifact_sha256"])



def _measure(
    store: Artifacts, settings: Settings, path: Path, model_id: str, version: str, benchmark: bool
) -> Measured:
    signature = onnx_inspect.inspect(path)
    artifact = store.put(path)
    result = smoke.smoke_test(artifact.path, signature)
    notes: list[str] = []
    report: latency.LatencyReport | None = None
    if benchmark:
        if not result.ok:
            notes.append(f"benchmark {model_id}@{version}: skipped, the smoke test failed")
        else:
            try:
                report = _benchmark(settings, artifact.path, signature)
            except ORT_ERRORS as exc:
                notes.append(f"benchmark {model_id}@{version}: onnxruntime failed: {exc}")
            else:
                notes.extend(f"benchmark {model_id}@{version} batch {b}: {why}" for b, why in report.skipped.items())
    return Measured(version, version_uid(model_id, version), signature, artifact, result, report, notes)


def _benchmark(settings: Settings, path: Path, signature: onnx_inspect.OnnxSignature) -> latency.LatencyReport:
    return latency.measure(path, signature, runs=settings.bench_runs, warmup=settings.bench_warmup,
                           threads=settings.bench_threads)


def _quantize(
    store: Artifacts, settings: Settings, original: Measured, model_id: str, version: str, benchmark: bool
) -> tuple[Measured | None, quantize.Agreement | None, list[str]]:
    with tempfile.TemporaryDirectory(prefix="graphcat-quantize-") as tmp:
        target = quantize.quantize_int8(original.artifact.path, Path(tmp) / f"{model_id}-{version}.onnx")
        measured = _measure(store, settings, target, model_id, version, benchmark)
    notes = list(measured.notes)
    agreement = None
    if not measured.smoke.ok:
        notes.append(f"agreement {model_id}@{version}: skipped, the quantised model failed its smoke test")
    else:
        try:
            agreement = quantize.agreement(original.artifact.path, measured.artifact.path, original.signature)
        except ORT_ERRORS as exc:
            notes.append(f"agreement {model_id}@{version}: onnxruntime failed: {exc}")
    return measured, agreement, notes


# -- the catalog entry -----------------------------------------------------------------------------


def catalog_document(
    model_id: str,
    original: Measured,
    quantized: Measured | None,
    *,
    task: str | None,
    name: str | None,
    description: str | None,
    license: str | None,
    existing: tuple[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A catalog file (docs/catalog-format.md) holding the model and its new version(s).

    `existing` is (name, task ids) of the model when it is already in the catalog: a new version
    keeps the model's name unless one is given, and adds `task` to its tasks instead of replacing
    them (the importer replaces a model's task list when the entry names tasks)."""
    versions = [_version_entry(original, description, license)]
    if quantized is not None:
        entry = _version_entry(quantized, f"Dynamic int8 quantisation of {model_id}@{original.version}", license)
        entry["lineage"] = [{"type": "QUANTIZED_FROM", "from": f"{model_id}@{original.version}"}]
        versions.append(entry)
    old_name, old_tasks = existing if existing is not None else (None, [])
    model: dict[str, Any] = {"id": model_id, "name": name or old_name or model_id, "versions": versions}
    if task and task not in old_tasks:
        model["tasks"] = [*old_tasks, task]
    return {"graphcat_catalog": 1, "models": [model]}


def existing_model(db: Database, model_id: str) -> tuple[str, list[str]] | None:
    model_uid = uid("model", model_id)
    found = catalog_store.nodes_by_uid(db, [model_uid]).get(model_uid)
    if found is None:
        return None
    tasks = [node.id for rel, _, node in catalog_store.neighbours(db, [model_uid], ["SOLVES"])[model_uid]]
    return getattr(found, "name", model_id), tasks


def _version_entry(measured: Measured, description: str | None, license: str | None) -> dict[str, Any]:
    return signature_version_entry(measured.version, measured.signature, measured.artifact.uri,
                                   measured.artifact.sha256, description=description, license=license)


def signature_version_entry(version: str, signature: onnx_inspect.OnnxSignature, artifact_uri: str, sha256: str, *,
                            description: str | None = None, license: str | None = None) -> dict[str, Any]:
    """The catalog version entry of an ONNX file already in the artifact store (not measured again)."""
    return {
        "version": version,
        "description": description,
        "framework": "onnx",
        "format": "onnx",
        "license": license,
        "artifact": {"uri": artifact_uri, "sha256": sha256},
        "inputs": signature.input_features(),
        "outputs": signature.output_features(),
    }
