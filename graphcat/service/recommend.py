"""Recommend catalog model versions for a user's data: `recommend(db, columns, task=..., first=...)`.

The columns come from a data file (graphcat.userschema.read_schema → UserSchema) or a plain list;
the ranker (embeddings.ranker) takes the nearest model versions from the catalog's index
(graphcat.service.vector_index, checked against the catalog's revision token read with the
recommended versions) and rescores them by
structural compatibility. Each result explains itself: which column feeds which model input and
why, the inputs no column satisfies, the columns nothing uses, the transformations to apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from embeddings.errors import InvalidSchema
from embeddings.eventaxis import split_event_axis
from embeddings.ranker import Recommendation as Ranked
from embeddings.schema import Column
from graphcat import domain
from graphcat.errors import InvalidInput
from graphcat.service import vector_index
from graphcat.store import visibility
from graphcat.store.catalog import nodes_at_revision
from graphcat.store.database import Database
from graphcat.userschema import SchemaFeature, UserSchema

MAX_FIRST = 100


@dataclass(frozen=True)
class InputMatch:
    """One model input and the user column that feeds it (None when no column does)."""

    model_input: str
    column: str | None
    score: float
    reason: str
    transformations: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    model_version: domain.ModelVersion
    score: float
    compatibility: float  # mean fit over the model's inputs (1 = every input fed as-is)
    similarity: float  # cosine similarity of the schema text and the model's text
    task_match: float | None  # None when no task was asked for
    mapping: tuple[InputMatch, ...]  # fed inputs first, then unsatisfied ones (column None)
    unused_columns: tuple[str, ...]
    transformations: tuple[str, ...]
    explanation: tuple[str, ...]  # the same facts as readable lines

    @property
    def unsatisfied(self) -> tuple[InputMatch, ...]:
        return tuple(m for m in self.mapping if m.column is None)


@dataclass(frozen=True)
class RecommendResult:
    columns: tuple[Column, ...]
    recommendations: tuple[Recommendation, ...]
    index_fingerprint: str  # the catalog state the ranking comes from
    notes: tuple[str, ...] = ()  # what was read from the columns before matching (the event axis)


def columns_from_schema(features: Iterable[SchemaFeature]) -> list[Column]:
    """The ranker's columns from a user schema's features (a 0-length axis is unknown: variable)."""
    out: list[Column] = []
    for i, f in enumerate(features):
        try:
            out.append(Column(name=f.name, dtype=f.dtype, shape=tuple(d if d else None for d in f.shape),
                              unit=f.unit, description=f.description))
        except InvalidSchema as exc:
            raise InvalidInput(exc.message, path=f"columns[{i}]") from exc
    return out


def _task_id(task: str | None) -> str | None:
    if task is None:
        return None
    task = task.strip()
    if not task:
        raise InvalidInput("a task must not be empty (omit it instead)", path="task")
    return task[len("task:"):] if task.startswith("task:") else task


def recommend(db: Database, columns: UserSchema | Sequence[SchemaFeature], *, task: str | None = None,
              first: int = 10, events: int | None = None) -> RecommendResult:
    """The `first` best model versions for these columns (and task), each with its explanation.

    `events`: the file's row count when the shapes are whole-file ones (h5py's `(250000, 50, 4)`);
    without it the ranker recognises such an axis when every column starts with one large length."""
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be between 1 and {MAX_FIRST}, got {first}", path="first")
    features = columns.features if isinstance(columns, UserSchema) else list(columns)
    if not features:
        raise InvalidInput("give at least one column", path="columns")
    cols = columns_from_schema(features)
    if events is not None:
        try:
            split_event_axis(cols, events)
        except InvalidSchema as exc:
            raise InvalidInput(exc.message, path="events") from exc
    index = vector_index.shared(db.settings)
    # Versions hidden from the caller (private namespaces) are left out by the read below: rank
    # as many more, so that `first` visible ones remain. The versions and the catalog's revision
    # token are read in one round trip, after ranking: the index ranks again when it was not
    # current (CatalogIndex.recommend_read).
    extra = visibility.hidden_count(["model_version"])
    ranked, state, found = index.recommend_read(
        db, cols, task=_task_id(task), k=first + extra, events=events,
        read=lambda ranking: nodes_at_revision(db, [domain.uid("model_version", r.model_id) for r in ranking]))
    out = []
    for r in ranked:
        node = found.get(domain.uid("model_version", r.model_id))
        if not isinstance(node, domain.ModelVersion):
            # Deleted between the ranking and this read: the next call refreshes the index.
            continue
        out.append(_recommendation(node, r))
        if len(out) == first:
            break
    return RecommendResult(tuple(cols), tuple(out), state, ranked[0].notes if ranked else ())


def _recommendation(node: domain.ModelVersion, r: Ranked) -> Recommendation:
    c = r.compatibility
    mapping = [InputMatch(p.input, p.column, p.score, p.reason, tuple(p.transforms)) for p in c.pairs]
    mapping += [InputMatch(name, None, 0.0, why, ()) for name, why in c.unsatisfied]
    return Recommendation(
        model_version=node, score=r.score, compatibility=c.score, similarity=r.similarity, task_match=r.task_match,
        mapping=tuple(mapping), unused_columns=tuple(c.unused), transformations=tuple(c.transformations),
        explanation=tuple(r.explanation()),
    )


def render_table(result: RecommendResult, *, source: str | None = None) -> str:
    """A readable table for the terminal: rank, model version, scores, then each one's mapping."""
    lines = []
    if source:
        lines.append(f"{len(result.columns)} columns from {source}")
    lines.extend(result.notes)
    if not result.recommendations:
        lines.append("no registered model version consumes data like this")
        return "\n".join(lines)
    width = max(len(r.model_version.id) for r in result.recommendations)
    lines.append(f"{'#':>2}  {'model version':<{width}}  score  compat  inputs fed")
    for i, r in enumerate(result.recommendations, start=1):
        fed = sum(1 for m in r.mapping if m.column is not None)
        lines.append(f"{i:>2}  {r.model_version.id:<{width}}  {r.score:5.2f}  {r.compatibility:6.2f}  {fed}/{len(r.mapping)}")
    for i, r in enumerate(result.recommendations, start=1):
        lines.append("")
        lines.append(f"#{i} {r.model_version.id}" + (" (deprecated)" if r.model_version.deprecated else ""))
        lines.extend(f"   {line}" for line in r.explanation)
    return "\n".join(lines)
