"""The normalised schema of a user's data file: ordered features with dtype, shape and unit.

Shared with the catalog (docs/catalog-format.md, `features:`) and the ranker. A shape is per event:
the event (row) axis is removed. `None` marks a variable-length axis.

Kinds, precisely:
- "scalar":   shape ()                      one number per event (jet pT, a label)
- "variable": any axis is None              per-object lists: (None,) jet pT, (None, 4) 4-vectors
- "grid":     two or more axes, all fixed   images and voxels: (24, 24), (45, 16, 9), (3, 96)
- "fixed":    exactly one fixed axis        (200,) zero-padded constituents, 1-D calorimeter cells
A 1-D fixed array stays "fixed" however long it is: without a second axis we cannot know that
960 cells are a 40x24 image, and guessing would mislead the ranker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from embeddings.schema import normalise_dtype
from embeddings.shapes import normalise_shape, shape_problem
from graphcat.errors import InvalidInput

DTYPES: tuple[str, ...] = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "string",
)
FORMATS: tuple[str, ...] = ("csv", "parquet", "arrow", "hdf5", "root", "npz", "onnx", "json")

Shape = tuple[int | None, ...]
Kind = Literal["scalar", "fixed", "variable", "grid"]


@dataclass(frozen=True)
class SchemaFeature:
    name: str
    dtype: str
    shape: Shape = ()
    unit: str | None = None
    description: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInput("feature name must be a non-empty string", path="name")
        if isinstance(self.dtype, str):  # `double`, `Float_t`, `>f4` as pyarrow, ROOT and numpy print them
            object.__setattr__(self, "dtype", normalise_dtype(self.dtype))
        if self.dtype not in DTYPES:
            raise InvalidInput(f"dtype {self.dtype!r} is not one of {', '.join(DTYPES)}", path=f"{self.name}.dtype")
        for axis, size in enumerate(self.shape):
            if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
                raise InvalidInput(
                    f"shape axis {axis} is {size!r}; expected a non-negative integer or null", path=f"{self.name}.shape"
                )

    @property
    def kind(self) -> Kind:
        if not self.shape:
            return "scalar"
        if any(size is None for size in self.shape):
            return "variable"
        return "grid" if len(self.shape) >= 2 else "fixed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "kind": self.kind,
            "unit": self.unit,
            "description": self.description,
            "path": self.path,
        }

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "feature") -> "SchemaFeature":
        from graphcat.userschema.jsonlist import feature_from_json

        return feature_from_json(data, where=where, source_format="schema")


@dataclass(frozen=True)
class UserSchema:
    source: str
    format: str
    features: list[SchemaFeature]
    num_events: int | None = None
    # What the reader saw but could not describe (e.g. a ROOT branch of a custom class), with the
    # reason: reported, never silently dropped.
    skipped: list[str] = field(default_factory=list)

    def feature(self, name: str) -> SchemaFeature:
        for feat in self.features:
            if feat.name == name:
                return feat
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "num_events": self.num_events,
            "features": [f.to_dict() for f in self.features],
            "skipped": list(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: Any) -> "UserSchema":
        if not isinstance(data, dict):
            raise InvalidInput(f"a schema must be an object, got {type(data).__name__}", path="schema")
        unknown = set(data) - {"source", "format", "num_events", "features", "skipped"}
        if unknown:
            raise InvalidInput(f"unknown keys {sorted(unknown)}", path="schema")
        fmt = data.get("format")
        if fmt not in FORMATS:
            raise InvalidInput(f"format {fmt!r} is not one of {', '.join(FORMATS)}", path="schema.format")
        num_events = data.get("num_events")
        if num_events is not None and (not isinstance(num_events, int) or isinstance(num_events, bool) or num_events < 0):
            raise InvalidInput(f"num_events must be a non-negative integer or null, got {num_events!r}",
                               path="schema.num_events")
        features = data.get("features")
        if not isinstance(features, list):
            raise InvalidInput("features must be a list", path="schema.features")
        skipped = data.get("skipped", [])
        if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
            raise InvalidInput("skipped must be a list of strings", path="schema.skipped")
        source = data.get("source")
        if not isinstance(source, str):
            raise InvalidInput("source must be a string", path="schema.source")
        return cls(
            source=source,
            format=fmt,
            features=[SchemaFeature.from_dict(f, where=f"schema.features[{i}]") for i, f in enumerate(features)],
            num_events=num_events,
            skipped=list(skipped),
        )


def read_shape(value: Any, label: str, where: str) -> Shape:
    """A shape as users write it (-1, null, "N", "batch" all mean any length) as matching sees it (None).

    Raises InvalidInput naming `label` (the column) at `where` when an axis is malformed.
    """
    problem = shape_problem(value, smallest=0)
    if problem is not None:
        raise InvalidInput(f"{label}: {problem}", path=where)
    return normalise_shape(value)
