"""NumPy .npz: every array, first axis = events. Only the zip directory and each member's .npy
header are read, so neither a zip bomb nor a pickled object array is ever expanded or loaded."""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema.dtypes import UnsupportedType, from_numpy
from graphcat.userschema.limits import Features, mib
from graphcat.userschema.model import SchemaFeature

# NotImplementedError: a damaged directory entry names a compression zipfile does not know.
_BROKEN = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


def read_npz(path: Path, out: Features, settings: Settings) -> int | None:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            if total > settings.max_upload_bytes:
                raise InvalidInput(
                    f"NPZ: the arrays expand to {mib(total)}; the limit is {mib(settings.max_upload_bytes)} "
                    "(GRAPHCAT_MAX_UPLOAD_BYTES)",
                    path=out.source,
                )
            out.check_count(len(members))
            arrays: list[tuple[str, tuple[int, ...], np.dtype]] = []
            for member in members:
                if not member.filename.endswith(".npy"):
                    raise InvalidInput(f"NPZ: member {member.filename!r} is not a .npy array", path=out.source)
                with zf.open(member) as fh:
                    version = np.lib.format.read_magic(fh)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(fh, max_header_size=10000)
                name = member.filename[: -len(".npy")]
                if dtype.hasobject:
                    raise InvalidInput(
                        f"NPZ: array {name!r} has object dtype; graphcat reads with allow_pickle=False — "
                        "save it as numbers or fixed-width strings",
                        path=out.source,
                    )
                declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
                if declared > member.file_size:
                    raise InvalidInput(
                        f"NPZ: array {name!r} declares {declared} bytes but its member holds {member.file_size}",
                        path=out.source,
                    )
                arrays.append((name, tuple(int(n) for n in shape), dtype))
    except InvalidInput:
        raise
    except _BROKEN as exc:
        raise InvalidInput(f"NPZ: file is truncated or not a NumPy .npz ({exc})", path=out.source) from exc
    lengths = Counter(shape[0] for _, shape, _ in arrays if shape)
    num_events = max(lengths, key=lambda n: (lengths[n], n)) if lengths else None
    for name, shape, dtype in arrays:
        if not shape:
            out.skip(name, "a 0-d array has no event axis")
            continue
        if shape[0] != num_events:
            out.skip(name, f"first axis has {shape[0]} entries; the event axis has {num_events}")
            continue
        try:
            family = from_numpy(dtype)
        except UnsupportedType as exc:
            out.skip(name, str(exc))
            continue
        out.add(SchemaFeature(name, family, tuple(shape[1:]), path=f"{name}.npy"))
    return num_events
