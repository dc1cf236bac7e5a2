"""onnxruntime sessions and generated inputs that match a signature.

Shared by the smoke test, the latency benchmark, the quantisation agreement check and the data
compatibility check, so that all of them build sessions and inputs the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnxruntime.capi import onnxruntime_pybind11_state as _ort_state

from graphcat.deploy.onnx_inspect import OnnxSignature, TensorSpec

# Every exception class onnxruntime's C++ layer raises (Fail, InvalidArgument, InvalidGraph,
# NotImplemented, RuntimeException...). They all derive from Exception directly, so they are
# collected here to catch exactly them and nothing else.
ORT_ERRORS: tuple[type[BaseException], ...] = tuple(
    obj
    for obj in vars(_ort_state).values()
    if isinstance(obj, type) and issubclass(obj, Exception)
)

PROVIDER = "CPUExecutionProvider"

# Size given to symbolic per-event axes (e.g. the number of jet constituents) in generated inputs.
DEFAULT_DYNAMIC_SIZE = 4

_NUMPY_DTYPES: dict[str, type] = {
    "bool": np.bool_,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "string": np.object_,
}


def numpy_dtype(dtype: str) -> type:
    return _NUMPY_DTYPES[dtype]


def session(path: str | Path, threads: int = 1) -> ort.InferenceSession:
    """A CPU session with a fixed intra-op thread count (recorded by callers) and one inter-op thread."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: warnings about unused initialisers are noise here
    return ort.InferenceSession(str(path), sess_options=options, providers=[PROVIDER])


def batch_size_for(signature: OnnxSignature, wanted: int) -> int:
    """`wanted`, unless some input fixes the batch axis, in which case that fixed size."""
    for spec in signature.inputs:
        if spec.fixed_batch is not None:
            return spec.fixed_batch
    return wanted


def generate_inputs(
    signature: OnnxSignature, batch: int, *, dynamic_size: int = DEFAULT_DYNAMIC_SIZE, seed: int = 0
) -> dict[str, np.ndarray]:
    """Random inputs with the signature's dtypes and shapes, `batch` events each.

    Floats are standard normal, integers small non-negative values (safe as indices or
    categories), booleans fair coins, strings a fixed token.
    """
    rng = np.random.default_rng(seed)
    return {spec.name: _generate(spec, batch, dynamic_size, rng) for spec in signature.inputs}


def concrete_shape(spec: TensorSpec, batch: int, dynamic_size: int) -> tuple[int, ...]:
    if not spec.onnx_shape:
        return ()
    first = spec.fixed_batch if spec.fixed_batch is not None else batch
    return (first, *(d if d is not None else dynamic_size for d in spec.shape))


def _generate(spec: TensorSpec, batch: int, dynamic_size: int, rng: np.random.Generator) -> np.ndarray:
    shape = concrete_shape(spec, batch, dynamic_size)
    kind = spec.dtype
    if kind.startswith("float"):
        return rng.standard_normal(shape).astype(numpy_dtype(kind))
    if kind.startswith(("int", "uint")):
        return rng.integers(0, 4, size=shape).astype(numpy_dtype(kind))
    if kind == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    return np.full(shape, "x", dtype=np.object_)
