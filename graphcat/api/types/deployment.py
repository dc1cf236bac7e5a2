"""Deployment facts of a model version as GraphQL types (graphcat.service.deploy records them):
smoke tests, latency benchmarks with their hardware, int8 quantisation links with output
agreement, and `fastModels`, the "which models answer within my latency budget" question."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from graphcat import domain
from graphcat.api.context import RequestContext
from graphcat.api.types.scalars import Long
from graphcat.errors import InvalidInput
from graphcat.service import deploy

if TYPE_CHECKING:
    from graphcat.api.types.models import ModelVersion

Info = strawberry.Info[RequestContext, None]
LazyModelVersion = Annotated["ModelVersion", strawberry.lazy("graphcat.api.types.models")]


async def _model_version(info: Info, uid: str) -> "ModelVersion | None":
    from graphcat.api.types.models import ModelVersion

    found = await info.context.loaders.node.load(uid)
    return ModelVersion.from_domain(found) if isinstance(found, domain.ModelVersion) else None


@strawberry.type(description="A machine a benchmark ran on.")
class Hardware:
    id: str
    kind: str | None
    cpu_model: str | None
    cores: int | None
    logical_cpus: int | None
    arch: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Hardware":
        return cls(id=row["id"], kind=row.get("kind"), cpu_model=row.get("cpu_model"), cores=row.get("cores"),
                   logical_cpus=row.get("logical_cpus"), arch=row.get("arch"))


@strawberry.type(description="One inference on generated inputs: did the artifact load and run, and what came out.")
class SmokeTest:
    ok: bool
    error: str | None
    batch: int | None
    output_shapes: JSON | None = strawberry.field(description="Output name -> shape of the smoke inference.")
    onnxruntime_version: str | None
    ran_at: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "SmokeTest":
        shapes = row.get("output_shapes")
        return cls(ok=bool(row.get("ok")), error=row.get("error"), batch=row.get("batch"),
                   output_shapes=json.loads(shapes) if shapes else None,
                   onnxruntime_version=row.get("onnxruntime_version"), ran_at=row.get("ran_at"))


@strawberry.type(description="Latency of one batch size on one machine (milliseconds per call).")
class Benchmark:
    batch: int
    p50_ms: float
    p99_ms: float
    mean_ms: float | None
    min_ms: float | None
    runs: int | None
    warmup: int | None
    threads: int | None
    usable_cpus: int | None
    provider: str | None
    runtime: str | None
    runtime_version: str | None
    measured_at: str | None
    hardware: Hardware | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Benchmark":
        hw = row.get("hardware")
        return cls(batch=row["batch"], p50_ms=row["p50_ms"], p99_ms=row["p99_ms"], mean_ms=row.get("mean_ms"),
                   min_ms=row.get("min_ms"), runs=row.get("runs"), warmup=row.get("warmup"),
                   threads=row.get("threads"), usable_cpus=row.get("usable_cpus"), provider=row.get("provider"),
                   runtime=row.get("runtime"), runtime_version=row.get("runtime_version"),
                   measured_at=row.get("measured_at"), hardware=Hardware.from_row(hw) if hw else None)


@strawberry.type(description="This version is a quantisation of `original`; how closely their outputs agree.")
class Quantization:
    method: str | None
    weight_type: str | None
    events: int | None
    seed: int | None
    max_abs_diff: float | None
    argmax_agreement: float | None = strawberry.field(
        description="Fraction of events whose arg-max class agrees (null when no output is a class-score vector).")
    output_agreement: JSON | None = strawberry.field(description="Per output: name, max_abs_diff, argmax_agreement.")
    original_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Quantization":
        outputs = row.get("output_agreement")
        return cls(method=row.get("method"), weight_type=row.get("weight_type"), events=row.get("events"),
                   seed=row.get("seed"), max_abs_diff=row.get("max_abs_diff"),
                   argmax_agreement=row.get("argmax_agreement"),
                   output_agreement=json.loads(outputs) if outputs else None, original_id=row["original_uid"])

    @strawberry.field(description="The version this one was quantised from.")
    async def original(self, info: Info) -> LazyModelVersion | None:
        return await _model_version(info, self.original_id)


@strawberry.type(description="What is known about running a model version: ONNX facts, smoke tests, latency, quantisation.")
class Deployment:
    artifact_size_bytes: Long | None
    onnx_opset: int | None
    onnx_opsets: list[str]
    onnx_ir_version: int | None
    onnx_producer: str | None
    smoke_tests: list[SmokeTest] = strawberry.field(description="Newest first.")
    benchmarks: list[Benchmark] = strawberry.field(description="Newest first, then by batch size.")
    quantized_from: Quantization | None
    quantized_version_ids: strawberry.Private[list[str]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Deployment":
        quantized = [q for q in row.get("quantized_from") or [] if q]
        return cls(artifact_size_bytes=row.get("artifact_size_bytes"), onnx_opset=row.get("onnx_opset"),
                   onnx_opsets=list(row.get("onnx_opsets") or []), onnx_ir_version=row.get("onnx_ir_version"),
                   onnx_producer=row.get("onnx_producer"),
                   smoke_tests=[SmokeTest.from_row(s) for s in row.get("smoke_tests") or [] if s],
                   benchmarks=[Benchmark.from_row(b) for b in row.get("benchmarks") or [] if b],
                   quantized_from=Quantization.from_row(quantized[0]) if quantized else None,
                   quantized_version_ids=sorted(row.get("quantized_versions") or []))

    @strawberry.field(description="Versions quantised from this one (QUANTIZED_FROM pointing here).")
    async def quantized_versions(self, info: Info) -> list[LazyModelVersion]:
        found = [await _model_version(info, uid) for uid in self.quantized_version_ids]
        return [mv for mv in found if mv is not None]


@strawberry.type(description="A model version whose newest CPU benchmark at `batch` is within the latency budget.")
class FastModel:
    p50_ms: float
    p99_ms: float
    batch: int
    threads: int | None
    hardware: Hardware
    version_id: strawberry.Private[str]

    @strawberry.field
    async def model_version(self, info: Info) -> LazyModelVersion | None:
        return await _model_version(info, self.version_id)


async def fast_models(
    info: Info,
    max_p99_ms: float,
    task: str | None = None,
    batch: int = 1,
    first: int = 20,
) -> list[FastModel]:
    """Model versions for `task` (a task id or global id; its subtasks count) whose newest CPU benchmark
    at `batch` has p99 <= `max_p99_ms`, fastest first."""
    limit = info.context.settings.graphql_max_page_size
    if not 1 <= first <= limit:
        raise InvalidInput(f"first must be between 1 and {limit} (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE), got {first}",
                           path="first")
    # Checked here too so that the error names the GraphQL argument, not the service's parameter.
    if max_p99_ms <= 0:
        raise InvalidInput(f"must be positive, got {max_p99_ms}", path="maxP99Ms")
    if batch < 1:
        raise InvalidInput(f"must be at least 1, got {batch}", path="batch")
    task_id = domain.split_uid(task)[1] if task and task.startswith("task:") else task
    rows = await run_in_threadpool(
        lambda: deploy.versions_within_latency(info.context.db, max_p99_ms=max_p99_ms, task=task_id, batch=batch,
                                               limit=first))
    return [FastModel(p50_ms=r["p50_ms"], p99_ms=r["p99_ms"], batch=r["batch"], threads=r.get("threads"),
                      hardware=Hardware(id=r["hardware_id"], kind="cpu", cpu_model=r.get("cpu_model"),
                                        cores=r.get("cores"), logical_cpus=None, arch=None),
                      version_id=r["version_uid"]) for r in rows]
