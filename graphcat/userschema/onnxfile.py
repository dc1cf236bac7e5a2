"""ONNX: what a model accepts — graph inputs minus initializers, batch axis removed.

The first axis is taken as the batch axis and removed when it is symbolic/unknown or 1; any other
symbolic axis becomes None (variable). A model with a fixed first axis larger than 1 keeps it.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from graphcat.errors import InvalidInput
from graphcat.userschema.limits import Features
from graphcat.userschema.model import SchemaFeature

_ELEM = {
    onnx.TensorProto.BOOL: "bool",
    onnx.TensorProto.INT8: "int8", onnx.TensorProto.INT16: "int16",
    onnx.TensorProto.INT32: "int32", onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.UINT8: "uint8", onnx.TensorProto.UINT16: "uint16",
    onnx.TensorProto.UINT32: "uint32", onnx.TensorProto.UINT64: "uint64",
    onnx.TensorProto.FLOAT16: "float16", onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.DOUBLE: "float64",
    onnx.TensorProto.STRING: "string",
}


def read_onnx(path: Path, out: Features) -> None:
    try:
        # External weights are not needed for the inputs and may point anywhere: never load them.
        model = onnx.load_model(str(path), load_external_data=False)
    except (DecodeError, OSError, ValueError, RuntimeError) as exc:
        raise InvalidInput(f"ONNX: file is truncated or not an ONNX model ({exc})", path=out.source) from exc
    if model.ir_version == 0 or not model.HasField("graph"):
        raise InvalidInput("ONNX: file is truncated or not an ONNX model (no IR version or graph)", path=out.source)
    initializers = {t.name for t in model.graph.initializer} | {t.name for t in model.graph.sparse_initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    out.check_count(len(inputs))
    for index, value in enumerate(inputs):
        where = f"graph.input[{index}]"
        # A damaged file can leave a name empty or undecodable: fall back to the position.
        name = value.name if isinstance(value.name, str) and value.name.strip() else f"input_{index}"
        if value.type.WhichOneof("value") != "tensor_type":
            out.skip(name, f"{value.type.WhichOneof('value')} inputs cannot be described")
            continue
        tensor = value.type.tensor_type
        dtype = _ELEM.get(tensor.elem_type)
        if dtype is None:
            known = tensor.elem_type in onnx.TensorProto.DataType.values()
            label = onnx.TensorProto.DataType.Name(tensor.elem_type) if known else str(tensor.elem_type)
            out.skip(name, f"element type {label} has no dtype family")
            continue
        if not tensor.HasField("shape"):
            out.skip(name, "input has no shape")
            continue
        dims: list[int | None] = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
                                  for d in tensor.shape.dim]
        if dims and (dims[0] is None or dims[0] == 1):
            dims = dims[1:]
        out.add(SchemaFeature(name, dtype, tuple(dims), None, value.doc_string or None, where))
