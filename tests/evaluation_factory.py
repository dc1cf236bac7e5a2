"""Small real ONNX models with known behaviour and data files the evaluation tests write themselves.

- `mass_tagger`: inputs jet_mass[N], jet_pt[N] -> score[N, 1] = sigmoid((jet_mass - 100) / 10)
  (jet_pt enters with weight 0, so it must be fed but does not change the score).
- `sum_pt_tagger`: input part_pt[N, 8] -> score[N, 1] = sum over the 8 slots of part_pt: a model
  whose input the file only gives as jagged px, py lists (derived, padded, truncated).
- `jets(n, seed)`: a table where label = (jet_mass > 100) (separable by the mass tagger).
- writers for CSV, Parquet, HDF5, npz and ROOT (uproot), jagged constituents for ROOT.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _save(model: onnx.ModelProto, path: Path) -> Path:
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    return path


def mass_tagger(path: Path) -> Path:
    consts = [numpy_helper.from_array(np.array(v, dtype=np.float32), n)
              for n, v in (("centre", 100.0), ("width", 10.0), ("zero", 0.0))]
    shape = numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "shape")
    nodes = [
        helper.make_node("Sub", ["jet_mass", "centre"], ["d"]),
        helper.make_node("Div", ["d", "width"], ["z0"]),
        helper.make_node("Mul", ["jet_pt", "zero"], ["p0"]),
        helper.make_node("Add", ["z0", "p0"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["s"]),
        helper.make_node("Reshape", ["s", "shape"], ["score"]),
    ]
    graph = helper.make_graph(
        nodes, "mass_tagger",
        [helper.make_tensor_value_info("jet_mass", TensorProto.FLOAT, ["N"]),
         helper.make_tensor_value_info("jet_pt", TensorProto.FLOAT, ["N"])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        initializer=[*consts, shape])
    return _save(helper.make_model(graph, producer_name="graphcat-tests",
                                   opset_imports=[helper.make_opsetid("", OPSET)]), path)


def sum_pt_tagger(path: Path, slots: int = 8) -> Path:
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    nodes = [helper.make_node("ReduceSum", ["part_pt", "axes"], ["score"], keepdims=1)]
    graph = helper.make_graph(
        nodes, "sum_pt",
        [helper.make_tensor_value_info("part_pt", TensorProto.FLOAT, ["N", slots])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        initializer=[axes])
    return _save(helper.make_model(graph, producer_name="graphcat-tests",
                                   opset_imports=[helper.make_opsetid("", OPSET)]), path)


def jets(n: int = 400, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    mass = rng.uniform(40.0, 160.0, n).astype(np.float32)
    return {"jet_mass": mass, "jet_pt": rng.uniform(300.0, 600.0, n).astype(np.float32),
            "event_weight": np.ones(n, dtype=np.float32), "label": (mass > 100.0).astype(np.int64)}


def constituents(n: int = 300, seed: int = 1) -> tuple[dict[str, list[np.ndarray]], np.ndarray]:
    """Jagged part_px, part_py (2..14 constituents per jet) and a label correlated with the sum of
    the first 8 constituents' pt (so the AUC is neither 0.5 nor 1)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, 15, n)
    px = [rng.normal(0, 20, c).astype(np.float32) for c in counts]
    py = [rng.normal(0, 20, c).astype(np.float32) for c in counts]
    first8 = np.array([np.hypot(x[:8], y[:8]).sum() for x, y in zip(px, py)])
    label = (first8 + rng.normal(0, 40, n) > np.median(first8)).astype(np.int64)
    return {"part_px": px, "part_py": py}, label


def write(table: dict[str, np.ndarray], path: Path) -> Path:
    """The table in the format of the path's extension."""
    suffix = path.suffix
    if suffix == ".csv":
        import pandas as pd

        pd.DataFrame(table).to_csv(path, index=False)
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table(table), path)
    elif suffix in (".h5", ".hdf5"):
        import h5py

        with h5py.File(path, "w") as fh:
            for k, v in table.items():
                fh[k] = v
    elif suffix == ".npz":
        np.savez(path, **table)
    elif suffix == ".root":
        import uproot

        with uproot.recreate(path) as fh:
            fh["events"] = table
    else:
        raise ValueError(suffix)
    return path


def write_jagged_root(columns: dict[str, list[np.ndarray]], label: np.ndarray, path: Path) -> Path:
    import awkward as ak
    import uproot

    with uproot.recreate(path) as fh:
        fh["events"] = {**{k: ak.Array([list(map(float, v)) for v in vs]) for k, vs in columns.items()},
                        "label": label}
    return path


def identity_model(path: Path, input_name: str) -> Path:
    """input_name[N] -> score[N, 1] = the input itself (what the mapping feeds is what is scored)."""
    shape = numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "shape")
    graph = helper.make_graph(
        [helper.make_node("Reshape", [input_name, "shape"], ["score"])], "identity",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N"])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])], initializer=[shape])
    return _save(helper.make_model(graph, producer_name="graphcat-tests",
                                   opset_imports=[helper.make_opsetid("", OPSET)]), path)
