"""Which stored properties a selection needs: lets a DataLoader ask Neo4j for those only.

`trainedModels { id }` of a hub dataset version is ~900 model versions; fetching their ~30
properties each (content_json half of the bytes) and building full objects from them was most of
that request's time. `stored_keys` reads the current field's selection (fragments included) and
names the stored keys its fields read, or None (fetch whole nodes) when the selection asks for
anything not listed here: a field missing from these tables costs speed, never a wrong answer.

Objects built from such partial nodes carry None for what was not fetched: they must never be
cached as the node (the per-request `node` loader holds whole nodes only). Keys their nested
resolvers need without the client naming them (the model of a version for its owner, the dataset
of a dataset version, the two ends of an evaluation, a feature's owner and position) are always
fetched: SKELETON.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from strawberry.types.nodes import SelectedField

SKELETON = ("uid", "kind", "id", "display", "model_uid", "dataset_uid", "model_version_uid", "dataset_version_uid",
            "owner_uid", "role", "position")
_COMMON: dict[str, tuple[str, ...]] = {"__typename": (), "id": (), "slug": (), "display": ()}


def _same(*names: str) -> dict[str, tuple[str, ...]]:
    """Fields stored under their own (snake_case) name."""
    return {_camel(n): (n,) for n in names}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _resolved(*names: str) -> dict[str, tuple[str, ...]]:
    """Fields resolved through another loader from the node's uid (or a SKELETON key)."""
    return {n: () for n in names}


_HP = ("hp_learning_rate", "hp_batch_size", "hp_epochs", "hp_optimizer", "hp_extra")
_REPRO = tuple(f"repro_{k}" for k in ("code_repository", "commit", "environment", "training_config", "seed"))
_CONDITIONS = ("sqrt_s_tev", "pileup_mean", "run_period", "generator", "tune", "detector_simulation", "kinematic_range",
               "condition_parameters")

# GraphQL type -> field -> the stored keys it reads (beyond SKELETON).
STORED: dict[str, dict[str, tuple[str, ...]]] = {
    "ModelVersion": {
        **_same("version", "created_at", "description", "framework", "format", "license", "artifact_uri", "aliases"),
        "artifact": ("artifact_uri", "artifact_sha256"), "hyperparameters": _HP, "reproducibility": _REPRO,
        "deprecated": ("deprecated_reason",), "deprecationReason": ("deprecated_reason",),
        **_resolved("model", "tasks", "datasets", "evaluations", "inputs", "outputs", "owner", "publications",
                    "lineageFrom", "lineageTo", "deployment"),
    },
    "DatasetVersion": {
        **_same("version", "created_at", "description", "format", "location", "doi", "digest", "size_bytes",
                "num_events", "data_type"),
        "conditions": _CONDITIONS,
        **_resolved("detectors", "dataset", "features", "derivedFrom", "derivatives", "trainedModels", "evaluations"),
    },
    "Model": {**_same("name", "description", "tags"), **_resolved("versions", "owner", "publications", "tasks")},
    "Dataset": {**_same("name", "description", "tags"), **_resolved("versions", "owner", "publications", "tasks")},
    "Task": {**_same("name", "description"), **_resolved("parent", "subtasks", "models", "datasets")},
    "Experiment": {**_same("name", "description", "url"), **_resolved("detectors")},
    "Detector": {**_same("name", "description"), "kind": ("detector_kind",),
                 **_resolved("experiment", "datasetVersions")},
    "Owner": {**_same("name", "url"), "kind": ("owner_kind",), **_resolved("models", "datasets")},
    "Publication": {**_same("title", "authors", "year", "arxiv", "doi", "url"), **_resolved("models", "datasets")},
    "Evaluation": {**_same("metric", "value", "date", "source_url", "notes"),
                   **_resolved("dataset", "modelVersion", "source")},
}


def _fields(selections: Iterable[Any]) -> Iterable[SelectedField]:
    """The fields of a selection set, through fragment spreads and inline fragments."""
    for sub in selections:
        if isinstance(sub, SelectedField):
            yield sub
        else:
            yield from _fields(sub.selections)


def subfields(field: SelectedField) -> list[SelectedField]:
    """The fields selected under `field`, through fragments (whatever their type condition)."""
    return list(_fields(field.selections))


def stored_keys(info: Any, type_name: str, path: Sequence[str] = ()) -> tuple[str, ...] | None:
    """The stored keys the current field's selection reads of its `type_name` objects, sorted
    (SKELETON included); None when it asks for a field this module does not know. `path`: the
    objects are that far down the selection (a connection's ("edges", "node"))."""
    return keys_of(within(info.selected_fields, path), type_name)


def within(fields: Iterable[SelectedField], path: Sequence[str]) -> list[SelectedField]:
    """The fields named by `path` below `fields`, every alias and fragment of each step included."""
    found = list(fields)
    for name in path:
        found = [sub for field in found for sub in _fields(field.selections) if sub.name == name]
    return found


def keys_of(fields: Iterable[SelectedField], type_name: str) -> tuple[str, ...] | None:
    """The stored keys the selections of `fields` read of `type_name` objects (see stored_keys)."""
    table = STORED.get(type_name)
    if table is None:
        return None
    keys = set(SKELETON)
    for field in fields:
        for sub in _fields(field.selections):
            needed = _COMMON.get(sub.name, table.get(sub.name))
            if needed is None:
                return None
            keys.update(needed)
    return tuple(sorted(keys))
