"""Read an ONNX file's signature into the catalog's feature convention.

The file is first validated with onnx's checker; then the opset and every graph input and output
(name, element type, shape) are read. The catalog describes features *per event*: the first axis
of an ONNX tensor is the batch axis and is removed, and symbolic or unknown dimensions (a
variable number of jet constituents, say) become None, exactly like `[null, 4]` in a catalog file; the
catalog feature keeps the symbolic names as written (`["n_constituents", 4]`, matched as `[null, 4]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import onnx
from google.protobuf.message import DecodeError
from onnx import TensorProto

from graphcat.errors import InvalidInput

# ONNX element types the catalog can describe (docs/catalog-format.md, `dtype`). Others
# (bfloat16, complex, float8...) are refused with a clear error rather than mislabelled.
ELEMENT_TYPES: dict[int, str] = {
    TensorProto.BOOL: "bool",
    TensorProto.INT8: "int8",
    TensorProto.INT16: "int16",
    TensorProto.INT32: "int32",
    TensorProto.INT64: "int64",
    TensorProto.UINT8: "uint8",
    TensorProto.UINT16: "uint16",
    TensorProto.UINT32: "uint32",
    TensorProto.UINT64: "uint64",
    TensorProto.FLOAT16: "float16",
    TensorProto.FLOAT: "float32",
    TensorProto.DOUBLE: "float64",
    TensorProto.STRING: "string",
}


@dataclass(frozen=True)
class TensorSpec:
    """One input or output, per event (batch axis removed)."""

    name: str
    dtype: str
    shape: list[int | None]
    # The raw ONNX dimensions including the batch axis: an int, a symbolic name, or None.
    onnx_shape: list[int | str | None]
    # True when the batch axis is symbolic/unknown (any batch size runs); False when fixed
    # (e.g. exported with batch 1) or when the tensor has no axes at all.
    dynamic_batch: bool

    @property
    def fixed_batch(self) -> int | None:
        """The batch size the model insists on, or None when any batch size is accepted."""
        if self.dynamic_batch or not self.onnx_shape:
            return None
        first = self.onnx_shape[0]
        return first if isinstance(first, int) else None

    def as_feature(self) -> dict[str, Any]:
        """The catalog feature dict (docs/catalog-format.md `inputs`/`outputs` entries)."""
        return {"name": self.name, "dtype": self.dtype, "shape": self.shape_given()}

    def shape_given(self) -> list[int | str | None]:
        """The per-event shape keeping ONNX's names for dynamic axes (`n_constituents`); null when unnamed.

        The first axis is the batch axis and is dropped, as in `shape` (whatever its name).
        """
        return list(self.onnx_shape[1:])


@dataclass(frozen=True)
class OnnxSignature:
    opset: int  # version of the default ("ai.onnx") operator set
    opsets: dict[str, int]
    ir_version: int
    producer: str
    inputs: list[TensorSpec] = field(default_factory=list)
    outputs: list[TensorSpec] = field(default_factory=list)

    def input_features(self) -> list[dict[str, Any]]:
        return [t.as_feature() for t in self.inputs]

    def output_features(self) -> list[dict[str, Any]]:
        return [t.as_feature() for t in self.outputs]


def check(path: str | Path) -> None:
    """Run onnx's checker (with shape inference); raise InvalidInput naming the file if it fails."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("no such ONNX file", path=str(path))
    try:
        # A path (not a loaded proto) lets the checker handle files above protobuf's 2 GB limit.
        onnx.checker.check_model(str(path), full_check=True)
    except onnx.checker.ValidationError as exc:
        raise InvalidInput(f"not a valid ONNX model: {_first_line(exc)}", path=str(path)) from exc
    except onnx.shape_inference.InferenceError as exc:
        raise InvalidInput(f"ONNX shape inference failed: {_first_line(exc)}", path=str(path)) from exc


def inspect(path: str | Path) -> OnnxSignature:
    """Check the file and read its signature."""
    path = Path(path)
    check(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except DecodeError as exc:
        raise InvalidInput(f"not a valid ONNX protobuf: {exc}", path=str(path)) from exc
    return signature_of(model, where=str(path))


def signature_of(model: onnx.ModelProto, *, where: str = "<model>") -> OnnxSignature:
    opsets = {(o.domain or "ai.onnx"): int(o.version) for o in model.opset_import}
    if "ai.onnx" not in opsets:
        raise InvalidInput("the model imports no default (ai.onnx) opset", path=where)
    # Before IR 4, initializers were also listed as graph inputs; they are weights, not inputs.
    weights = {init.name for init in model.graph.initializer}
    inputs = [
        _tensor_spec(v, f"{where}: input {v.name!r}") for v in model.graph.input if v.name not in weights
    ]
    outputs = [_tensor_spec(v, f"{where}: output {v.name!r}") for v in model.graph.output]
    if not inputs:
        raise InvalidInput("the model has no inputs", path=where)
    return OnnxSignature(
        opset=opsets["ai.onnx"],
        opsets=opsets,
        ir_version=int(model.ir_version),
        producer=" ".join(p for p in (model.producer_name, model.producer_version) if p),
        inputs=inputs,
        outputs=outputs,
    )


def _tensor_spec(value: onnx.ValueInfoProto, where: str) -> TensorSpec:
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        raise InvalidInput(f"is a {kind or 'untyped value'}, only tensors are supported", path=where)
    tensor = value.type.tensor_type
    dtype = ELEMENT_TYPES.get(tensor.elem_type)
    if dtype is None:
        name = TensorProto.DataType.Name(tensor.elem_type) if tensor.elem_type else "UNDEFINED"
        raise InvalidInput(
            f"element type {name} has no catalog dtype (supported: {sorted(set(ELEMENT_TYPES.values()))})",
            path=where,
        )
    if not tensor.HasField("shape"):
        raise InvalidInput("has no shape (unknown rank); the catalog needs at least the rank", path=where)
    dims: list[int | str | None] = []
    for dim in tensor.shape.dim:
        which = dim.WhichOneof("value")
        if which == "dim_value" and dim.dim_value > 0:
            dims.append(int(dim.dim_value))
        elif which == "dim_param" and dim.dim_param:
            dims.append(dim.dim_param)
        else:
            dims.append(None)
    per_event: list[int | None] = [d if isinstance(d, int) else None for d in dims[1:]]
    dynamic_batch = bool(dims) and not isinstance(dims[0], int)
    return TensorSpec(name=value.name, dtype=dtype, shape=per_event, onnx_shape=dims, dynamic_batch=dynamic_batch)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
