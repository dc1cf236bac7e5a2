"""Smoke inference: run the model once on generated inputs that match its signature.

A model that loads but cannot run (a missing kernel, a shape that contradicts its own signature)
is a fact worth recording in the catalog, so a failure is returned as a result with the error
text, not raised and not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graphcat.deploy import runtime
from graphcat.deploy.onnx_inspect import OnnxSignature


@dataclass(frozen=True)
class SmokeResult:
    ok: bool
    batch: int
    onnxruntime_version: str
    # Output name -> the shape onnxruntime produced (batch axis included).
    output_shapes: dict[str, list[int]] = field(default_factory=dict)
    error: str | None = None


def smoke_test(
    path: str | Path,
    signature: OnnxSignature,
    *,
    batch: int = 2,
    dynamic_size: int = runtime.DEFAULT_DYNAMIC_SIZE,
    seed: int = 0,
) -> SmokeResult:
    import onnxruntime as ort

    batch = runtime.batch_size_for(signature, batch)
    try:
        sess = runtime.session(path)
        feeds = runtime.generate_inputs(signature, batch, dynamic_size=dynamic_size, seed=seed)
        names = [o.name for o in sess.get_outputs()]
        outputs = sess.run(names, feeds)
    except runtime.ORT_ERRORS as exc:
        return SmokeResult(False, batch, ort.__version__, error=f"{type(exc).__name__}: {exc}".strip())
    shapes = {name: [int(d) for d in np.shape(value)] for name, value in zip(names, outputs)}
    problems = [
        f"output {name!r} has non-finite values"
        for name, value in zip(names, outputs)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value))
    ]
    if problems:
        return SmokeResult(False, batch, ort.__version__, shapes, error="; ".join(problems))
    return SmokeResult(True, batch, ort.__version__, shapes)
