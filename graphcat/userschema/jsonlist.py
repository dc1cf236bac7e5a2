"""A plain JSON column list: `["pt", "eta"]` or `[{"name": .., "dtype": .., "shape": [..], "unit": ..}]`.

A bare name means a float32 per-event scalar (the usual HEP column) — say more with the object
form. `{"features": [...], "num_events": N}` is accepted too, and so is `UserSchema.to_dict()`'s
output (its `kind` must agree with the shape).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from embeddings.schema import normalise_dtype
from graphcat.errors import InvalidInput
from graphcat.userschema.limits import Features
from graphcat.userschema.model import DTYPES, SchemaFeature, read_shape

DEFAULT_DTYPE = "float32"
_KEYS = {"name", "dtype", "shape", "unit", "description", "path", "kind"}
_LABEL = {"json": "JSON column list", "schema": "schema"}


def read_json(path: Path, out: Features) -> int | None:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"JSON column list: not UTF-8 text ({exc.reason})", path=out.source) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"JSON column list: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", path=out.source
        ) from exc
    return read_json_value(data, out)


def read_json_value(data: Any, out: Features) -> int | None:
    num_events: int | None = None
    items = data
    if isinstance(data, dict):
        unknown = set(data) - {"features", "num_events", "source", "format", "skipped"}
        if unknown or "features" not in data:
            raise InvalidInput(
                "JSON column list: expected a list of columns or an object with a 'features' list"
                + (f" (unknown keys {sorted(unknown)})" if unknown else ""),
                path=out.source,
            )
        items = data["features"]
        num_events = data.get("num_events")
        if num_events is not None and (not isinstance(num_events, int) or isinstance(num_events, bool) or num_events < 0):
            raise InvalidInput(f"JSON column list: num_events must be a non-negative integer, got {num_events!r}",
                               path=f"{out.source}:num_events")
    if not isinstance(items, list):
        raise InvalidInput(f"JSON column list: expected a list of columns, got {_json_type(items)}", path=out.source)
    if not items:
        raise InvalidInput("JSON column list: the list is empty", path=out.source)
    out.check_count(len(items))
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        feature = feature_from_json(item, where=f"{out.source}[{i}]", source_format="json")
        if feature.name in seen:
            raise InvalidInput(
                f"JSON column list: column {feature.name!r} appears twice (items {seen[feature.name]} and {i})",
                path=f"{out.source}[{i}]",
            )
        seen[feature.name] = i
        out.add(feature)
    return num_events


def feature_from_json(item: Any, *, where: str, source_format: str = "json") -> SchemaFeature:
    label = _LABEL.get(source_format, source_format)
    if isinstance(item, str):
        if not item.strip():
            raise InvalidInput(f"{label}: a column name is empty", path=where)
        return SchemaFeature(name=item.strip(), dtype=DEFAULT_DTYPE, shape=())
    if not isinstance(item, dict):
        raise InvalidInput(f"{label}: a column is a name or an object, got {_json_type(item)}", path=where)
    unknown = set(item) - _KEYS
    if unknown:
        raise InvalidInput(f"{label}: unknown keys {sorted(map(str, unknown))}; allowed: {sorted(_KEYS)}", path=where)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{label}: 'name' must be a non-empty string", path=f"{where}.name")
    dtype = item.get("dtype", DEFAULT_DTYPE)
    if isinstance(dtype, str):
        dtype = normalise_dtype(dtype)
    if dtype not in DTYPES:
        raise InvalidInput(f"{label}: dtype {dtype!r} is not one of {', '.join(DTYPES)}", path=f"{where}.dtype")
    shape = read_shape(item.get("shape", []), f"{label}: column {name.strip()!r}", f"{where}.shape")
    texts: dict[str, str | None] = {}
    for key in ("unit", "description", "path"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{label}: {key!r} must be a string or null, got {_json_type(value)}", path=f"{where}.{key}")
        texts[key] = value
    feature = SchemaFeature(name=name.strip(), dtype=dtype, shape=shape, **texts)
    kind = item.get("kind")
    if kind is not None and kind != feature.kind:
        raise InvalidInput(f"{label}: kind {kind!r} contradicts shape {list(shape)} (a {feature.kind})", path=f"{where}.kind")
    return feature


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
