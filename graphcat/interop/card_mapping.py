"""Turn a read model card (graphcat.interop.card.CardRecord) into one graphcat catalog document.

The mapping is in docs/interop.md ("Hugging Face model cards"). The card describes one model
version: everything that is the version's content (prose, license, tags, framework, training
datasets, the ONNX signature) goes on the version, so a card edited under the same version is a
conflict; `model-index` results become evaluations. Hub dataset ids are kept as the dataset
version's location `hf://datasets/<id>` so an exported card names the same dataset again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graphcat.interop.card import CardRecord, CardResult, CardSourceError, describe
from graphcat.interop.mlflow_mapping import metric_name, slug

# A card's `datasets:` names a hub dataset, not a version of it; model-index results may give a revision.
UNVERSIONED = "unversioned"
HF_DATASETS = "hf://datasets/"
# library_name -> the catalog's framework vocabulary (any other library: "other").
LIBRARY_FRAMEWORKS = {"pytorch": "pytorch", "transformers": "pytorch", "sentence-transformers": "pytorch",
                      "timm": "pytorch", "peft": "pytorch", "diffusers": "pytorch", "torch": "pytorch",
                      "tensorflow": "tensorflow", "tf-keras": "keras", "keras": "keras", "jax": "jax",
                      "flax": "jax", "onnx": "onnx", "sklearn": "sklearn", "scikit-learn": "sklearn",
                      "xgboost": "xgboost"}
# Spellings of HEP tasks seen on cards -> the catalog's task ids (graphcat/demo/hep-catalog.yaml).
TASK_ALIASES = {"jet-classification": "jet-tagging", "top-quark-tagging": "top-tagging",
                "top-tagger": "top-tagging", "quark-gluon-discrimination": "quark-gluon-tagging",
                "b-jet-tagging": "b-tagging", "flavour-tagging": "jet-tagging", "flavor-tagging": "jet-tagging",
                "tracking": "track-reconstruction", "track-finding": "track-reconstruction",
                "pileup-mitigation": "pile-up-mitigation", "fast-calorimeter-simulation": "calorimeter-simulation"}
# Metadata kept as key=value version tags so an exported card gives them back.
TAG_KEYS = ("library_name", "pipeline_tag", "language", "base_model")
NOTES_PREFIX = "model card:"


@dataclass
class Known:
    """What the catalog already holds that the mapping must not rename or replace."""

    tasks: set[str] = field(default_factory=set)  # task ids
    dataset_names: dict[str, str] = field(default_factory=dict)  # dataset id -> its name in the catalog
    dataset_versions: set[str] = field(default_factory=set)  # "id@version" already registered: referenced as they are
    model_tasks: list[str] | None = None  # the model's tasks when the model exists


def model_identity(record: CardRecord, model_id: str | None) -> tuple[str, str]:
    """(id, name): --model-id, else model_name / model-index name / the first heading / the folder name."""
    name = record.model_name or record.heading or record.path.parent.resolve().name
    ident = slug(model_id) if model_id else slug(name)
    if model_id and ident != model_id:
        raise CardSourceError(f"--model-id {model_id!r}: not a graphcat id (lowercase [a-z0-9][a-z0-9._-]*); "
                              f"{ident!r} would be")
    return ident, name


def task_candidates(record: CardRecord) -> list[str]:
    found = [_task_id(r.task_type) for r in record.results]
    if record.pipeline_tag:
        found.append(_task_id(record.pipeline_tag))
    return sorted(set(found))


def dataset_refs(record: CardRecord) -> set[tuple[str, str]]:
    """(dataset id, version) of every dataset version the card refers to."""
    return ({(slug(d), UNVERSIONED) for d in record.datasets}
            | {(slug(r.dataset_type), r.dataset_revision or UNVERSIONED) for r in record.results})


def document(record: CardRecord, *, model_id: str, name: str, version: str, known: Known,
             onnx_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    datasets: dict[str, dict[str, Any]] = {}
    trained_on = sorted({_dataset(datasets, known, d, None, d) for d in record.datasets})
    evaluations = _evaluations(record, datasets, known)
    tasks, new_tasks = _tasks(record, known)

    entry: dict[str, Any] = {"version": version, "description": record.prose or None,
                             "tags": _version_tags(record), "license": record.license,
                             "framework": _framework(record.library_name, onnx_entry is not None),
                             "trained_on": trained_on, "evaluations": evaluations}
    if onnx_entry is not None:
        for key in ("format", "artifact", "inputs", "outputs"):
            entry[key] = onnx_entry[key]
    model: dict[str, Any] = {"id": model_id, "name": name, "description": _summary(record.prose),
                             "tags": sorted(set(record.tags)), "versions": [_prune(entry)]}
    if tasks:
        model["tasks"] = tasks
    doc: dict[str, Any] = {"graphcat_catalog": 1}
    if new_tasks:
        doc["tasks"] = new_tasks
    if datasets:
        doc["datasets"] = [datasets[k] for k in sorted(datasets)]
    doc["models"] = [_prune(model)]
    return doc


def parse_notes(notes: str | None) -> dict[str, str]:
    """The model-index fields an imported evaluation keeps in its notes (see `_notes`)."""
    if not notes or not notes.startswith(NOTES_PREFIX):
        return {}
    out = {}
    for part in notes[len(NOTES_PREFIX):].split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def dataset_hub_id(location: str | None) -> str | None:
    return location[len(HF_DATASETS):] if location and location.startswith(HF_DATASETS) else None


# -- parts -----------------------------------------------------------------------------------------


def _task_id(text: str) -> str:
    ident = slug(text)
    return TASK_ALIASES.get(ident, ident)


def _tasks(record: CardRecord, known: Known) -> tuple[list[str], list[dict[str, Any]]]:
    """SOLVES: catalog tasks the card names; a model-index task the catalog lacks is created (the
    card states it explicitly); a pipeline_tag the catalog lacks stays a tag only."""
    solves, created = set(), {}
    for r in record.results:
        ident = _task_id(r.task_type)
        solves.add(ident)
        if ident not in known.tasks and ident not in created:
            created[ident] = {"id": ident, "name": r.task_name or r.task_type}
    if record.pipeline_tag and _task_id(record.pipeline_tag) in known.tasks:
        solves.add(_task_id(record.pipeline_tag))
    if not solves:
        return [], []
    old = known.model_tasks or []
    return [*old, *sorted(solves - set(old))], [created[k] for k in sorted(created)]


def _dataset(datasets: dict[str, dict[str, Any]], known: Known, hub_id: str, revision: str | None,
             name: str) -> str:
    ident, version = slug(hub_id), revision or UNVERSIONED
    if f"{ident}@{version}" in known.dataset_versions:
        return f"{ident}@{version}"  # registered already (maybe with another location): refer to it, never restate it
    family = datasets.setdefault(ident, {"id": ident, "name": known.dataset_names.get(ident, name), "versions": []})
    if ident not in known.dataset_names and name != hub_id:
        family["name"] = name  # a model-index dataset name is better than the bare hub id
    if all(v["version"] != version for v in family["versions"]):
        family["versions"].append({"version": version, "location": f"{HF_DATASETS}{hub_id}"})
    return f"{ident}@{version}"


def _evaluations(record: CardRecord, datasets: dict[str, dict[str, Any]], known: Known) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], tuple[CardResult, dict[str, Any]]] = {}
    for r in record.results:
        ref = _dataset(datasets, known, r.dataset_type, r.dataset_revision, r.dataset_name)
        evaluation = {"dataset": ref, "metric": metric_name(r.metric_type), "value": r.value,
                      "source": r.source_url if r.source_url and re.match(r"https?://", r.source_url) else None,
                      "notes": _notes(r)}
        key = (ref, evaluation["metric"])
        if key in out and out[key][1] != evaluation:
            raise CardSourceError(f"{record.path}: {describe(out[key][0])} and {describe(r)} are both metric "
                                  f"{evaluation['metric']!r} on dataset version {ref} (graphcat keeps one value per "
                                  "metric, dataset version and model version): give the dataset a revision per split")
        out.setdefault(key, (r, evaluation))
    return [_prune(e) for _, e in (out[key] for key in sorted(out))]


def _notes(r: CardResult) -> str:
    parts = [("task.type", r.task_type), ("task.name", r.task_name), ("dataset.config", r.dataset_config),
             ("dataset.split", r.dataset_split), ("metric.name", r.metric_name)]
    return NOTES_PREFIX + " " + "; ".join(f"{k}={v}" for k, v in parts if v not in (None, ""))


def _version_tags(record: CardRecord) -> list[str]:
    tags = set(record.tags)
    values = {"library_name": [record.library_name], "pipeline_tag": [record.pipeline_tag],
              "language": list(record.languages), "base_model": list(record.base_models)}
    for key in TAG_KEYS:
        tags.update(f"{key}={v}" for v in values[key] if v)
    return sorted(tags)


def _framework(library_name: str | None, has_onnx: bool) -> str | None:
    if library_name:
        return LIBRARY_FRAMEWORKS.get(library_name.lower(), "other")
    return "onnx" if has_onnx else None


def _summary(prose: str) -> str | None:
    """The first paragraph of prose that is not a heading, code or a table: the model's description."""
    for block in re.split(r"\n\s*\n", prose):
        text = block.strip()
        if text and not text.startswith(("#", "```", "|", "<", "!")):
            return " ".join(text.split())[:1000]
    return None


def _prune(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if v not in (None, [], {})}
