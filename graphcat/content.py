"""Canonical content of immutable versions: normalisation, canonical JSON and its sha256.

The content hash is what makes registration idempotent: the same version with the same content
hashes the same whatever the key order, list order of set-like fields, or null/absent spelling.
A feature's shape is content as matching sees it: every spelling of "any length" (null, -1, "N",
"batch", an ONNX dim_param) is null here, so writing a shape another way (e.g. an MLflow or
Croissant -1 exported and imported back) is the same content; the spelling itself is presentation,
kept on the Feature node (`shape_given`) by whichever registration wrote it first.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from embeddings.shapes import normalise_shape, shape_problem

# Mutable facts of a version: never part of its content.
# linked_*: lineage recorded after registration (graphcat.service.lineage_links).
MUTABLE_VERSION_KEYS = ("aliases", "deprecated", "evaluations", "linked_lineage", "linked_derived_from")
# Lists whose order carries no meaning; sorted before hashing and on export.
_SET_LIKE = ("trained_on", "recorded_with", "simulated_with", "aliases", "tags")
_SORTED_OBJECT_LISTS = {"derived_from": ("dataset", "kind"), "lineage": ("type", "from")}
# Lists of features (dicts with a shape) in a version's content.
_FEATURE_LISTS = ("inputs", "outputs", "features")

# Spellings seen in the wild for the normalised hyper-parameter keys (the seed's complaint).
HYPERPARAMETER_SYNONYMS = {
    "learning_rate": ("learning_rate", "lr", "learningrate", "learning-rate", "learningRate", "eta0"),
    "batch_size": ("batch_size", "batchsize", "batch-size", "batchSize", "bs"),
    "epochs": ("epochs", "epoch", "n_epochs", "num_epochs", "nepochs", "max_epochs", "numEpochs"),
    "optimizer": ("optimizer", "optimiser", "optim", "opt"),
}


def normalise_hyperparameters(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Fold synonym keys into the normalised ones and everything else into `extra`.

    Returns (hyperparameters, [(key, problem)]) — problems name the offending key.
    """
    result: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    extra: dict[str, Any] = dict(raw.get("extra") or {})
    lookup = {syn.lower(): key for key, syns in HYPERPARAMETER_SYNONYMS.items() for syn in syns}
    for key, value in raw.items():
        if key == "extra":
            continue
        normal = lookup.get(key.lower())
        if normal is None:
            extra[key] = value
            continue
        if normal in result and value is not None:
            problems.append((key, f"duplicates {normal!r} (already given as another spelling)"))
            continue
        if value is not None:
            result[normal] = value
    for key in list(extra):
        normal = lookup.get(key.lower())
        if normal is not None:
            if normal in result:
                problems.append((f"extra.{key}", f"duplicates {normal!r}"))
            else:
                result[normal] = extra.pop(key)
    if isinstance(result.get("optimizer"), str):
        result["optimizer"] = result["optimizer"].lower()
    if "learning_rate" in result and not isinstance(result["learning_rate"], (int, float)):
        problems.append(("learning_rate", f"{result['learning_rate']!r} is not a number"))
    for key in ("batch_size", "epochs"):
        if key in result and (not isinstance(result[key], int) or isinstance(result[key], bool)):
            problems.append((key, f"{result[key]!r} is not an integer"))
    if extra:
        result["extra"] = extra
    return result, problems


def prune(value: Any) -> Any:
    """Drop None / empty values from mappings (recursively); list elements are kept as they are."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = prune(item)
            if item is None or item == {} or item == []:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def canonical_version(entry: dict[str, Any]) -> dict[str, Any]:
    """The immutable content of a model or dataset version entry, in canonical form."""
    content = {k: v for k, v in entry.items() if k not in MUTABLE_VERSION_KEYS}
    content = prune(content)
    for key in _SET_LIKE:
        if key in content:
            content[key] = sorted(content[key])
    for key, fields in _SORTED_OBJECT_LISTS.items():
        if key in content:
            content[key] = sorted(content[key], key=lambda item: tuple(str(item.get(f)) for f in fields))
    for key in _FEATURE_LISTS:
        if isinstance(content.get(key), list):
            content[key] = [_normalised_feature(f) for f in content[key]]
    return content


def _normalised_feature(feature: Any) -> Any:
    """The feature with its shape as matching sees it (a malformed shape is left for validation to name)."""
    if not isinstance(feature, dict) or shape_problem(feature.get("shape"), smallest=0) is not None:
        return feature  # no shape, or a malformed one: validation names it with its path
    return {**feature, "shape": list(normalise_shape(feature["shape"]))}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def differing_fields(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the fields that differ between two canonical contents."""
    fields: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            fields.extend(differing_fields(a, b, f"{prefix}{key}."))
        else:
            fields.append(prefix + key)
    return fields
