"""Latency benchmark on the host CPU: p50 / p99 per batch size with onnxruntime.

Each batch size gets its own warm-up, then `runs` timed calls of `session.run` on the same
generated inputs. The intra-op thread count is fixed and recorded, as is the hardware (CPU model
and cores from /proc/cpuinfo), because a latency without them means nothing.
"""

from __future__ import annotations

import os
import platform
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graphcat.deploy import runtime
from graphcat.deploy.onnx_inspect import OnnxSignature
from graphcat.errors import InvalidInput

DEFAULT_BATCHES = (1, 64)


@dataclass(frozen=True)
class Hardware:
    id: str  # stable slug, e.g. "cpu-amd-epyc-2c-x86_64"
    kind: str  # "cpu"
    cpu_model: str
    cores: int  # physical cores
    logical_cpus: int
    usable_cpus: int  # CPUs this process may run on (containers and affinity restrict it)
    arch: str


@dataclass(frozen=True)
class LatencyResult:
    batch: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    runs: int
    warmup: int
    threads: int
    provider: str
    onnxruntime_version: str
    dynamic_size: int


@dataclass(frozen=True)
class LatencyReport:
    hardware: Hardware
    results: list[LatencyResult]
    # Batch size -> why it was not measured (a model exported with a fixed batch axis).
    skipped: dict[int, str] = field(default_factory=dict)


def host_hardware(cpuinfo: str | Path = "/proc/cpuinfo") -> Hardware:
    text = Path(cpuinfo).read_text() if Path(cpuinfo).is_file() else ""
    return hardware_from_cpuinfo(text)


def hardware_from_cpuinfo(text: str) -> Hardware:
    models: list[str] = []
    cores: set[tuple[str, str]] = set()
    logical = 0
    for block in re.split(r"\n\s*\n", text.strip()):
        fields = dict(
            (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in block.splitlines()) if k.strip()
        )
        if "processor" not in fields:
            continue
        logical += 1
        if "model name" in fields:
            models.append(fields["model name"])
        cores.add((fields.get("physical id", "0"), fields.get("core id", fields["processor"])))
    logical = logical or (os.cpu_count() or 1)
    model = models[0] if models else (platform.processor() or "unknown CPU")
    arch = platform.machine() or "unknown"
    n_cores = len(cores) or logical
    slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-") or "unknown"
    return Hardware(
        id=f"cpu-{slug}-{n_cores}c-{arch.lower()}",
        kind="cpu",
        cpu_model=model,
        cores=n_cores,
        logical_cpus=logical,
        usable_cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical,
        arch=arch,
    )


def measure(
    path: str | Path,
    signature: OnnxSignature,
    *,
    batches: tuple[int, ...] = DEFAULT_BATCHES,
    runs: int = 200,
    warmup: int = 20,
    threads: int = 1,
    dynamic_size: int = runtime.DEFAULT_DYNAMIC_SIZE,
    seed: int = 0,
) -> LatencyReport:
    """Benchmark every batch size the model accepts. onnxruntime errors propagate (the caller
    records them): a benchmark of a model that cannot run has no numbers to give."""
    import onnxruntime as ort

    if runs < 1 or warmup < 0 or threads < 1:
        raise InvalidInput(f"runs={runs}, warmup={warmup}, threads={threads}: need runs>=1, warmup>=0, threads>=1")
    sess = runtime.session(path, threads=threads)
    names = [o.name for o in sess.get_outputs()]
    results: list[LatencyResult] = []
    skipped: dict[int, str] = {}
    for batch in batches:
        usable = runtime.batch_size_for(signature, batch)
        if usable != batch:
            skipped[batch] = f"the model's batch axis is fixed at {usable}"
            continue
        feeds = runtime.generate_inputs(signature, batch, dynamic_size=dynamic_size, seed=seed)
        for _ in range(warmup):
            sess.run(names, feeds)
        timings = np.empty(runs, dtype=np.float64)
        for i in range(runs):
            start = time.perf_counter_ns()
            sess.run(names, feeds)
            timings[i] = (time.perf_counter_ns() - start) / 1e6
        results.append(
            LatencyResult(
                batch=batch,
                p50_ms=float(np.percentile(timings, 50)),
                p99_ms=float(np.percentile(timings, 99)),
                mean_ms=float(timings.mean()),
                min_ms=float(timings.min()),
                runs=runs,
                warmup=warmup,
                threads=threads,
                provider=runtime.PROVIDER,
                onnxruntime_version=ort.__version__,
                dynamic_size=dynamic_size,
            )
        )
    return LatencyReport(hardware=host_hardware(), results=results, skipped=skipped)
