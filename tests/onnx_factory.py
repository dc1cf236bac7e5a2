"""Tiny real ONNX models built with onnx.helper, for the deployment tests.

- `mlp_classifier`: features[N, 8] -> Gemm/Relu -> MatMul -> Softmax -> scores[N, 3] (dynamic batch).
- `per_object_model`: constituents[N, n_obj, 4] (symbolic per-object axis) -> sum over objects
  -> MatMul -> jet_score[N, 1].
- `fixed_batch_model`: the MLP exported with batch fixed at 1.
- `failing_model`: passes the checker but fails at run time (Reshape to a size the input cannot have).
- `broken_file`: bytes that are not an ONNX model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _save(model: onnx.ModelProto, path: Path) -> Path:
    model.ir_version = 8  # readable by every onnxruntime >= 1.14
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    return path


def _mlp_graph(batch: int | str, n_in: int = 8, hidden: int = 32, n_out: int = 3, seed: int = 1) -> onnx.GraphProto:
    rng = np.random.default_rng(seed)
    w1 = numpy_helper.from_array(rng.standard_normal((n_in, hidden)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(hidden).astype(np.float32) * 0.1, "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((hidden, n_out)).astype(np.float32) * 0.5, "w2")
    b2 = numpy_helper.from_array(np.zeros(n_out, dtype=np.float32), "b2")
    nodes = [
        helper.make_node("MatMul", ["features", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["logits0"]),
        helper.make_node("Add", ["logits0", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=-1),
    ]
    return helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [batch, n_in])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [batch, n_out])],
        initializer=[w1, b1, w2, b2],
    )


def mlp_classifier(path: Path, hidden: int = 32) -> Path:
    graph = _mlp_graph("N", hidden=hidden)
    return _save(helper.make_model(graph, producer_name="graphcat-tests", opset_imports=[helper.make_opsetid("", OPSET)]), path)


def fixed_batch_model(path: Path) -> Path:
    graph = _mlp_graph(1)
    return _save(helper.make_model(graph, producer_name="graphcat-tests", opset_imports=[helper.make_opsetid("", OPSET)]), path)


def per_object_model(path: Path) -> Path:
    rng = np.random.default_rng(2)
    w = numpy_helper.from_array(rng.standard_normal((4, 1)).astype(np.float32), "w")
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("ReduceSum", ["constituents", "axes"], ["summed"], keepdims=0),
        helper.make_node("MatMul", ["summed", "w"], ["raw"]),
        helper.make_node("Sigmoid", ["raw"], ["jet_score"]),
    ]
    graph = helper.make_graph(
        nodes,
        "per_object",
        [
            helper.make_tensor_value_info("constituents", TensorProto.FLOAT, ["batch", "n_constituents", 4]),
            helper.make_tensor_value_info("n_valid", TensorProto.INT64, ["batch"]),
        ],
        [helper.make_tensor_value_info("jet_score", TensorProto.FLOAT, ["batch", 1])],
        initializer=[w, axes],
    )
    return _save(helper.make_model(graph, producer_name="graphcat-tests", opset_imports=[helper.make_opsetid("", OPSET)]), path)


def failing_model(path: Path) -> Path:
    """Valid for the checker, but Reshape to [-1, 5] fails on any input of 8 features per event
    unless the batch happens to be a multiple of 5 (generated batches are 2 and 64)."""
    shape = numpy_helper.from_array(np.array([-1, 5], dtype=np.int64), "target_shape")
    nodes = [helper.make_node("Reshape", ["features", "target_shape"], ["reshaped"])]
    graph = helper.make_graph(
        nodes,
        "failing",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("reshaped", TensorProto.FLOAT, ["M", 5])],
        initializer=[shape],
    )
    return _save(helper.make_model(graph, producer_name="graphcat-tests", opset_imports=[helper.make_opsetid("", OPSET)]), path)


def broken_file(path: Path) -> Path:
    path.write_bytes(b"this is not an ONNX model\x00\x01\x02")
    return path
