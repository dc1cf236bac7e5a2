"""Container type strings as the reading libraries print them, mapped to a dtype and a per-event shape.

Users copy the type of a column straight from their reader, so a column's `dtype` may be:

- uproot typenames: `float[]` (jagged, counted by another branch), `float[4]`, `std::vector<float>`,
  `vector<vector<double>>`, `ROOT::VecOps::RVec<int>`, `Float_t[]`;
- uproot interpretations: `AsJagged(AsDtype('>f4'))`, `AsDtype('>f8')`, `AsDtype("('>f4', (4,))")`,
  `AsObjects(AsVector(True, dtype('>f4')))`;
- awkward types: `var * float32`, `4 * float64`, `?float32`, `option[var * int32]`, and a whole
  array's `250000 * var * float32` (the leading length stays an axis: `embeddings/eventaxis.py` takes
  a shared large leading length off as the event axis);
- pyarrow types: `list<item: float>`, `large_list<element: double>`, `fixed_size_list<item: float>[4]`,
  `list<element: list<item: float>>`, `dictionary<values=string, indices=int32, ordered=0>`,
  `float not null`; `struct<pt: float, eta: float>` (alone or inside lists) is a record whose fields
  become columns `name.pt`, `name.eta` (`struct_fields`);
- pandas dtypes: `Float32`, `Int64` (nullable), `category`, `object`.

`parse_type(text)` gives `(dtype, shape)` or None when the text is no container type it knows; the
scalar dtype inside goes through `embeddings.schema.normalise_dtype`. Imports nothing from graphcat.
"""

from __future__ import annotations

import re
from typing import Callable

Shape = tuple[int | None, ...]

_VECTOR = re.compile(r"^(?:std::)?(?:vector|ROOT::VecOps::RVec|RVec|ROOT::RVec)\s*<(.*)>$", re.S)
_CARRAY = re.compile(r"^(.*?)\s*\[\s*(\d*)\s*\]$", re.S)
_ARROW_LIST = re.compile(r"^(?:large_)?list\s*<\s*(?:\w+\s*:\s*)?(.*)>$", re.S)
_ARROW_FIXED = re.compile(r"^fixed_size_list\s*<\s*(?:\w+\s*:\s*)?(.*)>\s*\[\s*(\d+)\s*\]$", re.S)
_ARROW_DICT = re.compile(r"^dictionary\s*<\s*values\s*=\s*([^,>]+)", re.S)
_NP_DTYPE = re.compile(r"""^dtype\s*\(\s*['"]([^'"]+)['"]\s*\)$""")
_SUBARRAY = re.compile(r"""^['"]?\(\s*['"]([^'"]+)['"]\s*,\s*\(([\d\s,]*)\)\s*\)['"]?$""")
_AWKWARD_AXIS = re.compile(r"^(var|\d+)\s*\*\s*(.*)$", re.S)
_PANDAS = {"category": "string", "object": "string", "boolean": "bool", "string[python]": "string",
           "string[pyarrow]": "string"}


def parse_type(text: str, normalise: Callable[[str], str]) -> tuple[str, Shape] | None:
    """(dtype, per-event shape) of a container type string, or None when `text` is not one."""
    parsed = _parse(text.strip(), normalise, depth=0)
    if parsed is None or parsed[0] == "struct":
        return None
    return parsed


def struct_fields(text: str, normalise: Callable[[str], str]) -> list[tuple[str, str, Shape]] | None:
    """(field name, dtype, shape) of each field of a struct type, lists around the struct prefixed to
    every field's shape (`list<item: struct<pt: float>>` -> [("pt", "float32", (None,))]); None when
    `text` is not a struct."""
    outer: list[int | None] = []
    body = text.strip()
    while True:
        body = _strip_nullable(body)
        fixed = _ARROW_FIXED.match(body)
        listed = _ARROW_LIST.match(body) if not fixed else None
        awk = _AWKWARD_AXIS.match(body)
        if fixed:
            outer.append(int(fixed.group(2)))
            body = fixed.group(1)
        elif listed:
            outer.append(None)
            body = listed.group(1)
        elif awk:
            outer.append(None if awk.group(1) == "var" else int(awk.group(1)))
            body = awk.group(2)
        else:
            break
    if body.startswith("{") and body.endswith("}"):  # awkward records: {pt: float32, eta: float32}
        inner = body[1:-1]
    else:
        m = re.match(r"^struct\s*<(.*)>$", body, re.S)
        if not m:
            return None
        inner = m.group(1)
    fields = []
    for part in _split_top(inner):
        name, sep, ftype = part.partition(":")
        if not sep or not name.strip():
            return None
        sub = _parse(ftype.strip(), normalise, depth=1)
        if sub is None or sub[0] == "struct":
            return None
        fields.append((name.strip(), sub[0], tuple(outer) + sub[1]))
    return fields or None


