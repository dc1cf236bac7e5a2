"""Read a Hugging Face model card (README.md with YAML front matter) with huggingface_hub's parser.

`read_card` returns a plain `CardRecord` (no huggingface_hub objects): the metadata graphcat maps,
the `model-index` results as `CardResult`s (via `card.data.eval_results`), the prose without the
YAML block, and the ONNX file of the card's folder when there is one. Nothing here touches the
network: `ModelCard.load` is given a local file, never a repository id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graphcat.errors import InvalidInput

CARD_FILE = "README.md"
# The standard metadata keys graphcat maps (docs/interop.md); any other key is listed as not carried over.
MAPPED_KEYS = ("model_name", "license", "tags", "library_name", "pipeline_tag", "datasets", "language",
               "base_model", "eval_results", "model-index", "version")


class CardSourceError(InvalidInput):
    """The model card could not be read: names the file (and line) and what failed."""


@dataclass(frozen=True)
class CardResult:
    """One metric of one `model-index` result (huggingface_hub's EvalResult, flattened)."""

    task_type: str
    task_name: str | None
    dataset_type: str
    dataset_name: str
    dataset_config: str | None
    dataset_split: str | None
    dataset_revision: str | None
    metric_type: str
    metric_name: str | None
    value: Any
    source_url: str | None


@dataclass(frozen=True)
class CardRecord:
    path: Path  # the README.md
    model_name: str | None  # model_name, else the model-index name
    heading: str | None  # the prose's first "# " heading
    license: str | None
    library_name: str | None
    pipeline_tag: str | None
    version: str | None
    tags: tuple[str, ...]
    datasets: tuple[str, ...]
    languages: tuple[str, ...]
    base_models: tuple[str, ...]
    results: tuple[CardResult, ...]
    prose: str
    onnx: Path | None
    ignored_keys: tuple[str, ...] = field(default=())


def card_path(target: str | Path) -> Path:
    """README.md itself, or the README.md of a folder."""
    path = Path(target)
    if path.is_dir():
        path = path / CARD_FILE
    if not path.is_file():
        raise CardSourceError(f"{path}: no model card (expected a README.md or a folder holding one)")
    return path


def read_card(target: str | Path) -> CardRecord:
    from huggingface_hub import ModelCard

    path = card_path(target)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CardSourceError(f"{path}: cannot be read: {exc}") from exc
    try:
        card = ModelCard(text)
    except yaml.YAMLError as exc:
        raise CardSourceError(f"{path}: {_yaml_where(text, exc)}the YAML metadata is not valid: {_yaml_problem(exc)}") from exc
    except (ValueError, KeyError, TypeError) as exc:  # huggingface_hub's own checks (metadata not a mapping, model-index)
        reason = str(exc).split(" Pass `ignore_metadata_errors")[0]  # that hint is about the Python API
        raise CardSourceError(f"{path}: the card metadata cannot be read: {reason}") from exc
    data = card.data.to_dict()
    where = f"{path}: metadata"
    return CardRecord(
        path=path,
        model_name=_text(data.get("model_name"), f"{where} model_name") or _index_name(data, where),
        heading=_heading(card.text),
        license=_text(data.get("license"), f"{where} license"),
        library_name=_text(data.get("library_name"), f"{where} library_name"),
        pipeline_tag=_text(data.get("pipeline_tag"), f"{where} pipeline_tag"),
        version=_text(data.get("version"), f"{where} version"),
        tags=_texts(data.get("tags"), f"{where} tags"),
        datasets=_texts(data.get("datasets"), f"{where} datasets"),
        languages=_texts(data.get("language"), f"{where} language"),
        base_models=_texts(data.get("base_model"), f"{where} base_model"),
        results=tuple(_result(r, path) for r in card.data.eval_results or []),
        prose=card.text.strip(),
        onnx=_onnx_file(path.parent),
        ignored_keys=tuple(sorted(k for k in data if k not in MAPPED_KEYS)),
    )


def _yaml_where(text: str, exc: yaml.YAMLError) -> str:
    """'line N: ' in the README (huggingface_hub parses the block alone, so its marks start at the block)."""
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    match = REGEX_YAML_BLOCK.search(text)
    if mark is None or match is None:
        return ""
    return f"line {text[:match.start(2)].count(chr(10)) + mark.line + 1}: "


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    return problem or str(exc).splitlines()[0]


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip() or None
    raise CardSourceError(f"{where}: expected text, got {type(value).__name__} {value!r}")


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for k, item in enumerate(items):
        text = _text(item, f"{where}[{k}]")
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _index_name(data: dict[str, Any], where: str) -> str | None:
    index = data.get("model-index") or data.get("model_index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        return _text(index[0].get("name"), f"{where} model-index[0].name")
    return None


def _heading(prose: str) -> str | None:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", prose, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def describe(r: Any) -> str:
    """A model-index metric as the card states it (huggingface_hub flattens results into metrics)."""
    named = (f"name {r.metric_name!r}" if r.metric_name else None, f"split {r.dataset_split!r}" if r.dataset_split else None)
    extra = ", ".join(x for x in named if x)
    return (f"model-index metric {r.metric_type!r}" + (f" ({extra})" if extra else "")
            + f" of task {r.task_type!r} on dataset {r.dataset_type!r}")


def _result(r: Any, path: Path) -> CardResult:
    value = r.metric_value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CardSourceError(f"{path}: {describe(r)}: value {value!r} is not a number")
    return CardResult(task_type=str(r.task_type), task_name=r.task_name, dataset_type=str(r.dataset_type),
                      dataset_name=str(r.dataset_name), dataset_config=r.dataset_config, dataset_split=r.dataset_split,
                      dataset_revision=None if r.dataset_revision is None else str(r.dataset_revision),
                      metric_type=str(r.metric_type), metric_name=r.metric_name, value=float(value),
                      source_url=r.source_url)


def _onnx_file(folder: Path) -> Path | None:
    found = sorted(folder.glob("*.onnx"))
    if len(found) > 1:
        raise CardSourceError(f"{folder}: holds {len(found)} ONNX files ({', '.join(p.name for p in found)}); a card "
                              "describes one model: keep one, or register the others with `graphcat import-onnx`")
    return found[0] if found else None
