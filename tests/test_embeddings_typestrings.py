"""Column types copied from uproot, awkward, pyarrow and pandas read as graphcat dtypes and per-event shapes."""

from __future__ import annotations

import pytest

from embeddings.errors import InvalidSchema
from embeddings.schema import Column, columns_from_dicts, normalise_dtype
from embeddings.typestrings import parse_type, struct_fields


@pytest.mark.parametrize(("text", "dtype", "shape"), [
    ("float[]", "float32", (None,)),
    ("Float_t[]", "float32", (None,)),
    ("float[4]", "float32", (4,)),
    ("std::vector<float>", "float32", (None,)),
    ("vector<vector<double> >", "float64", (None, None)),
    ("ROOT::VecOps::RVec<int>", "int32", (None,)),
    ("AsJagged(AsDtype('>f4'))", "float32", (None,)),
    ("AsJagged(AsDtype('>f4'), header_bytes=10)", "float32", (None,)),
    ("AsDtype('>f8')", "float64", ()),
    ("AsDtype(\"('>f4', (4,))\")", "float32", (4,)),
    ("AsObjects(AsVector(True, dtype('>f4')))", "float32", (None,)),
    ("AsObjects(AsVector(True, AsVector(False, dtype('>i4'))))", "int32", (None, None)),
    ("var * float32", "float32", (None,)),
    ("var * ?float32", "float32", (None,)),
    ("option[var * int32]", "int32", (None,)),
    ("4 * float64", "float64", (4,)),
    ("250000 * var * float32", "float32", (250000, None)),  # the event axis: embeddings/eventaxis.py
    ("list<item: float>", "float32", (None,)),
    ("list<item: float not null>", "float32", (None,)),
    ("large_list<element: double>", "float64", (None,)),
    ("fixed_size_list<item: float>[4]", "float32", (4,)),
    ("list<element: list<item: float>>", "float32", (None, None)),
    ("dictionary<values=string, indices=int32, ordered=0>", "string", ()),
    ("Int64", "int64", ()),
    ("category", "string", ()),
])
def test_reader_types_map_to_dtype_and_shape(text: str, dtype: str, shape: tuple) -> None:
    assert parse_type(text, normalise_dtype) == (dtype, shape)
    column = Column.from_dict({"name": "x", "dtype": text})
    assert (column.dtype, column.shape) == (dtype, shape)


def test_unknown_text_is_not_a_type_and_a_column_says_so() -> None:
    assert parse_type("vector<banana>", normalise_dtype) is None
    assert parse_type("list<item: float", normalise_dtype) is None
    with pytest.raises(InvalidSchema) as err:
        Column.from_dict({"name": "Jet_pt", "dtype": "vector<banana>"}, path="columns[3]")
    assert "vector<banana>" in err.value.message and err.value.path.startswith("columns[3]") and err.value.path.endswith("dtype")


def test_a_shape_given_with_the_type_wins() -> None:
    column = Column.from_dict({"name": "Jet_pt", "dtype": "var * float32", "shape": [None]})
    assert column.shape == (None,)
    assert Column.from_dict({"name": "p4", "dtype": "var * float32", "shape": [None, 4]}).shape == (None, 4)


def test_records_become_one_column_per_field() -> None:
    assert struct_fields("list<item: struct<pt: float, eta: float, idx: list<item: int32>>>", normalise_dtype) == [
        ("pt", "float32", (None,)), ("eta", "float32", (None,)), ("idx", "int32", (None, None))]
    assert struct_fields("var * {pt: float32, phi: float32}", normalise_dtype) == [
        ("pt", "float32", (None,)), ("phi", "float32", (None,))]
    assert struct_fields("float", normalise_dtype) is None
    columns = columns_from_dicts([{"name": "Muon", "dtype": "list<item: struct<pt: float, eta: float>>", "unit": None},
                                  {"name": "MET_pt", "dtype": "float"}])
    assert [(c.name, c.dtype, c.shape) for c in columns] == [
        ("Muon.pt", "float32", (None,)), ("Muon.eta", "float32", (None,)), ("MET_pt", "float32", ())]
    with pytest.raises(InvalidSchema) as err:
        Column.from_dict({"name": "Muon", "dtype": "struct<pt: float>"})
    assert "record" in err.value.message
