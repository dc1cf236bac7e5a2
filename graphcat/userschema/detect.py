"""Which format a file is in: its extension, checked against its first bytes (magic numbers)."""

from __future__ import annotations

from pathlib import Path

from graphcat.errors import InvalidInput

LABELS = {
    "csv": "CSV", "parquet": "Parquet", "arrow": "Arrow", "hdf5": "HDF5", "root": "ROOT",
    "npz": "NPZ", "onnx": "ONNX", "json": "JSON column list",
}

EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow",
    ".h5": "hdf5", ".hdf5": "hdf5", ".hdf": "hdf5", ".he5": "hdf5",
    ".root": "root",
    ".npz": "npz",
    ".onnx": "onnx",
    ".json": "json",
}

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# An HDF5 file may carry a user block before its superblock: the signature then sits at
# 512, 1024, 2048 ... bytes (HDF5 file format specification, "Format Signature").
_HDF5_OFFSETS = (0, 512, 1024, 2048, 4096, 8192)


def sniff(path: Path) -> str | None:
    """The binary format the first bytes announce, or None (text formats and ONNX have no magic)."""
    with path.open("rb") as fh:
        head = fh.read(16)
        if head.startswith(b"root"):
            return "root"
        if head.startswith(b"PAR1"):
            return "parquet"
        if head.startswith(b"ARROW1"):
            return "arrow"
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return "npz"
        for offset in _HDF5_OFFSETS:
            fh.seek(offset)
            if fh.read(8) == HDF5_SIGNATURE:
                return "hdf5"
    return None


def detect(path: Path, declared: str | None = None, source: str | None = None) -> str:
    """The format of `path`; an unknown extension or an extension the content contradicts is an error."""
    suffix = path.suffix.lower()
    name = source or path.name
    by_name = declared or EXTENSIONS.get(suffix)
    if declared is not None and declared not in LABELS:
        raise InvalidInput(f"unknown format {declared!r}; supported: {', '.join(LABELS)}", path=name)
    by_content = sniff(path)
    if by_name is None:
        if by_content is None:
            raise InvalidInput(
                f"unsupported file type {suffix or '(no extension)'!r}; supported extensions: "
                f"{', '.join(sorted(EXTENSIONS))}",
                path=name,
            )
        return by_content
    if by_content is not None and by_content != by_name:
        raise InvalidInput(
            f"{LABELS[by_name]}: the file name says {LABELS[by_name]} but the content is {LABELS[by_content]}",
            path=name,
        )
    if by_content is None and by_name in {"root", "parquet", "arrow", "hdf5", "npz"}:
        raise InvalidInput(
            f"{LABELS[by_name]}: file is truncated or not {LABELS[by_name]} (no {LABELS[by_name]} signature at its start)",
            path=name,
        )
    return by_name
