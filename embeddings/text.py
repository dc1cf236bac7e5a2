"""The text embedded for each catalogued entity and for a user's schema.

Column names are written both as given and in their normalised reading (`part_logptrel` →
"particle log pt relative"), so a model that lists `PT` and a schema that says
`transverse_momentum` land near each other in embedding space.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from embeddings.names import canonical, collapse_indexed
from embeddings.schema import Column, ModelCard

MAX_COLUMNS_IN_TEXT = 48  # the encoder truncates at 256 word pieces; keep the head of the list


def columns_text(columns: Sequence[Column]) -> str:
    fields = collapse_indexed(columns)
    parts: list[str] = []
    for f in fields[:MAX_COLUMNS_IN_TEXT]:
        shape = ""
        if f.column.shape:
            shape = " per object" if None in f.column.shape else f" array {'x'.join(map(str, f.column.shape))}"
        parts.append(f"{f.column.name} ({canonical(f.column.name).describe()}{shape})")
    if len(fields) > MAX_COLUMNS_IN_TEXT:
        parts.append(f"and {len(fields) - MAX_COLUMNS_IN_TEXT} more")
    return ", ".join(parts)


def model_card_text(card: ModelCard) -> str:
    pieces = [card.name + "."]
    if card.description:
        pieces.append(card.description)
    if card.extra_text:
        pieces.append(card.extra_text)
    if card.tasks:
        pieces.append("Task: " + ", ".join(t.replace("-", " ") for t in card.tasks) + ".")
    if card.tags:
        pieces.append("Tags: " + ", ".join(card.tags) + ".")
    if card.inputs:
        pieces.append("Inputs: " + columns_text(card.inputs) + ".")
    return " ".join(pieces)


def schema_text(columns: Sequence[Column], task: str | None = None, description: str | None = None) -> str:
    """The query text for a user's data: what it is (if said), the task wanted, the columns."""
    pieces: list[str] = []
    if description:
        pieces.append(description)
    if task:
        pieces.append("Task: " + task.replace("-", " ") + ".")
    pieces.append("Inputs: " + columns_text(columns) + ".")
    return " ".join(pieces)


def dataset_version_text(dataset: Mapping[str, Any], version: Mapping[str, Any], features: Sequence[Column]) -> str:
    pieces = [str(dataset.get("name") or dataset.get("id")) + "."]
    for text in (dataset.get("description"), version.get("description")):
        if text:
            pieces.append(str(text))
    if dataset.get("tasks"):
        pieces.append("Task: " + ", ".join(str(t).replace("-", " ") for t in dataset["tasks"]) + ".")
    if dataset.get("tags"):
        pieces.append("Tags: " + ", ".join(map(str, dataset["tags"])) + ".")
    if features:
        pieces.append("Features: " + columns_text(features) + ".")
    return " ".join(pieces)


def entity_text(entity: Mapping[str, Any], keys: Iterable[str] = ("name", "description", "kind")) -> str:
    """Text of a simple entity (task, experiment, detector): its name, description and kind."""
    return " ".join(str(entity[k]) + "." for k in keys if entity.get(k))
