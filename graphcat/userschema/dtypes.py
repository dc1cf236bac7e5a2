"""Map the type systems of numpy, Arrow, awkward and ONNX onto graphcat's dtype families."""

from __future__ import annotations

import numpy as np


class UnsupportedType(Exception):
    """A column type graphcat cannot describe; readers record it in `UserSchema.skipped`."""


def from_numpy(dtype: np.dtype) -> str:
    """The dtype family of a numpy dtype (subarray dtypes: the base; byte order ignored)."""
    base = dtype.base if dtype.subdtype is not None else dtype
    kind = base.kind
    if kind == "b":
        return "bool"
    if kind in "iu" and base.itemsize in (1, 2, 4, 8):
        return f"{'int' if kind == 'i' else 'uint'}{base.itemsize * 8}"
    if kind == "f" and base.itemsize in (2, 4, 8):
        return f"float{base.itemsize * 8}"
    if kind in "SU":
        return "string"
    if kind in "mM":
        # datetimes and durations are stored as 64-bit integers in every format we read
        return "int64"
    raise UnsupportedType(f"numpy dtype {base} ({_KIND_NAMES.get(kind, kind)})")


_KIND_NAMES = {"c": "complex", "O": "Python objects", "V": "raw bytes or a record", "f": "floating point"}


def from_primitive(name: str) -> str:
    """The dtype family of an awkward primitive name ("float32", "bool", "datetime64[ns]")."""
    try:
        return from_numpy(np.dtype(name))
    except TypeError as exc:
        raise UnsupportedType(f"type {name}") from exc
