"""HDF5 (h5py): every dataset whose first axis is the event axis, compound fields, pandas HDFStore.

The event axis is the first-axis length most datasets share (ties: the longer); a dataset with
another length (a lookup table, a binning) is listed in `skipped`, not guessed into the schema.
pandas HDFStore groups are read as the DataFrame they hold: `fixed` format from its
block{i}_items/block{i}_values arrays, `table` format from the `table` dataset, whose column names
PyTables keeps as pickled lists in attributes — those are decoded by an unpickler that refuses every
global, so a crafted file cannot run code.
"""

from __future__ import annotations

import io
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from graphcat.errors import InvalidInput
from graphcat.userschema.dtypes import UnsupportedType, from_numpy, from_primitive
from graphcat.userschema.limits import Features
from graphcat.userschema.model import SchemaFeature

# What h5py raises on a truncated or damaged file: OSError on open and on reading a broken object,
# KeyError/RuntimeError/ValueError for damaged links and headers met while walking.
_BROKEN = (OSError, KeyError, RuntimeError, ValueError)


@dataclass
class _Block:
    """Features read from one dataset or pandas group, all sharing a first-axis length."""

    where: str
    length: int
    features: list[SchemaFeature] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_hdf5(path: Path, out: Features) -> int | None:
    try:
        with h5py.File(path, "r") as fh:
            blocks: list[_Block] = []
            loose: list[tuple[str, str]] = []
            _walk(fh, blocks, loose, out)
    except _BROKEN as exc:
        raise InvalidInput(f"HDF5: file is truncated or not HDF5 ({exc})", path=out.source) from exc
    for what, why in loose:
        out.skip(what, why)
    if not blocks:
        return None
    lengths = Counter(b.length for b in blocks)
    num_events = max(lengths, key=lambda n: (lengths[n], n))
    for block in blocks:
        if block.length != num_events:
            out.skip(block.where, f"first axis has {block.length} entries; the event axis has {num_events}")
            continue
        for feat in block.features:
            out.add(feat)
        for what, why in block.skipped:
            out.skip(what, why)
    return num_events


def _walk(group: h5py.Group, blocks: list[_Block], loose: list[tuple[str, str]], out: Features) -> None:
    for key in group:
        link = group.get(key, getlink=True)
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            loose.append((f"{group.name.rstrip('/')}/{key}", "a link, not followed"))
            continue
        obj = group[key]
        if isinstance(obj, h5py.Group):
            pandas_type = _text(obj.attrs.get("pandas_type"))
            if pandas_type == "frame":
                blocks.append(_pandas_fixed(obj))
            elif pandas_type == "frame_table":
                blocks.append(_pandas_table(obj))
            elif pandas_type:
                loose.append((obj.name, f"pandas {pandas_type!r} objects are not read (store a DataFrame)"))
            else:
                _walk(obj, blocks, loose, out)
        elif isinstance(obj, h5py.Dataset):
            block = _dataset(obj)
            if block is None:
                loose.append((obj.name, f"shape {obj.shape} has no event axis"))
            else:
                blocks.append(block)
        # Both the growing features and a file with thousands of datasets must stop at the cap.
        out.check_count(sum(len(b.features) for b in blocks))


def _dataset(ds: h5py.Dataset) -> _Block | None:
    if not ds.shape:
        return None
    block = _Block(ds.name, int(ds.shape[0]))
    name = ds.name.lstrip("/")
    unit, description = _text(_attr(ds, "unit", "units")), _text(_attr(ds, "description", "long_name"))
    inner = tuple(int(n) for n in ds.shape[1:])
    if ds.dtype.names:
        _compound(ds.dtype, ds.name, inner, "", block)
        return block
    try:
        dtype, extra = _family(ds.dtype, ds)
    except UnsupportedType as exc:
        block.skipped.append((ds.name, str(exc)))
        return block
    block.features.append(SchemaFeature(name, dtype, inner + extra, unit, description, ds.name))
    return block


def _compound(dtype: np.dtype, where: str, outer: tuple[int | None, ...], prefix: str, block: _Block) -> None:
    assert dtype.names is not None
    for fname in dtype.names:
        fdtype = dtype.fields[fname][0]
        shape = outer + (tuple(fdtype.shape) if fdtype.subdtype is not None else ())
        base = fdtype.base if fdtype.subdtype is not None else fdtype
        label = f"{prefix}{fname}"
        if base.names:
            _compound(base, where, shape, f"{label}.", block)
            continue
        try:
            family, extra = _family(base, None)
        except UnsupportedType as exc:
            block.skipped.append((f"{where}:{label}", str(exc)))
            continue
        block.features.append(SchemaFeature(label, family, shape + extra, None, None, f"{where}:{label}"))


