"""Property tests: the CSV and JSON column-list readers answer a schema or InvalidInput, nothing else;
damaged binary files give InvalidInput too."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema import DTYPES, read_schema, read_schema_bytes
from test_userschema_readers import make_hdf5, make_onnx, make_parquet, make_root

SETTINGS = Settings()
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(repr),
                    st.sampled_from(["true", "False", "", "nan", "NA"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(cells, min_size=0, max_size=8), rows=st.lists(st.lists(st.one_of(cells, numbers), max_size=8),
                                                                     max_size=6),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_csv_reader_answers_a_schema_or_invalid_input(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(r) for r in [header, *rows])
    try:
        schema = read_schema_bytes(text.encode("utf-8", "surrogatepass"), "random.csv", SETTINGS)
    except InvalidInput as exc:
        assert str(exc).startswith("random.csv") and "CSV" in str(exc)
        return
    assert schema.features and len({f.name for f in schema.features}) == len(schema.features)
    assert all(f.dtype in {"bool", "int64", "float64", "string"} and f.shape == () for f in schema.features)


@settings(max_examples=200, deadline=None)
@given(columns=st.lists(st.sampled_from(["int64", "float64", "bool", "string"]), min_size=1, max_size=6),
       nrows=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_csv_dtype_inference_recovers_what_was_written(columns: list[str], nrows: int, seed: int) -> None:
    rng = random.Random(seed)
    values = {
        "int64": lambda: str(rng.randint(-1000, 1000)),
        "float64": lambda: f"{rng.uniform(-1, 1):.6f}",
        "bool": lambda: rng.choice(["true", "false", "True"]),
        "string": lambda: rng.choice(["mu", "e", "tau"]) + str(rng.randint(0, 9)),
    }
    lines = [",".join(f"c{i}" for i in range(len(columns)))]
    lines += [",".join(values[c]() for c in columns) for _ in range(nrows)]
    schema = read_schema_bytes("\n".join(lines).encode(), "typed.csv", SETTINGS)
    assert [f.dtype for f in schema.features] == columns and schema.num_events == nrows


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), cells),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(cells, children, max_size=4)),
    max_leaves=12,
)
column_objects = st.fixed_dictionaries(
    {"name": st.one_of(cells, st.integers())},
    optional={"dtype": st.one_of(st.sampled_from(DTYPES), cells), "shape": st.one_of(
        st.lists(st.one_of(st.none(), st.integers(-2, 300)), max_size=3), json_values),
        "unit": st.one_of(st.none(), cells, st.integers()), "description": json_values, "kind": cells},
)


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(json_values, st.lists(st.one_of(cells, column_objects), max_size=6)))
def test_json_column_list_answers_a_schema_or_invalid_input(data: object) -> None:
    try:
        schema = read_schema_bytes(json.dumps(data).encode(), "cols.json", SETTINGS)
    except InvalidInput as exc:
        assert "JSON column list" in str(exc)
        return
    assert isinstance(data, list) and len(schema.features) == len(data)
    assert all(f.dtype in DTYPES for f in schema.features)


@pytest.mark.parametrize("suffix", [".root", ".h5", ".parquet", ".onnx", ".npz", ".arrow"])
def test_damaged_binary_files_give_invalid_input(tmp_path: Path, suffix: str) -> None:
    original = tmp_path / f"good{suffix}"
    makers = {".root": make_root, ".h5": make_hdf5, ".parquet": make_parquet, ".onnx": make_onnx}
    if suffix in makers:
        makers[suffix](original)
    elif suffix == ".npz":
        np.savez_compressed(original, x=np.zeros((50, 3)), y=np.arange(50))
    else:
        feather.write_feather(pa.table({"a": np.arange(100)}), original)
    data = original.read_bytes()
    rng = random.Random(suffix)
    damaged = tmp_path / f"damaged{suffix}"
    outcomes = {"schema": 0, "invalid": 0}
    for _ in range(40):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        damaged.write_bytes(bytes(flipped))
        try:
            read_schema(damaged, SETTINGS)
            outcomes["schema"] += 1  # a flip in the data pages leaves the metadata readable
        except InvalidInput as exc:
            outcomes["invalid"] += 1
            assert str(exc).startswith("damaged")
    assert sum(outcomes.values()) == 40
