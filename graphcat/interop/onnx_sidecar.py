"""The optional sidecar YAML of an ONNX file in a folder import (`model.onnx` + `model.yaml`).

Every field is optional (docs/interop.md, "A folder of ONNX files"); an unknown field, a wrong type
or a malformed reference is an error naming the sidecar file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graphcat.deploy import onnx_inspect
from graphcat.errors import InvalidInput

SUFFIXES = (".yaml", ".yml")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
VERSION_REF = re.compile(r"^[a-z0-9][a-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9._+-]*$")
LINEAGE_TYPES = ("FINE_TUNED_FROM", "DISTILLED_FROM", "QUANTIZED_FROM", "CONVERTED_FROM")
TEXT_FIELDS = ("name", "task", "description", "license")
TENSOR_FIELDS = ("unit", "description", "columns")
FIELDS = ("model", "version", *TEXT_FIELDS, "trained_on", "parent", "quantized_from", "inputs", "outputs")


class SidecarInvalid(InvalidInput):
    """A sidecar file is not what docs/interop.md describes; names the file and the field."""


@dataclass(frozen=True)
class Sidecar:
    path: Path | None = None
    model: str | None = None
    version: str | None = None
    name: str | None = None
    task: str | None = None
    description: str | None = None
    license: str | None = None
    trained_on: tuple[str, ...] = ()
    lineage: tuple[tuple[str, str], ...] = ()  # (type, model@version)
    # "inputs" / "outputs" -> tensor name -> {unit, description, columns}
    tensors: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def find(onnx_path: Path) -> Path | None:
    found = [onnx_path.with_suffix(s) for s in SUFFIXES if onnx_path.with_suffix(s).is_file()]
    if len(found) > 1:
        raise SidecarInvalid(f"two sidecar files for one model: {found[0].name} and {found[1].name}", path=str(found[0]))
    return found[0] if found else None


def read(path: Path) -> Sidecar:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SidecarInvalid(f"not valid YAML: {' '.join(str(exc).split())}", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SidecarInvalid(f"cannot be read: {exc}", path=str(path)) from exc
    if data is None:
        return Sidecar(path)
    if not isinstance(data, dict):
        raise SidecarInvalid(f"must be a mapping of fields, got {type(data).__name__}", path=str(path))
    where = str(path)
    for key in data:
        if key not in FIELDS:
            raise SidecarInvalid(f"unknown field (allowed: {', '.join(FIELDS)})", path=f"{where}: {key}")
    texts = {k: _text(data, k, where) for k in TEXT_FIELDS}
    model = _text(data, "model", where)
    if model is not None and not SLUG.match(model):
        raise SidecarInvalid(f"{model!r} is not a graphcat id (lowercase, [a-z0-9._-])", path=f"{where}: model")
    if texts["task"] is not None and not SLUG.match(texts["task"]):
        raise SidecarInvalid(f"{texts['task']!r} is not a task id (lowercase, [a-z0-9._-])", path=f"{where}: task")
    version = _text(data, "version", where)
    if version is not None and not VERSION.match(version):
        raise SidecarInvalid(f"{version!r} is not a version name ([A-Za-z0-9._+-])", path=f"{where}: version")
    trained = data.get("trained_on") or []
    if not isinstance(trained, list):
        raise SidecarInvalid("must be a list of dataset@version", path=f"{where}: trained_on")
    for k, ref in enumerate(trained):
        _ref(ref, f"{where}: trained_on[{k}]", "dataset@version")
    lineage = []
    if data.get("quantized_from") is not None:
        lineage.append(("QUANTIZED_FROM", _ref(data["quantized_from"], f"{where}: quantized_from", "model@version")))
    if data.get("parent") is not None:
        lineage.append(_parent(data["parent"], f"{where}: parent"))
    tensors = {role: _tensors(data.get(role), f"{where}: {role}") for role in ("inputs", "outputs")}
    return Sidecar(path, model, version, texts["name"], texts["task"], texts["description"], texts["license"],
                   tuple(trained), tuple(lineage), tensors)


def annotate(features: list[dict[str, Any]], specs: list[onnx_inspect.TensorSpec], sidecar: Sidecar,
             role: str) -> list[dict[str, Any]]:
    """The file's inputs/outputs with the sidecar's units, descriptions and column names added."""
    given = sidecar.tensors.get(role, {})
    by_name = {s.name: s for s in specs}
    for name in given:
        if name not in by_name:
            raise SidecarInvalid(f"the ONNX file has no {role[:-1]} {name!r} (it has: {', '.join(by_name)})",
                                 path=f"{sidecar.path}: {role}.{name}")
    out = []
    for feature in features:
        extra = given.get(feature["name"], {})
        feature = dict(feature)
        if extra.get("unit") is not None:
            feature["unit"] = extra["unit"]
        parts = [extra["description"]] if extra.get("description") else []
        if extra.get("columns"):
            shape = feature["shape"]
            if not shape or shape[-1] != len(extra["columns"]):
                raise SidecarInvalid(f"{len(extra['columns'])} column names, but the last per-event axis of "
                                     f"{feature['name']!r} (shape {shape}) is not {len(extra['columns'])} long",
                                     path=f"{sidecar.path}: {role}.{feature['name']}.columns")
            parts.append("columns: " + ", ".join(extra["columns"]))
        if parts:
            feature["description"] = "; ".join(parts)
        out.append(feature)
    return out


def _text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        hint = " (quote it: version: \"1.0\")" if key == "version" and isinstance(value, (int, float)) else ""
        raise SidecarInvalid(f"must be non-empty text, got {value!r}{hint}", path=f"{where}: {key}")
    return value


def _ref(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not VERSION_REF.match(value):
        raise SidecarInvalid(f"must be {what}, got {value!r}", path=where)
    return value


def _parent(value: Any, where: str) -> tuple[str, str]:
    if isinstance(value, str):
        return "FINE_TUNED_FROM", _ref(value, where, "model@version")
    if not isinstance(value, dict) or set(value) - {"from", "type"} or "from" not in value:
        raise SidecarInvalid("must be model@version or {from: model@version, type: ...}", path=where)
    kind = value.get("type", "FINE_TUNED_FROM")
    if kind not in LINEAGE_TYPES:
        raise SidecarInvalid(f"type {kind!r} is not one of {', '.join(LINEAGE_TYPES)}", path=f"{where}.type")
    return kind, _ref(value["from"], f"{where}.from", "model@version")


def _tensors(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SidecarInvalid("must map tensor names to {unit, description, columns}", path=where)
    out = {}
    for name, spec in value.items():
        here = f"{where}.{name}"
        if not isinstance(spec, dict):
            raise SidecarInvalid("must be a mapping with unit, description and/or columns", path=here)
        for key in spec:
            if key not in TENSOR_FIELDS:
                raise SidecarInvalid(f"unknown field (allowed: {', '.join(TENSOR_FIELDS)})", path=f"{here}.{key}")
        for key in ("unit", "description"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise SidecarInvalid(f"must be text, got {spec[key]!r}", path=f"{here}.{key}")
        columns = spec.get("columns")
        if columns is not None and (not isinstance(columns, list) or not columns
                                    or not all(isinstance(c, str) and c for c in columns)):
            raise SidecarInvalid("must be a non-empty list of column names", path=f"{here}.columns")
        out[str(name)] = spec
    return out
