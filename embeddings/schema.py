"""Plain data shared by the encoder, the index and the ranker: columns, model cards, a catalog reader.

A `Column` describes one per-event field of a user's data or one input of a model, with the
convention used across graphcat: dtype is one of `bool int8..int64 uint8..uint64 float16 float32
float64 string`; shape is a tuple per event: `()` scalar, `(N,)` fixed, `(None,)` variable
per-object, `(None, 4)`, `(45, 16, 9)` grid. `from_dict` also reads `-1` and axis names (`"N"`,
`"batch"`) as None: embeddings/shapes.py; and a reader's container type as the dtype (uproot
`std::vector<float>`, awkward `var * float32`, pyarrow `list<item: float>`, records as one column
per field): embeddings/typestrings.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from embeddings.errors import InvalidSchema
from embeddings.shapes import normalise_shape, shape_problem
from embeddings.typestrings import parse_type, struct_fields

DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "string"}
)

Shape = tuple[int | None, ...]

# How other libraries print these dtypes: pyarrow (`float`, `double`, `halffloat`, `large_string`),
# ROOT/uproot (`Float_t`, `Double_t`, `Int_t`, `Long64_t`, `Bool_t`), C (`float`, `int`, `long`),
# numpy type strings (`>f4`, `<i8`, `float64`). `float` is the 32-bit float of C, ROOT and Arrow.
DTYPE_ALIASES = {
    "float": "float32", "float_t": "float32", "single": "float32", "float32_t": "float32",
    "double": "float64", "double_t": "float64", "double32_t": "float32", "float64_t": "float64",
    "halffloat": "float16", "half": "float16", "float16_t": "float16",
    "char": "int8", "char_t": "int8", "short": "int16", "short_t": "int16", "int": "int32", "int_t": "int32",
    "long": "int64", "long_t": "int64", "long64_t": "int64", "longlong": "int64",
    "uchar": "uint8", "uchar_t": "uint8", "ushort": "uint16", "ushort_t": "uint16", "uint": "uint32",
    "uint_t": "uint32", "ulong": "uint64", "ulong_t": "uint64", "ulong64_t": "uint64",
    "bool_t": "bool", "boolean": "bool", "bool_": "bool",
    "str": "string", "utf8": "string", "large_string": "string", "large_utf8": "string", "object": "string",
}
_NUMPY_CODES = {"f2": "float16", "f4": "float32", "f8": "float64", "i1": "int8", "i2": "int16", "i4": "int32",
                "i8": "int64", "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64", "b1": "bool", "?": "bool"}


def normalise_dtype(dtype: str) -> str:
    """graphcat's dtype for a dtype as numpy, Arrow, ROOT or C print it (unknown text comes back as is)."""
    text = dtype.strip()
    low = text.lower()
    if low in DTYPES:
        return low
    if low.endswith("_t") and low[:-2] in DTYPES:  # int32_t, uint8_t
        return low[:-2]
    if low in DTYPE_ALIASES:
        return DTYPE_ALIASES[low]
    code = low.lstrip("<>=|")
    return _NUMPY_CODES.get(code, text)


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str = "float32"
    shape: Shape = ()
    unit: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise InvalidSchema("a column needs a non-empty name", path="name")
        if self.dtype not in DTYPES:
            raise InvalidSchema(f"unknown dtype {self.dtype!r}; expected one of {sorted(DTYPES)}",
                                path=f"{self.name}.dtype")
        for dim in self.shape:
            if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
                raise InvalidSchema(f"shape {self.shape!r}: each dimension is a positive int or None",
                                    path=f"{self.name}.shape")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "column") -> "Column":
        if not isinstance(data, Mapping):
            raise InvalidSchema(f"expected a mapping with name/dtype/shape, got {type(data).__name__}", path=path)
        if "name" not in data:
            raise InvalidSchema("missing 'name'", path=path)
        shape_raw = data.get("shape") or []
        problem = shape_problem(shape_raw)  # -1, null and "N"/"batch" all mean any length (the ranker sees None)
        if problem is not None:
            raise InvalidSchema(f"column {data['name']!r}: {problem}", path=f"{path}.shape")
        dtype, shape = normalise_dtype(str(data.get("dtype") or "float32")), normalise_shape(shape_raw)
        if dtype not in DTYPES:  # a reader's container type: `var * float32`, `list<item: float>`, `float[]`
            parsed = parse_type(dtype, normalise_dtype)
            if parsed is None and struct_fields(dtype, normalise_dtype):
                raise InvalidSchema(f"column {data['name']!r}: {dtype!r} is a record; give its fields as columns "
                                    "(columns_from_dicts does: name.field)", path=f"{path}.dtype")
            if parsed is not None:
                dtype, shape = parsed[0], shape or parsed[1]  # a shape given with the type wins
        try:
            return cls(
                name=str(data["name"]),
                dtype=dtype,
                shape=shape,
                unit=data.get("unit"),
                description=data.get("description"),
            )
        except InvalidSchema as exc:
            raise InvalidSchema(exc.message, path=f"{path}.{exc.path}" if exc.path else path) from exc


