"""Deployment facts in the graph: ONNX facts, smoke tests, benchmarks, hardware, quantisation links.

Functions taking a `Tx` run inside a caller's transaction, so that registering a version and
everything measured about it commit together; the others open their own.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from graphcat.deploy.latency import Hardware, LatencyResult
from graphcat.deploy.onnx_inspect import OnnxSignature
from graphcat.deploy.quantize import Agreement
from graphcat.deploy.smoke import SmokeResult
from graphcat.errors import NotFound
from graphcat.store.database import Database, Tx


def record_onnx_facts(tx: Tx, version_uid: str, signature: OnnxSignature, size_bytes: int) -> None:
    rows = tx.run(
        "deploy/record_onnx_facts",
        version_uid=version_uid,
        opset=signature.opset,
        # Neo4j properties cannot hold maps; the opset table is kept as "domain=version" strings.
        opsets=[f"{domain}={version}" for domain, version in sorted(signature.opsets.items())],
        ir_version=signature.ir_version,
        producer=signature.producer,
        size_bytes=size_bytes,
    )
    _require(rows, version_uid)


def record_smoke_test(tx: Tx, version_uid: str, result: SmokeResult) -> None:
    rows = tx.run(
        "deploy/record_smoke_test",
        version_uid=version_uid,
        ok=result.ok,
        error=result.error,
        batch=result.batch,
        output_shapes=json.dumps(result.output_shapes, sort_keys=True),
        onnxruntime_version=result.onnxruntime_version,
    )
    _require(rows, version_uid)


def record_benchmarks(tx: Tx, version_uid: str, hardware: Hardware, results: list[LatencyResult]) -> int:
    tx.run(
        "deploy/merge_hardware",
        id=hardware.id,
        kind=hardware.kind,
        cpu_model=hardware.cpu_model,
        cores=hardware.cores,
        logical_cpus=hardware.logical_cpus,
        arch=hardware.arch,
    )
    if not results:
        return 0
    rows = tx.run(
        "deploy/record_benchmarks",
        version_uid=version_uid,
        hardware_id=hardware.id,
        results=[{**asdict(r), "usable_cpus": hardware.usable_cpus} for r in results],
    )
    recorded = int(rows[0]["recorded"]) if rows else 0
    if recorded != len(results):
        raise NotFound(f"model version {version_uid} is not in the catalog", path="version")
    return recorded


def record_quantization(
    tx: Tx, quantized_uid: str, original_uid: str, agreement: Agreement, *, method: str, weight_type: str
) -> None:
    rows = tx.run(
        "deploy/record_quantization",
        quantized_uid=quantized_uid,
        original_uid=original_uid,
        method=method,
        weight_type=weight_type,
        events=agreement.events,
        seed=agreement.seed,
        max_abs_diff=agreement.max_abs_diff,
        argmax_agreement=agreement.argmax_agreement,
        outputs=json.dumps([asdict(o) for o in agreement.outputs]),
    )
    if not rows:
        raise NotFound(f"model version {quantized_uid} or {original_uid} is not in the catalog", path="version")


def version_deployment(db: Database, version_uid: str) -> dict[str, Any]:
    rows = db.read("deploy/version_deployment", version_uid=version_uid)
    _require(rows, version_uid)
    return rows[0]


def versions_within_latency(
    db: Database,
    *,
    max_p99_ms: float,
    task: str | None = None,
    batch: int = 1,
    hardware_kind: str | None = "cpu",
    limit: int = 100,
) -> list[dict[str, Any]]:
    return db.read(
        "deploy/versions_within_latency",
        task=task,
        batch=batch,
        max_p99_ms=float(max_p99_ms),
        hardware_kind=hardware_kind,
        limit=limit,
    )


def _require(rows: list[dict[str, Any]], version_uid: str) -> None:
    if not rows:
        raise NotFound(f"model version {version_uid} is not in the catalog", path="version")
