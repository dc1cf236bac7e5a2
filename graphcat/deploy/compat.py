"""Compatibility check: feed the first N events of a user's data file to a model and run it.

Each model input is built from data columns by a mapping (input name -> one column, or a list of
scalar columns stacked along a last axis). Without an explicit mapping, an input takes the column
with the same name, else the column with the same canonical name (graphcat.features), else the
columns `<name>_0 .. <name>_{k-1}` for an input of per-event shape [k]. Every input that cannot be
built is reported with the reason; the model only runs when all of them could be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from graphcat.deploy import runtime
from graphcat.deploy.onnx_inspect import OnnxSignature, TensorSpec
from graphcat.errors import InvalidInput
from graphcat.features import canonical_name

Mapping = dict[str, str | list[str]]


@dataclass(frozen=True)
class InputProblem:
    input: str
    message: str

    def __str__(self) -> str:
        return f"input {self.input!r}: {self.message}"


@dataclass(frozen=True)
class CompatibilityReport:
    ok: bool
    events: int
    mapping: dict[str, list[str]]
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    output_shapes: dict[str, list[int]] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    error: str | None = None  # onnxruntime's message when the built inputs did not run


def check(
    model_path: str | Path,
    signature: OnnxSignature,
    data_path: str | Path,
    *,
    mapping: Mapping | None = None,
    events: int = 16,
) -> CompatibilityReport:
    if events < 1:
        raise InvalidInput(f"must be at least 1, got {events}", path="events")
    data_path = Path(data_path)
    columns = list_columns(data_path)
    resolved, problems = resolve_mapping(signature, columns, mapping or {})
    wanted = sorted({c for cols in resolved.values() for c in cols})
    data = read_columns(data_path, wanted, events) if wanted else {}
    n = min((len(v) for v in data.values()), default=0)
    if wanted and n == 0:
        problems.append(InputProblem("*", f"{data_path.name} has no events"))
    feeds: dict[str, np.ndarray] = {}
    for spec in signature.inputs:
        if spec.name not in resolved or n == 0:
            continue
        try:
            feeds[spec.name] = build_input(spec, [data[c][:n] for c in resolved[spec.name]], resolved[spec.name])
        except InvalidInput as exc:
            problems.append(InputProblem(spec.name, exc.message))
    shapes = {k: list(v.shape) for k, v in feeds.items()}
    if problems:
        return CompatibilityReport(False, n, resolved, shapes, problems=problems)
    try:
        sess = runtime.session(model_path)
        names = [o.name for o in sess.get_outputs()]
        outputs = sess.run(names, feeds)
    except runtime.ORT_ERRORS as exc:
        return CompatibilityReport(False, n, resolved, shapes, error=f"{type(exc).__name__}: {exc}")
    return CompatibilityReport(True, n, resolved, shapes, {k: list(np.shape(v)) for k, v in zip(names, outputs)})


def resolve_mapping(
    signature: OnnxSignature, columns: Sequence[str], mapping: Mapping
) -> tuple[dict[str, list[str]], list[InputProblem]]:
    inputs = {spec.name for spec in signature.inputs}
    problems = [InputProblem(name, "the model has no such input") for name in mapping if name not in inputs]
    by_canonical: dict[str, list[str]] = {}
    for column in columns:
        by_canonical.setdefault(canonical_name(column), []).append(column)
    resolved: dict[str, list[str]] = {}
    for spec in signature.inputs:
        given = mapping.get(spec.name)
        if given is not None:
            cols = [given] if isinstance(given, str) else list(given)
            missing = [c for c in cols if c not in columns]
            if missing:
                problems.append(InputProblem(spec.name, f"mapped column(s) {missing} are not in the data file"))
                continue
            resolved[spec.name] = cols
        elif spec.name in columns:
            resolved[spec.name] = [spec.name]
        elif len(by_canonical.get(canonical_name(spec.name), [])) == 1:
            resolved[spec.name] = by_canonical[canonical_name(spec.name)]
        elif len(spec.shape) == 1 and spec.shape[0] is not None and all(
            f"{spec.name}_{i}" in columns for i in range(spec.shape[0])
        ):
            resolved[spec.name] = [f"{spec.name}_{i}" for i in range(spec.shape[0])]
        else:
            problems.append(InputProblem(
                spec.name,
                f"no column of the data file maps to it (per-event shape {spec.shape}, {spec.dtype}); "
                f"columns: {list(columns)[:20]}",
            ))
    return resolved, problems


def build_input(spec: TensorSpec, arrays: list[np.ndarray], columns: list[str]) -> np.ndarray:
    """One model input from its columns' first events; InvalidInput says what does not fit."""
    if len(arrays) > 1:
        for col, arr in zip(columns, arrays):
            if _per_event(arr).ndim != 1:  # (events,) is one scalar per event
                raise InvalidInput(f"column {col!r} is not a scalar per event, so it cannot be stacked")
        value = np.stack([np.asarray(a) for a in arrays], axis=-1)
    else:
        value = _per_event(arrays[0], pad_to=spec.shape[0] if spec.shape else None)
    got = list(value.shape[1:])
    if len(got) != len(spec.shape) or any(w is not None and w != g for w, g in zip(spec.shape, got)):
        raise InvalidInput(
            f"built from {columns} it has per-event shape {got}, the model expects {spec.shape}"
        )
    return _cast(value, spec.dtype, columns)