@dataclass(frozen=True)
class ModelCard:
    """What the ranker knows of one model version: `id` is `<model>@<version>`."""

    id: str
    name: str
    description: str = ""
    tasks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    inputs: tuple[Column, ...] = ()
    trained_on: tuple[str, ...] = ()
    extra_text: str = ""
    outputs: tuple[Column, ...] = ()
    deprecated: bool = False
    aliases: tuple[str, ...] = ()  # e.g. the version description; only feeds the embedding text


@dataclass(frozen=True)
class Document:
    """Any catalogued entity to be found by free-text search: a stable id and the text to embed."""

    id: str
    kind: str
    text: str


@dataclass
class CatalogView:
    """The parts of a catalog (docs/catalog-format.md) the ranker and search need."""

    models: list[ModelCard] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    task_parents: dict[str, str] = field(default_factory=dict)  # task id -> parent task id


def catalog_from_dicts(catalogs: Iterable[Mapping[str, Any]]) -> CatalogView:
    """Read one or more catalog structures (as loaded from YAML/JSON) into a `CatalogView`."""
    from embeddings.text import dataset_version_text, entity_text, model_card_text

    view = CatalogView()
    for ci, catalog in enumerate(catalogs):
        for ti, task in enumerate(catalog.get("tasks") or []):
            tid = _req(task, "id", f"catalog[{ci}].tasks[{ti}]")
            if task.get("parent"):
                view.task_parents[tid] = task["parent"]
            view.documents.append(Document(f"task:{tid}", "task", entity_text(task)))
        for section, kind in (("experiments", "experiment"), ("detectors", "detector")):
            for ei, entity in enumerate(catalog.get(section) or []):
                eid = _req(entity, "id", f"catalog[{ci}].{section}[{ei}]")
                view.documents.append(Document(f"{kind}:{eid}", kind, entity_text(entity)))
        for di, dataset in enumerate(catalog.get("datasets") or []):
            did = _req(dataset, "id", f"catalog[{ci}].datasets[{di}]")
            for vi, version in enumerate(dataset.get("versions") or []):
                vpath = f"catalog[{ci}].datasets[{di}].versions[{vi}]"
                vid = f"{did}@{_req(version, 'version', vpath)}"
                features = [Column.from_dict(f, path=f"{vpath}.features[{i}]")
                            for i, f in enumerate(version.get("features") or [])]
                view.documents.append(Document(f"dataset:{vid}", "dataset",
                                               dataset_version_text(dataset, version, features)))
        for mi, model in enumerate(catalog.get("models") or []):
            mpath = f"catalog[{ci}].models[{mi}]"
            mid = _req(model, "id", mpath)
            for vi, version in enumerate(model.get("versions") or []):
                vpath = f"{mpath}.versions[{vi}]"
                card = ModelCard(
                    id=f"{mid}@{_req(version, 'version', vpath)}",
                    name=str(model.get("name") or mid),
                    description=str(model.get("description") or ""),
                    tasks=tuple(model.get("tasks") or ()),
                    tags=tuple(model.get("tags") or ()),
                    inputs=tuple(Column.from_dict(c, path=f"{vpath}.inputs[{i}]")
                                 for i, c in enumerate(version.get("inputs") or [])),
                    trained_on=tuple(version.get("trained_on") or ()),
                    extra_text=str(version.get("description") or ""),
                    outputs=tuple(Column.from_dict(c, path=f"{vpath}.outputs[{i}]")
                                  for i, c in enumerate(version.get("outputs") or [])),
                    deprecated=bool(version.get("deprecated")),
                    aliases=tuple(version.get("aliases") or ()),
                )
                view.models.append(card)
                view.documents.append(Document(f"model:{card.id}", "model", model_card_text(card)))
    return view


def columns_from_dicts(items: Sequence[Mapping[str, Any] | str], *, path: str = "columns") -> list[Column]:
    """Columns from dicts (name/dtype/shape/unit/description) or bare names (float32 scalars)."""
    out: list[Column] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(Column(item))
        elif isinstance(item, Mapping) and isinstance(item.get("dtype"), str) and "name" in item \
                and (fields := struct_fields(item["dtype"], normalise_dtype)):
            # a pyarrow/awkward record (`list<item: struct<pt: float, eta: float>>`): one column per field
            for fname, fdtype, fshape in fields:
                out.append(Column.from_dict({**item, "name": f"{item['name']}.{fname}", "dtype": fdtype,
                                             "shape": list(fshape)}, path=f"{path}[{i}].{fname}"))
        else:
            out.append(Column.from_dict(item, path=f"{path}[{i}]"))
    return out


def _req(data: Mapping[str, Any], key: str, path: str) -> str:
    if not isinstance(data, Mapping) or data.get(key) in (None, ""):
        raise InvalidSchema(f"missing '{key}'", path=path)
    return str(data[key])
