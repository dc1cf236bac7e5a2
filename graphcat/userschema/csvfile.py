"""CSV: the header names the columns; dtypes are inferred from the first rows; delimiter sniffed."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, TextIO

from graphcat.errors import InvalidInput
from graphcat.userschema.limits import Features
from graphcat.userschema.model import SchemaFeature

SAMPLE_ROWS = 1000
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t| "
_BOOL = {"true", "false"}
_MISSING = {"na", "n/a", "null", "none"}  # "nan" parses as a float, which it is
# csv refuses fields above its limit (128 KiB by default); a header or a cell that long is not a
# column name or a number, so the default limit is kept and its error reported.


def read_csv(path: Path, out: Features) -> int:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        return read_csv_text(fh, out, source=out.source, tsv=path.suffix.lower() == ".tsv")


def read_csv_text(fh: TextIO, out: Features, *, source: str, tsv: bool = False) -> int:
    try:
        sample = fh.read(_SNIFF_BYTES)
        fh.seek(0)
        if not sample.strip():
            raise InvalidInput("CSV: file is empty (expected a header row)", path=source)
        delimiter = "\t" if tsv else _sniff_delimiter(sample)
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InvalidInput("CSV: the first row (the header) is empty", path=source)
        out.check_count(len(header))
        names = [cell.strip() for cell in header]
        _check_names(names, source)
        kinds: list[set[str]] = [set() for _ in names]
        rows = 0
        for row in reader:
            if not row:
                continue  # blank line
            rows += 1
            if len(row) != len(names):
                raise InvalidInput(
                    f"CSV: row {reader.line_num} has {len(row)} fields; the header has {len(names)}",
                    path=f"{source}:{reader.line_num}",
                )
            if rows <= SAMPLE_ROWS:
                for i, cell in enumerate(row):
                    kind = _kind(cell)
                    if kind is not None:
                        kinds[i].add(kind)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"CSV: not UTF-8 text ({exc.reason} at byte {exc.start})", path=source) from exc
    except csv.Error as exc:
        raise InvalidInput(f"CSV: cannot parse ({exc})", path=source) from exc
    for name, seen in zip(names, kinds):
        out.add(SchemaFeature(name=name, dtype=_dtype(seen), shape=(), path=name))
    return rows


def _sniff_delimiter(sample: str) -> str:
    # Sniff on whole lines only: a cut last line would mislead the sniffer.
    lines = sample.splitlines()
    text = "\n".join(lines[:-1] if len(lines) > 1 and not sample.endswith("\n") else lines)
    try:
        return csv.Sniffer().sniff(text, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # One column, or no delimiter the sniffer trusts: fall back to the most frequent one in
        # the header, else the comma.
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _check_names(names: list[str], source: str) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            raise InvalidInput(f"CSV: column {i} of the header has an empty name", path=f"{source}:1")
        if name in seen:
            raise InvalidInput(
                f"CSV: column name {name!r} appears twice in the header (columns {seen[name]} and {i})",
                path=f"{source}:1",
            )
        seen[name] = i


def _kind(cell: str) -> str | None:
    """"bool", "int", "float" or "string"; None for a missing value."""
    text = cell.strip()
    lowered = text.lower()
    if not text or lowered in _MISSING:
        return None
    if lowered in _BOOL:
        return "bool"
    if "_" in text:
        return "string"  # Python's int()/float() accept "1_000"; CSV readers elsewhere do not
    try:
        int(text, 10)
        return "int"
    except ValueError:
        pass
    try:
        float(text)
    except ValueError:
        return "string"
    return "float"


def _dtype(kinds: Iterable[str]) -> str:
    seen = set(kinds)
    if not seen:
        return "float64"  # an all-missing column: pandas reads it as float64 (all NaN) too
    if seen == {"bool"}:
        return "bool"
    if seen == {"int"}:
        return "int64"
    if seen <= {"int", "float"}:
        return "float64"
    return "string"