def _strip_nullable(text: str) -> str:
    text = re.sub(r"\s+not\s+null$", "", text.strip())
    if text.startswith("?"):
        return text[1:].strip()
    m = re.match(r"^option\s*\[(.*)\]$", text, re.S)
    return m.group(1).strip() if m else text


def _scalar(text: str, normalise: Callable[[str], str]) -> tuple[str, Shape] | None:
    text = text.strip().strip("'\"")
    m = _NP_DTYPE.match(text)
    if m:
        text = m.group(1)
    sub = _SUBARRAY.match(text)
    if sub:
        dims = tuple(int(d) for d in sub.group(2).replace(",", " ").split())
        inner = _scalar(sub.group(1), normalise)
        return (inner[0], dims + inner[1]) if inner else None
    low = text.lower()
    if low in _PANDAS:
        return _PANDAS[low], ()
    dtype = normalise(text)
    if dtype == text and not re.fullmatch(r"[a-z0-9]+", text):
        dtype = normalise(low)  # pandas nullable `Int64`, `Float32`
    from embeddings.schema import DTYPES

    if dtype in DTYPES:
        return dtype, ()
    if normalise(low) in DTYPES:
        return normalise(low), ()
    return None


def _parse(text: str, normalise: Callable[[str], str], *, depth: int) -> tuple[str, Shape] | None:
    if depth > 8 or not text:
        return None
    text = _strip_nullable(text)
    if re.match(r"^struct\s*<", text) or (text.startswith("{") and text.endswith("}")):
        return "struct", ()
    for pattern, size in ((_ARROW_FIXED, True), (_ARROW_LIST, False), (_VECTOR, False)):
        m = pattern.match(text)
        if m:
            inner = _parse(m.group(1), normalise, depth=depth + 1)
            if inner is None:
                return None
            return inner[0], ((int(m.group(2)),) if size else (None,)) + inner[1]
    m = _AWKWARD_AXIS.match(text)
    if m:
        inner = _parse(m.group(2), normalise, depth=depth + 1)
        if inner is None:
            return None
        return inner[0], ((None if m.group(1) == "var" else int(m.group(1))),) + inner[1]
    args = _call(text, "AsObjects")
    if args is not None:
        return _parse(args, normalise, depth=depth + 1)
    args = _call(text, "AsJagged")
    if args is not None:
        inner = _parse(_split_top(args)[0] if args.strip() else "", normalise, depth=depth + 1)
        return (inner[0], (None,) + inner[1]) if inner else None
    args = _call(text, "AsVector")
    if args is not None:
        parts = _split_top(args)  # AsVector(header, content)
        inner = _parse(parts[-1], normalise, depth=depth + 1) if len(parts) == 2 else None
        return (inner[0], (None,) + inner[1]) if inner else None
    args = _call(text, "AsDtype") or _call(text, "AsDtypeInPlace")
    if args is not None:
        return _scalar(_split_top(args)[0] if args.strip() else "", normalise)
    m = _ARROW_DICT.match(text)
    if m:
        return _scalar(m.group(1), normalise)
    m = _CARRAY.match(text)
    if m and m.group(1):
        inner = _parse(m.group(1), normalise, depth=depth + 1)
        if inner is None:
            return None
        return inner[0], ((int(m.group(2)) or None) if m.group(2) else None,) + inner[1]
    return _scalar(text, normalise)


def _call(text: str, name: str) -> str | None:
    """The argument text of `name(...)` when `text` is exactly that call (balanced parentheses)."""
    m = re.match(rf"^{name}\s*\(", text)
    if not m or not text.endswith(")"):
        return None
    depth, quote = 0, ""
    for i, ch in enumerate(text[m.end() - 1:], start=m.end() - 1):
        if quote:
            quote = "" if ch == quote else quote
            continue
        quote = ch if ch in "'\"" else ""
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[m.end():-1] if i == len(text) - 1 else None
    return None


def _split_top(text: str) -> list[str]:
    """Split a field list at commas outside <>, [], {}, () and quotes."""
    parts, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    tail = text[start:]
    if tail.strip():
        parts.append(tail)
    return [p.strip() for p in parts if p.strip()]
