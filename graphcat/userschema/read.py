"""Read a user's data file into a UserSchema: check the size cap, detect the format, dispatch."""

from __future__ import annotations

import tempfile
from pathlib import Path

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema.detect import LABELS, detect
from graphcat.userschema.limits import Features, check_size
from graphcat.userschema.model import UserSchema


def read_schema(path: str | Path, settings: Settings, *, format: str | None = None, tree: str | None = None,
                source: str | None = None) -> UserSchema:
    """The normalised schema of the file at `path`.

    `format` overrides the extension; `tree` picks a ROOT TTree/RNTuple (default: most entries);
    `source` is the name reported (default: the file name). Raises InvalidInput naming the format
    and the problem for anything unreadable.
    """
    path = Path(path)
    name = source or path.name
    if not path.is_file():
        raise InvalidInput("no such file", path=str(path))
    check_size(name, path.stat().st_size, settings)
    fmt = detect(path, format, name)
    if tree is not None and fmt != "root":
        raise InvalidInput(f"{LABELS[fmt]}: a tree can only be chosen for ROOT files", path=name)
    out = Features(LABELS[fmt], name, settings)
    num_events: int | None
    if fmt == "csv":
        from graphcat.userschema.csvfile import read_csv

        num_events = read_csv(path, out)
    elif fmt == "parquet":
        from graphcat.userschema.arrowtypes import read_parquet

        num_events = read_parquet(path, out)
    elif fmt == "arrow":
        from graphcat.userschema.arrowtypes import read_arrow

        num_events = read_arrow(path, out)
    elif fmt == "hdf5":
        from graphcat.userschema.hdf5file import read_hdf5

        num_events = read_hdf5(path, out)
    elif fmt == "root":
        from graphcat.userschema.rootfile import read_root

        num_events = read_root(path, out, tree)
    elif fmt == "npz":
        from graphcat.userschema.npzfile import read_npz

        num_events = read_npz(path, out, settings)
    elif fmt == "onnx":
        from graphcat.userschema.onnxfile import read_onnx

        read_onnx(path, out)
        num_events = None
    else:
        from graphcat.userschema.jsonlist import read_json

        num_events = read_json(path, out)
    if not out.items:
        reasons = f" ({'; '.join(out.skipped[:5])})" if out.skipped else ""
        raise InvalidInput(f"{LABELS[fmt]}: no column graphcat can describe{reasons}", path=name)
    return UserSchema(source=name, format=fmt, features=out.unique(), num_events=num_events, skipped=out.skipped)


def read_schema_bytes(data: bytes, filename: str, settings: Settings, *, format: str | None = None,
                      tree: str | None = None) -> UserSchema:
    """The schema of an uploaded file's content; `filename` gives the extension and the source name."""
    if len(data) > settings.max_upload_bytes:
        check_size(Path(filename).name, len(data), settings)
    suffix = Path(filename).suffix
    # The readers need a real file (h5py, uproot, memory maps); it lives only for this call.
    with tempfile.TemporaryDirectory(prefix="graphcat-schema-") as tmp:
        target = Path(tmp) / f"upload{suffix}"
        target.write_bytes(data)
        return read_schema(target, settings, format=format, tree=tree, source=Path(filename).name)
