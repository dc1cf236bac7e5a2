"""Reading and writing catalog files (YAML or JSON, chosen by extension) and schema validation."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from embeddings.shapes import axis_problem, expected, shape_problem
from graphcat.catalog.plan import Problem, Where
from graphcat.errors import InvalidInput


# libyaml's parser when present (ten times faster on the demo catalog); same documents either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogInvalid(InvalidInput):
    """One or more catalog files are invalid; `problems` lists each as `file: path: problem`."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"catalog rejected, nothing written ({len(problems)} {noun}):\n{lines}",
                         path=str(problems[0].where) if problems else None)

    def __str__(self) -> str:
        return self.message


@lru_cache(maxsize=1)
def catalog_schema() -> dict[str, Any]:
    text = resources.files("graphcat.catalog").joinpath("catalog.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _dates_to_text(value: Any) -> Any:
    # YAML reads an unquoted 2019-02-22 as a date; the format keeps dates as ISO text.
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _dates_to_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(item) for item in value]
    return value


def read_document(path: Path) -> tuple[Any, list[Problem]]:
    """The parsed document, or problems naming the file when it cannot be read or parsed."""
    where = Where(str(path), "$")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(where, f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return None, [Problem(where, f"not UTF-8 text: {exc.reason} at byte {exc.start}")]
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_LOADER)
    except json.JSONDecodeError as exc:
        return None, [Problem(Where(str(path), f"line {exc.lineno} column {exc.colno}"), f"invalid JSON: {exc.msg}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"line {mark.line + 1} column {mark.column + 1}" if mark else "$"
        return None, [Problem(Where(str(path), loc), f"invalid YAML: {getattr(exc, 'problem', None) or exc}")]
    except RecursionError:
        return None, [Problem(where, "nested too deeply to be a catalog")]
    # Only YAML makes dates; walking a large JSON document for them costs seconds.
    return (data if path.suffix.lower() == ".json" else _dates_to_text(data)), []


def _json_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def schema_problems(file: str, document: Any, schema: dict[str, Any] | None = None) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema or catalog_schema())
    problems = []
    shapes_told: set[str] = set()
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        shape = _shape_problem(document, list(error.absolute_path))
        if shape is not None:
            path, text = shape
            if path not in shapes_told:  # one line per shape, however many rules its bad axis broke
                shapes_told.add(path)
                problems.append(Problem(Where(file, path), text))
            continue
        problems.append(Problem(Where(file, _json_path(error.absolute_path)), _describe(error)))
    return problems


def _shape_problem(document: Any, parts: list[Any]) -> tuple[str, str] | None:
    """For an error in a feature's `shape` or one of its axes: (path, text naming the column and what is expected)."""
    if "shape" not in parts[-2:]:
        return None
    at = len(parts) - 1 - parts[::-1].index("shape")
    feature: Any = document
    for part in parts[:at]:
        feature = feature[part]
    if not isinstance(feature, dict) or "shape" not in feature:
        return None
    shape = feature["shape"]
    if at == len(parts) - 2:  # one axis
        problem = axis_problem(shape[parts[-1]])
        text = None if problem is None else f"shape axis {parts[-1]}: {problem}; expected {expected()}"
    else:
        text = shape_problem(shape)
    if text is None:
        return None
    name = feature.get("name")
    label = f"column {name!r}" if isinstance(name, str) else "a column without a name"
    return _json_path(parts), f"{label}: {text}"


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {[v for v in error.validator_value if v is not None]}"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match {error.validator_value}"
    if error.validator == "additionalProperties":
        message = error.message.replace("Additional properties are not allowed", "unknown field(s)")
        extra = set(error.instance) - set(error.schema.get("properties", {})) if isinstance(error.instance, dict) else set()
        if any(" " in str(key) for key in extra):
            # A comma inside unquoted text of a YAML flow mapping {a: b, c} splits it into keys.
            message += "; quote text that contains commas inside {...}"
        return message
    return error.message


def write_document(document: dict[str, Any], path: Path | None) -> str:
    """Serialise deterministically: YAML, or JSON when the file name ends in .json."""
    if path is not None and path.suffix.lower() == ".json":
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text