def _family(dtype: np.dtype, ds: h5py.Dataset | None) -> tuple[str, tuple[int | None, ...]]:
    """(dtype family, extra per-event axes) of an HDF5 element type."""
    if h5py.check_string_dtype(dtype) is not None:
        return "string", ()
    vlen = h5py.check_vlen_dtype(dtype)
    if vlen is not None:
        family, extra = _family(np.dtype(vlen), None)
        return family, (None,) + extra
    enum = h5py.check_enum_dtype(dtype)
    if enum is not None and set(enum) == {"FALSE", "TRUE"}:
        return "bool", ()  # h5py stores numpy bools as this enum
    if ds is not None and ds.id.get_type().get_class() == h5py.h5t.BITFIELD:
        return "bool", ()  # PyTables (pandas) stores bools as an 8-bit bitfield
    if dtype.kind == "O":
        raise UnsupportedType("references or opaque objects")
    return from_numpy(dtype), ()


def _pandas_fixed(group: h5py.Group) -> _Block:
    nrows = int(group["axis1"].shape[0])
    block = _Block(group.name, nrows)
    by_name: dict[str, SchemaFeature] = {}
    for i in range(int(group.attrs.get("nblocks", 0))):
        items = [_text(x) or "" for x in group[f"block{i}_items"][()]]
        values = group[f"block{i}_values"]
        if isinstance(values, h5py.Dataset) and _text(values.attrs.get("CLASS")) == "VLARRAY":
            family = "string"  # pandas pickles object (string) blocks into a VLArray
        else:
            try:
                family, _ = _family(values.dtype, values)
            except UnsupportedType as exc:
                block.skipped.append((values.name, str(exc)))
                continue
        for item in items:
            by_name[item] = SchemaFeature(item, family, (), None, None, f"{values.name}[{item}]")
    columns = [_text(x) or "" for x in group["axis0"][()]]
    block.features.extend(by_name[c] for c in columns if c in by_name)
    return block


def _pandas_table(group: h5py.Group) -> _Block:
    table = group["table"]
    block = _Block(group.name, int(table.shape[0]))
    index_cols = {name for _, name in _unpickle(group.attrs.get("index_cols"), [(0, "index")])}
    for fname in table.dtype.names or ():
        if fname in index_cols:
            continue
        declared = _text(table.attrs.get(f"{fname}_dtype"))
        if fname.startswith("values_block_"):
            names = [str(n) for n in _unpickle(table.attrs.get(f"{fname}_kind"), [])]
        else:
            names = [fname]  # a data_column keeps its own name
        try:
            family = _pandas_family(declared) if declared else _family(table.dtype.fields[fname][0].base, None)[0]
        except UnsupportedType as exc:
            block.skipped.append((f"{table.name}:{fname}", str(exc)))
            continue
        for name in names:
            block.features.append(SchemaFeature(name, family, (), None, None, f"{table.name}:{fname}[{name}]"))
    # values_block_* group columns by dtype; non_index_axes keeps the DataFrame's column order.
    axes = _unpickle(group.attrs.get("non_index_axes"), [])
    if isinstance(axes, list) and len(axes) == 1 and isinstance(axes[0], tuple) and isinstance(axes[0][1], list):
        order = {str(name): i for i, name in enumerate(axes[0][1])}
        block.features.sort(key=lambda f: order.get(f.name, len(order)))
    return block


def _pandas_family(declared: str) -> str:
    if declared.startswith(("bytes", "str", "object")):
        return "string"
    return from_primitive(declared)


class _DataOnly(pickle.Unpickler):
    """Unpickles lists, tuples, dicts, strings and numbers; any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _unpickle(raw: Any, default: Any) -> Any:
    if raw is None:
        return default
    data = raw.tobytes() if isinstance(raw, np.ndarray) else bytes(raw)
    try:
        return _DataOnly(io.BytesIO(data)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"cannot decode pandas metadata attribute ({exc})") from exc


def _attr(obj: h5py.HLObject, *names: str) -> Any:
    for name in names:
        if name in obj.attrs:
            return obj.attrs[name]
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return None
