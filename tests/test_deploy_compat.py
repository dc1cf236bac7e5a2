"""The compatibility check: real data files (CSV, NPZ, Parquet) fed to real ONNX models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import onnx_factory
from graphcat.deploy import compat, onnx_inspect


def _csv(path: Path, columns: dict[str, np.ndarray]) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def test_scalar_columns_stacked_by_name_pattern(tmp_path: Path) -> None:
    model = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    rng = np.random.default_rng(3)
    data = _csv(tmp_path / "jets.csv", {f"features_{i}": rng.standard_normal(40) for i in range(8)})
    report = compat.check(model, onnx_inspect.inspect(model), data, events=10)
    assert report.ok, report.problems
    assert report.events == 10
    assert report.mapping == {"features": [f"features_{i}" for i in range(8)]}
    assert report.input_shapes == {"features": [10, 8]} and report.output_shapes == {"scores": [10, 3]}


def test_explicit_mapping(tmp_path: Path) -> None:
    model = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    names = ["pt", "eta", "phi", "mass", "e", "n", "btag", "charge"]
    data = _csv(tmp_path / "jets.csv", {n: np.arange(5, dtype=float) for n in names})
    report = compat.check(model, onnx_inspect.inspect(model), data, mapping={"features": names}, events=3)
    assert report.ok and report.output_shapes == {"scores": [3, 3]}


def test_signature_that_does_not_fit_names_the_input(tmp_path: Path) -> None:
    model = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    # Only 6 of the 8 per-event values the model needs.
    data = _csv(tmp_path / "short.csv", {f"x{i}": np.zeros(4) for i in range(6)})
    sig = onnx_inspect.inspect(model)
    report = compat.check(model, sig, data, mapping={"features": [f"x{i}" for i in range(6)]})
    assert not report.ok and report.output_shapes == {}
    [problem] = report.problems
    assert problem.input == "features" and "[6]" in problem.message and "[8]" in problem.message

    unmapped = compat.check(model, sig, data)
    assert not unmapped.ok and unmapped.problems[0].input == "features"
    assert "no column" in unmapped.problems[0].message

    missing = compat.check(model, sig, data, mapping={"features": ["x0", "nope"]})
    assert "['nope']" in missing.problems[0].message


def test_text_column_cannot_feed_a_float_input(tmp_path: Path) -> None:
    model = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    cols = {f"features_{i}": np.ones(3) for i in range(8)}
    cols["features_3"] = np.array(["a", "b", "c"])
    data = _csv(tmp_path / "text.csv", cols)
    report = compat.check(model, onnx_inspect.inspect(model), data)
    assert not report.ok and "hold text" in report.problems[0].message


def test_per_object_arrays_from_npz_and_canonical_names(tmp_path: Path) -> None:
    model = onnx_factory.per_object_model(tmp_path / "po.onnx")
    path = tmp_path / "jets.npz"
    # "Constituents" canonicalises like "constituents"; n_valid matches by name.
    np.savez(path, Constituents=np.ones((20, 30, 4), dtype=np.float32), n_valid=np.full(20, 30))
    report = compat.check(model, onnx_inspect.inspect(model), path, events=5)
    assert report.ok, report.problems
    assert report.mapping == {"constituents": ["Constituents"], "n_valid": ["n_valid"]}
    assert report.input_shapes == {"constituents": [5, 30, 4], "n_valid": [5]}
    assert report.output_shapes == {"jet_score": [5, 1]}

    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, constituents=np.ones((20, 30, 3), dtype=np.float32), n_valid=np.full(20, 30))
    report = compat.check(model, onnx_inspect.inspect(model), wrong)
    assert not report.ok
    assert report.problems[0].input == "constituents" and "[30, 3]" in report.problems[0].message


def test_jagged_parquet_column_is_padded(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    model = onnx_factory.per_object_model(tmp_path / "po.onnx")
    path = tmp_path / "jets.parquet"
    rows = [[[1.0, 2.0, 3.0, 4.0]] * k for k in (1, 3, 2)]
    pq.write_table(pa.table({"constituents": rows, "n_valid": [1, 3, 2]}), path)
    report = compat.check(model, onnx_inspect.inspect(model), path)
    assert report.ok, report.problems
    assert report.input_shapes["constituents"] == [3, 3, 4]
