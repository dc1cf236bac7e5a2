"""The demo's folder of ONNX files, imported by `graphcat demo load` with `graphcat import-onnx`.

Two versions of a small MLP on the 16 high-level features of the hls4ml LHC jet dataset (the demo
catalog's hls4ml-lhc-jets-hlf), each `.onnx` with its sidecar `.yaml`, built with onnx.helper
under `.graphcat/demo-onnx/` (fixed seeds: the same bytes every time, so a reload is a no-op).
`ls .graphcat/demo-onnx/hlf-mlp` shows a folder exactly as a user would lay one out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(".graphcat") / "demo-onnx"
OPSET = 17
VERSIONS = (  # (file stem, version, hidden units, seed, description, parent)
    ("v1", "1.0", 32, 11, "MLP 16-32-5 on the HLF features, float32", None),
    ("v2", "1.1", 64, 12, "wider hidden layer (64), fine-tuned from 1.0", "hlf-mlp@1.0"),
)


def build_folder(folder: Path, features: tuple[str, ...], classes: tuple[str, ...]) -> Path:
    """Write (or rewrite, identically) the demo folder; returns it."""
    root = folder.resolve() / "hlf-mlp"
    root.mkdir(parents=True, exist_ok=True)
    for stem, version, hidden, seed, description, parent in VERSIONS:
        _mlp(root / f"{stem}.onnx", len(features), hidden, len(classes), seed)
        sidecar: dict[str, Any] = {
            "model": "hlf-mlp", "version": version, "name": "HLF jet-tagging MLP", "task": "jet-tagging",
            "description": description, "license": "apache-2.0", "trained_on": ["hls4ml-lhc-jets-hlf@1.0"],
            "inputs": {"hlf": {"description": "the 16 high-level jet substructure features",
                               "columns": list(features)}},
            "outputs": {"probs": {"description": "softmax over the 5 jet classes", "columns": list(classes)}},
        }
        if parent:
            sidecar["parent"] = parent
        (root / f"{stem}.yaml").write_text(yaml.safe_dump(sidecar, sort_keys=False), encoding="utf-8")
    return folder.resolve()


def _mlp(path: Path, n_in: int, hidden: int, n_out: int, seed: int) -> None:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    weights = [numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * scale, name)
               for name, shape, scale in (("w1", (n_in, hidden), 0.3), ("b1", (hidden,), 0.1),
                                          ("w2", (hidden, n_out), 0.3), ("b2", (n_out,), 0.0))]
    nodes = [helper.make_node("Gemm", ["hlf", "w1", "b1"], ["h0"]), helper.make_node("Relu", ["h0"], ["h1"]),
             helper.make_node("Gemm", ["h1", "w2", "b2"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probs"], axis=-1)]
    graph = helper.make_graph(nodes, "hlf_mlp", [helper.make_tensor_value_info("hlf", TensorProto.FLOAT, ["N", n_in])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", n_out])],
                              initializer=weights)
    model = helper.make_model(graph, producer_name="graphcat-demo", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.save(model, str(path))
