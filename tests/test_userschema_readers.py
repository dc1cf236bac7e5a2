"""Every reader of graphcat.userschema on small real files written by the real libraries."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import awkward as ak
import h5py
import numpy as np
import onnx
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
import uproot
from onnx import TensorProto, helper

from graphcat.cli import main as cli_main
from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema import SchemaFeature, UserSchema, read_schema, read_schema_bytes

SETTINGS = Settings()


def shapes(schema: UserSchema) -> dict[str, tuple[int | None, ...]]:
    return {f.name: f.shape for f in schema.features}


def dtypes(schema: UserSchema) -> dict[str, str]:
    return {f.name: f.dtype for f in schema.features}


# --- files -------------------------------------------------------------------------------------

def make_root(path: Path) -> Path:
    with uproot.recreate(path) as fh:
        events = fh.mktree("Events", {
            "Jet_pt": "var * float32", "nPV": np.int32, "cells": ("f4", (3,)), "img": ("f8", (4, 5)),
            "flag": bool, "nMuon": np.int32,
        })
        events.extend({
            "Jet_pt": ak.Array([[50.0, 30.0], [], [20.0]]), "nPV": np.array([10, 20, 30], dtype=np.int32),
            "cells": np.zeros((3, 3), dtype=np.float32), "img": np.zeros((3, 4, 5)),
            "flag": np.array([True, False, True]), "nMuon": np.array([0, 1, 2], dtype=np.int32),
        })
        fh.mktree("Runs", {"run": np.int64}).extend({"run": np.array([1])})
    return path


def make_hdf5(path: Path) -> Path:
    with h5py.File(path, "w") as fh:
        jets = fh.create_dataset("jets", data=np.zeros((10, 200, 4), dtype=np.float32))
        jets.attrs["unit"] = "GeV"
        fh.create_dataset("labels", data=np.zeros(10, dtype=np.int64))
        fh.create_dataset("flags", data=np.zeros(10, dtype=bool))
        rec = np.zeros(10, dtype=[("pt", "f4"), ("eta", "f8"), ("p4", "f4", (4,))])
        fh.create_group("reco").create_dataset("events", data=rec)
        vlen = fh.create_dataset("tracks", (10,), dtype=h5py.vlen_dtype(np.float32))
        vlen[0] = np.arange(3, dtype=np.float32)
        fh.create_dataset("names", data=np.array([b"a"] * 10, dtype="S4"))
        fh.create_dataset("binning", data=np.linspace(0, 1, 7))
        fh.create_dataset("version", data=3)
    return path


def make_onnx(path: Path) -> Path:
    weight = helper.make_tensor("W", TensorProto.FLOAT, [4, 2], np.zeros(8, dtype=np.float32).tolist())
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["points", "W"], ["scores"])],
        "tagger",
        inputs=[
            helper.make_tensor_value_info("points", TensorProto.FLOAT, ["batch", "n_particles", 4]),
            helper.make_tensor_value_info("jet_pt", TensorProto.DOUBLE, [1]),
            helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, 1, 24, 24]),
            helper.make_tensor_value_info("mask", TensorProto.BOOL, [8, 100]),
            helper.make_tensor_value_info("W", TensorProto.FLOAT, [4, 2]),
        ],
        outputs=[helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", "n_particles", 2])],
        initializer=[weight],
    )
    onnx.save(helper.make_model(graph), path)
    return path


def make_parquet(path: Path) -> Path:
    table = pa.table({
        "pt": pa.array([1.0, 2.0], pa.float32()),
        "Jet": pa.array([[{"pt": 1.0, "eta": 0.1}], []], pa.list_(pa.struct([("pt", pa.float32()), ("eta", pa.float32())]))),
        "p4": pa.array([[1, 2, 3, 4], [5, 6, 7, 8]], pa.list_(pa.float64(), 4)),
        "tracks": pa.array([[[1.0, 2.0, 3.0, 4.0]], []], pa.list_(pa.list_(pa.float32(), 4))),
        "meta": pa.array([{"run": 1, "tag": "a"}, {"run": 2, "tag": "b"}],
                         pa.struct([("run", pa.int64()), ("tag", pa.string())])),
        "label": pa.array([True, False]),
    })
    schema = table.schema.set(0, table.schema.field("pt").with_metadata({"unit": "GeV"}))
    pq.write_table(table.cast(schema), path)
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    out = path.with_name("truncated-" + path.name)
    out.write_bytes(data[: max(16, int(len(data) * keep))])
    return out


# --- ROOT --------------------------------------------------------------------------------------

def test_root_picks_the_tree_with_most_entries_and_describes_branches(tmp_path: Path) -> None:
    schema = read_schema(make_root(tmp_path / "events.root"), SETTINGS)
    assert schema.format == "root" and schema.num_events == 3
    got = shapes(schema)
    assert got["Jet_pt"] == (None,) and schema.feature("Jet_pt").kind == "variable"
    assert got["cells"] == (3,) and schema.feature("cells").kind == "fixed"
    assert got["img"] == (4, 5) and schema.feature("img").kind == "grid"
    assert dtypes(schema)["Jet_pt"] == "float32" and dtypes(schema)["flag"] == "bool"
    # nJet_pt counts a jagged branch and goes; nPV and nMuon are plain integers and stay.
    assert "nJet_pt" not in got and got["nPV"] == () and "nMuon" in got
    assert schema.feature("Jet_pt").path == "Events/Jet_pt"


def test_root_tree_argument_and_unknown_tree(tmp_path: Path) -> None:
    path = make_root(tmp_path / "events.root")
    runs = read_schema(path, SETTINGS, tree="Runs")
    assert runs.names == ["run"] and runs.num_events == 1
    with pytest.raises(InvalidInput, match="ROOT: no tree 'Nope'.*Events"):
        read_schema(path, SETTINGS, tree="Nope")


def test_root_rntuple_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rn.root"
    with uproot.recreate(path) as fh:
        fh["ntuple"] = {"x": np.arange(4.0), "hits": ak.Array([[1, 2], [], [3], [4, 5, 6]])}
    schema = read_schema(path, SETTINGS)
    assert shapes(schema) == {"x": (), "hits": (None,)} and schema.num_events == 4


# --- HDF5 --------------------------------------------------------------------------------------

def test_hdf5_datasets_compound_vlen_and_event_axis(tmp_path: Path) -> None:
    schema = read_schema(make_hdf5(tmp_path / "jets.h5"), SETTINGS)
    assert schema.num_events == 10
    got = shapes(schema)
    assert got["jets"] == (200, 4) and schema.feature("jets").unit == "GeV" and schema.feature("jets").kind == "grid"
    assert got["labels"] == () and dtypes(schema)["flags"] == "bool"
    assert got["pt"] == () and got["p4"] == (4,) and dtypes(schema)["eta"] == "float64"
    assert schema.feature("pt").path == "/reco/events:pt"
    assert got["tracks"] == (None,) and dtypes(schema)["names"] == "string"
    assert "binning" not in got and any(s.startswith("/binning") for s in schema.skipped)
    assert "version" not in got


def test_hdf5_pandas_table_format(tmp_path: Path) -> None:
    df = pd.DataFrame({"pt": np.arange(5, dtype="f4"), "eta": np.ones(5), "n": np.arange(5),
                       "lab": list("abcde"), "ok": [True] * 5})
    path = tmp_path / "store.h5"
    df.to_hdf(path, key="events", format="table", data_columns=["eta"])
    schema = read_schema(path, SETTINGS)
    assert schema.names == ["pt", "eta", "n", "lab", "ok"]
    assert dtypes(schema) == {"pt": "float32", "eta": "float64", "n": "int64", "lab": "string", "ok": "bool"}
    assert schema.num_events == 5


def test_hdf5_pandas_fixed_top_tagging_layout(tmp_path: Path) -> None:
    # The top-tagging reference dataset: one fixed-format DataFrame of 200 constituents x (E, PX, PY, PZ).
    columns = [f"{c}_{i}" for i in range(200) for c in ("E", "PX", "PY", "PZ")]
    df = pd.DataFrame(np.zeros((3, 800), dtype=np.float32), columns=columns)
    df["is_signal_new"] = np.array([0, 1, 0], dtype=np.int64)
    path = tmp_path / "train.h5"
    df.to_hdf(path, key="table", format="fixed")
    schema = read_schema(path, SETTINGS)
    assert schema.names[:5] == ["E_0", "PX_0", "PY_0", "PZ_0", "E_1"] and len(schema.features) == 801
    assert dtypes(schema)["PX_0"] == "float32" and dtypes(schema)["is_signal_new"] == "int64"
    assert all(f.kind == "scalar" for f in schema.features) and schema.num_events == 3


def test_hdf5_flat_table_of_800_columns_is_one_fixed_feature(tmp_path: Path) -> None:
    path = tmp_path / "flat.h5"
    with h5py.File(path, "w") as fh:
        fh.create_dataset("table", data=np.zeros((6, 800), dtype=np.float32))
    schema = read_schema(path, SETTINGS)
    assert shapes(schema) == {"table": (800,)} and schema.feature("table").kind == "fixed"


# --- Parquet / Arrow ---------------------------------------------------------------------------

def test_parquet_types_nested_and_units(tmp_path: Path) -> None:
    schema = read_schema(make_parquet(tmp_path / "events.parquet"), SETTINGS)
    assert schema.num_events == 2
    assert shapes(schema) == {"pt": (), "Jet.pt": (None,), "Jet.eta": (None,), "p4": (4,), "tracks": (None, 4),
                              "meta.run": (), "meta.tag": (), "label": ()}
    assert schema.feature("pt").unit == "GeV" and dtypes(schema)["meta.tag"] == "string"
    assert dtypes(schema)["p4"] == "float64" and dtypes(schema)["label"] == "bool"


def test_arrow_ipc_file(tmp_path: Path) -> None:
    path = tmp_path / "events.feather"
    feather.write_feather(pa.table({"a": pa.array([1, 2, 3], pa.int16()), "b": pa.array([[1.0], [], [2.0]])}), path)
    schema = read_schema(path, SETTINGS)
    assert schema.format == "arrow" and schema.num_events == 3
    assert shapes(schema) == {"a": (), "b": (None,)} and dtypes(schema)["a"] == "int16"


# --- CSV, npz, ONNX, JSON ----------------------------------------------------------------------

def test_csv_sniffs_delimiter_and_infers_dtypes(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("pt;eta;n;ok;label;empty\n1.5;0.1;3;true;b;\n2;-0.2;4;False;c;\n")
    schema = read_schema(path, SETTINGS)
    assert dtypes(schema) == {"pt": "float64", "eta": "float64", "n": "int64", "ok": "bool", "label": "string",
                              "empty": "float64"}
    assert schema.num_events == 2


def test_csv_ragged_row_and_duplicate_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(InvalidInput, match="CSV: row 3 has 1 fields; the header has 2"):
        read_schema(path, SETTINGS)
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(InvalidInput, match="CSV: column name 'a' appears twice"):
        read_schema(path, SETTINGS)


def test_npz_arrays_and_object_arrays(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez_compressed(path, x=np.zeros((7, 3), np.float32), y=np.zeros(7, np.int8), img=np.zeros((7, 24, 24)),
                        edges=np.zeros(4))
    schema = read_schema(path, SETTINGS)
    assert shapes(schema) == {"x": (3,), "y": (), "img": (24, 24)} and schema.num_events == 7
    assert any(s.startswith("edges") for s in schema.skipped)
    objects = tmp_path / "objects.npz"
    np.savez(objects, jets=np.array([[1.0], [1.0, 2.0]], dtype=object))
    with pytest.raises(InvalidInput, match="NPZ: array 'jets' has object dtype"):
        read_schema(objects, SETTINGS)


def test_npz_zip_bomb_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("x.npy", "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (2**22,)})
            chunk = bytes(2**20)
            for _ in range(32):
                fh.write(chunk)
    assert path.stat().st_size < 2**20
    small = replace(SETTINGS, max_upload_bytes=2**24)
    with pytest.raises(InvalidInput, match=r"NPZ: the arrays expand to 32\.0 MiB; the limit is 16\.0 MiB"):
        read_schema(path, small)


def test_onnx_inputs_minus_initializers(tmp_path: Path) -> None:
    schema = read_schema(make_onnx(tmp_path / "tagger.onnx"), SETTINGS)
    assert schema.names == ["points", "jet_pt", "image", "mask"] and schema.num_events is None
    got = shapes(schema)
    assert got["points"] == (None, 4) and got["jet_pt"] == () and got["image"] == (1, 24, 24)
    assert got["mask"] == (8, 100), "a fixed first axis above 1 is not a batch axis"
    assert dtypes(schema) == {"points": "float32", "jet_pt": "float64", "image": "float32", "mask": "bool"}


def test_json_column_lists(tmp_path: Path) -> None:
    path = tmp_path / "cols.json"
    path.write_text(json.dumps(["pt", "eta"]))
    assert [(f.name, f.dtype, f.shape) for f in read_schema(path, SETTINGS).features] == [
        ("pt", "float32", ()), ("eta", "float32", ())]
    path.write_text(json.dumps([{"name": "pf_p4", "dtype": "float64", "shape": [None, 4], "unit": "GeV"}]))
    feat = read_schema(path, SETTINGS).features[0]
    assert feat.shape == (None, 4) and feat.unit == "GeV" and feat.kind == "variable"
    path.write_text(json.dumps([{"name": "x", "dtype": "float128"}]))
    with pytest.raises(InvalidInput, match="dtype 'float128' is not one of") as info:
        read_schema(path, SETTINGS)
    assert info.value.path == "cols.json[0].dtype"


# --- detection, caps, truncation ---------------------------------------------------------------

def test_unsupported_extension_and_content_mismatch(tmp_path: Path) -> None:
    other = tmp_path / "notes.xyz"
    other.write_text("hello")
    with pytest.raises(InvalidInput, match="unsupported file type '.xyz'"):
        read_schema(other, SETTINGS)
    h5 = make_hdf5(tmp_path / "jets.h5")
    disguised = tmp_path / "jets.parquet"
    disguised.write_bytes(h5.read_bytes())
    with pytest.raises(InvalidInput, match="Parquet: the file name says Parquet but the content is HDF5"):
        read_schema(disguised, SETTINGS)
    # An unknown extension with known content is read by its content.
    renamed = tmp_path / "jets.data"
    renamed.write_bytes(h5.read_bytes())
    assert read_schema(renamed, SETTINGS).format == "hdf5"


@pytest.mark.parametrize("maker,label", [
    (make_root, "ROOT"), (make_hdf5, "HDF5"), (make_parquet, "Parquet"), (make_onnx, "ONNX"),
])
@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9])
def test_truncated_binary_files_give_a_clear_error(tmp_path: Path, maker, label: str, keep: float) -> None:  # type: ignore[no-untyped-def]
    suffix = {"ROOT": ".root", "HDF5": ".h5", "Parquet": ".parquet", "ONNX": ".onnx"}[label]
    broken = truncate(maker(tmp_path / f"f{suffix}"), keep)
    with pytest.raises(InvalidInput, match=f"^.*{label}: file is truncated or not"):
        read_schema(broken, SETTINGS)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9])
def test_truncated_npz_and_arrow(tmp_path: Path, keep: float) -> None:
    npz = tmp_path / "a.npz"
    np.savez(npz, x=np.zeros((50, 3)))
    with pytest.raises(InvalidInput, match="NPZ: file is truncated or not"):
        read_schema(truncate(npz, keep), SETTINGS)
    arrow = tmp_path / "a.arrow"
    feather.write_feather(pa.table({"a": np.arange(100)}), arrow)
    with pytest.raises(InvalidInput, match="Arrow: file is truncated or not"):
        read_schema(truncate(arrow, keep), SETTINGS)


def test_caps_on_size_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20)) + "\n" + ",".join("1" * 20) + "\n")
    with pytest.raises(InvalidInput, match=r"CSV: 20 columns; the limit is 10 \(GRAPHCAT_MAX_COLUMNS\)"):
        read_schema(path, replace(SETTINGS, max_columns=10))
    with pytest.raises(InvalidInput, match=r"the limit is .* \(GRAPHCAT_MAX_UPLOAD_BYTES\)"):
        read_schema(path, replace(SETTINGS, max_upload_bytes=10))
    h5 = make_hdf5(tmp_path / "jets.h5")
    with pytest.raises(InvalidInput, match="HDF5: .* columns; the limit is 3"):
        read_schema(h5, replace(SETTINGS, max_columns=3))
    with pytest.raises(InvalidInput, match="GRAPHCAT_MAX_UPLOAD_BYTES"):
        read_schema_bytes(b"a,b\n1,2\n" * 10, "x.csv", replace(SETTINGS, max_upload_bytes=10))


def test_read_schema_bytes_reports_the_upload_name(tmp_path: Path) -> None:
    data = make_parquet(tmp_path / "events.parquet").read_bytes()
    schema = read_schema_bytes(data, "my events.parquet", SETTINGS)
    assert schema.source == "my events.parquet" and schema.num_events == 2


def test_round_trip_through_dict(tmp_path: Path) -> None:
    schema = read_schema(make_root(tmp_path / "events.root"), SETTINGS)
    data = json.loads(json.dumps(schema.to_dict()))
    assert data["features"][0]["kind"] in {"scalar", "fixed", "variable", "grid"}
    assert UserSchema.from_dict(data) == schema
    data["features"][0]["kind"] = "grid" if schema.features[0].kind != "grid" else "scalar"
    with pytest.raises(InvalidInput, match="contradicts shape"):
        UserSchema.from_dict(data)


def test_kind_rules() -> None:
    assert SchemaFeature("a", "float32").kind == "scalar"
    assert SchemaFeature("a", "float32", (960,)).kind == "fixed"
    assert SchemaFeature("a", "float32", (None, 4)).kind == "variable"
    assert SchemaFeature("a", "float32", (3, 96)).kind == "grid"
    with pytest.raises(InvalidInput, match="dtype 'complex64'"):
        SchemaFeature("a", "complex64")


def test_cli_prints_a_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_root(tmp_path / "events.root")
    assert cli_main(["schema", str(path)]) == 0
    text = capsys.readouterr().out
    assert "events.root (root): 3 events" in text and "Jet_pt" in text and "(*,)" in text
    assert cli_main(["schema", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["num_events"] == 3
    assert cli_main(["schema", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
