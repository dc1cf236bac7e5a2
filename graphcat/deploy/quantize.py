"""Dynamic int8 quantisation and how closely the quantised model agrees with the original.

`quantize_int8` writes weights as int8 with activations quantised at run time
(onnxruntime.quantization.quantize_dynamic); `agreement` runs both models on the same generated
inputs and reports, per output, the largest absolute difference and, for class-score outputs
(per-event shape [k], k >= 2), the fraction of events whose argmax agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graphcat.deploy import runtime
from graphcat.deploy.onnx_inspect import OnnxSignature
from graphcat.errors import InvalidInput


@dataclass(frozen=True)
class OutputAgreement:
    name: str
    max_abs_diff: float
    argmax_agreement: float | None  # None when the output is not a class-score vector


@dataclass(frozen=True)
class Agreement:
    events: int
    seed: int
    outputs: list[OutputAgreement]

    @property
    def max_abs_diff(self) -> float:
        return max(o.max_abs_diff for o in self.outputs)

    @property
    def argmax_agreement(self) -> float | None:
        """The lowest argmax agreement over class-score outputs (None when there are none)."""
        values = [o.argmax_agreement for o in self.outputs if o.argmax_agreement is not None]
        return min(values) if values else None


def quantize_int8(source: str | Path, target: str | Path) -> Path:
    """Dynamic int8 quantisation of `source` into `target`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        quantize_dynamic(source, target, weight_type=QuantType.QInt8)
    except runtime.ORT_ERRORS as exc:
        raise InvalidInput(f"onnxruntime could not quantise the model: {exc}", path=str(source)) from exc
    return target


def is_class_scores(shape: list[int | None], dtype: str) -> bool:
    return dtype.startswith("float") and len(shape) == 1 and shape[0] is not None and shape[0] >= 2


def agreement(
    original: str | Path,
    quantized: str | Path,
    signature: OnnxSignature,
    *,
    events: int = 256,
    seed: int = 0,
    dynamic_size: int = runtime.DEFAULT_DYNAMIC_SIZE,
) -> Agreement:
    """Compare both models' outputs on the same `events` generated events. onnxruntime errors
    propagate to the caller, which records them."""
    # A model exported with a fixed batch axis (often 1) is fed chunk by chunk, so that the
    # comparison still covers `events` events.
    chunk = runtime.batch_size_for(signature, events)
    names = [o.name for o in signature.outputs]
    first, second = runtime.session(original), runtime.session(quantized)
    before_parts: list[list[np.ndarray]] = []
    after_parts: list[list[np.ndarray]] = []
    for k in range(max(1, events // chunk)):
        feeds = runtime.generate_inputs(signature, chunk, dynamic_size=dynamic_size, seed=seed + k)
        before_parts.append(first.run(names, feeds))
        after_parts.append(second.run(names, feeds))
    events = chunk * len(before_parts)
    before = [np.concatenate([np.atleast_1d(p[i]) for p in before_parts]) for i in range(len(names))]
    after = [np.concatenate([np.atleast_1d(p[i]) for p in after_parts]) for i in range(len(names))]
    results = []
    for spec, a, b in zip(signature.outputs, before, after):
        a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a64.shape != b64.shape:
            raise InvalidInput(
                f"output {spec.name!r} has shape {a64.shape} before and {b64.shape} after quantisation",
                path=str(quantized),
            )
        diff = float(np.max(np.abs(a64 - b64))) if a64.size else 0.0
        argmax = None
        if is_class_scores(spec.shape, spec.dtype) and a64.ndim == 2:
            argmax = float(np.mean(np.argmax(a64, axis=1) == np.argmax(b64, axis=1)))
        results.append(OutputAgreement(spec.name, diff, argmax))
    return Agreement(events=events, seed=seed, outputs=results)