def _per_event(arr: np.ndarray, pad_to: int | None = None) -> np.ndarray:
    """Regular arrays pass through; jagged (object) arrays are zero-padded to a common length."""
    arr = np.asarray(arr)
    if arr.dtype != object or arr.ndim != 1 or not len(arr) or not isinstance(arr[0], (list, tuple, np.ndarray)):
        return arr
    rows = [np.asarray(r) for r in arr]
    width = pad_to if pad_to is not None else max(len(r) for r in rows)
    out = np.zeros((len(rows), width, *rows[0].shape[1:]), dtype=rows[0].dtype)
    for i, r in enumerate(rows):
        out[i, : min(width, len(r))] = r[:width]
    return out


def _cast(value: np.ndarray, dtype: str, columns: list[str]) -> np.ndarray:
    target = np.dtype(runtime.numpy_dtype(dtype))
    if dtype == "string":
        return value.astype(object)
    if value.dtype.kind in "OUS":
        raise InvalidInput(f"columns {columns} hold text, the model expects {dtype}")
    if value.dtype.kind == "f" and target.kind in "iub" and not np.all(np.mod(value, 1) == 0):
        raise InvalidInput(f"columns {columns} hold non-integer values, the model expects {dtype}")
    return value.astype(target)


# -- reading the first events of a data file -------------------------------------------------------


def _format(path: Path) -> str:
    from graphcat.userschema.detect import detect

    return detect(path)


def list_columns(path: Path) -> list[str]:
    fmt = _format(path)
    if fmt == "csv":
        import pandas as pd

        return [str(c) for c in pd.read_csv(path, nrows=0, sep=None if path.suffix == ".tsv" else ",").columns]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if fmt == "npz":
        with np.load(path, allow_pickle=False) as npz:
            return list(npz.files)
    if fmt == "hdf5":
        import h5py

        names: list[str] = []
        with h5py.File(path, "r") as h5:
            h5.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        return names
    if fmt == "root":
        import uproot

        with uproot.open(path) as root:
            tree = _first_tree(root, path)
            return [str(k) for k in tree.keys()]
    raise InvalidInput(f"the compatibility check cannot read {fmt} files", path=path.name)


def read_columns(path: Path, names: list[str], events: int) -> dict[str, np.ndarray]:
    fmt = _format(path)
    if fmt == "csv":
        import pandas as pd

        frame = pd.read_csv(path, nrows=events, usecols=names)
        return {n: frame[n].to_numpy() for n in names}
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(path).iter_batches(batch_size=events, columns=names)
        batch = next(table, None)
        if batch is None:
            return {n: np.empty(0) for n in names}
        return {n: _arrow_to_numpy(batch.column(batch.schema.get_field_index(n))) for n in names}
    if fmt == "npz":
        with np.load(path, allow_pickle=False) as npz:
            return {n: npz[n][:events] for n in names}
    if fmt == "hdf5":
        import h5py

        with h5py.File(path, "r") as h5:
            return {n: h5[n][:events] for n in names}
    if fmt == "root":
        import uproot

        with uproot.open(path) as root:
            tree = _first_tree(root, path)
            arrays = tree.arrays(names, entry_stop=events, library="np")
            return {n: arrays[n] for n in names}
    raise InvalidInput(f"the compatibility check cannot read {fmt} files", path=path.name)


def _arrow_to_numpy(column: Any) -> np.ndarray:
    import pyarrow as pa

    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type) or pa.types.is_fixed_size_list(column.type):
        return np.array([np.asarray(v) for v in column.to_pylist()], dtype=object)
    return column.to_numpy(zero_copy_only=False)


def _first_tree(root: Any, path: Path) -> Any:
    for key, cls in root.classnames().items():
        if cls == "TTree":
            return root[key]
    raise InvalidInput("the ROOT file holds no TTree", path=path.name)
