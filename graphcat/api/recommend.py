"""`recommendModels(columns | file, task, first)`: which catalog models can consume the caller's data.

The data is described by a column list or an uploaded file (GraphQL multipart request spec:
`operations`, `map` and the file part, as `POST /graphql` with multipart/form-data); files are
read by graphcat.userschema, so every format `graphcat schema` reads works here. A file that
cannot be read, or a bad column, is an `InvalidInputError` naming the problem and where it is.
"""

from __future__ import annotations

from typing import Annotated, Sequence

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.file_uploads import Upload

from embeddings.schema import Column
from embeddings.shapes import axis_from_text, axis_text
from graphcat.api.uploads import read_upload
from graphcat.api.types.catalog import Info
from graphcat.api.types.models import ModelVersion
from graphcat.api.types.errors import InvalidInputError, as_result
from graphcat.api.types.plain import plain_input
from graphcat.errors import InvalidInput
from graphcat.service import recommend as service
from graphcat.userschema import SchemaFeature, UserSchema, read_schema_bytes
from graphcat.userschema.model import read_shape


@plain_input  # a wide ntuple sends hundreds of columns: strawberry's conversion took 0.17 ms each
@strawberry.input(description="One column (per-event field) of your data.")
class ColumnInput:
    name: str
    dtype: str = "float32"
    shape: list[int | None] = strawberry.field(
        default_factory=list, description="Per-event shape: [] scalar, [30] fixed, [null] or [-1] variable length."
    )
    shape_given: list[str | None] | None = strawberry.field(default=None, description=(
        "The shape as you write it, instead of `shape`: per axis a size (\"30\"), null or \"-1\", or a dynamic axis "
        "name (\"N\", \"batch\"); every spelling of a variable axis ranks the same."))
    unit: str | None = None
    description: str | None = None


@strawberry.type(description="A model input and the column of yours that feeds it (`userColumn` null: none does).")
class ColumnMapping:
    model_input: str
    user_column: str | None
    column_shape: list[int | None] | None = strawberry.field(
        description="The column's shape as read (null for any length, whatever its spelling); null without a column.")
    column_shape_given: list[str | None] | None = strawberry.field(description=(
        "The column's shape as you gave it, per axis: \"30\", \"-1\", null, \"N\", \"batch\"...; null without a column."))
    score: float = strawberry.field(description="How well the column fits the input, 0..1.")
    note: str = strawberry.field(description="Why it fits (name, shape, dtype), or why no column does.")
    transformations: list[str]

    @classmethod
    def from_domain(cls, m: service.InputMatch, shapes: "ReadColumns") -> "ColumnMapping":
        column = shapes.get(m.column) if m.column is not None else None
        return cls(model_input=m.model_input, user_column=m.column, score=m.score, note=m.reason,
                   column_shape=column.shape if column else None, column_shape_given=column.shape_given if column else None,
                   transformations=list(m.transformations))


@strawberry.type(description="A recommended model version and why.")
class Recommendation:
    model_version: ModelVersion
    score: float = strawberry.field(description="The ranking score (compatibility, columns used, similarity, task).")
    compatibility: float = strawberry.field(description="Mean fit over the model's inputs: 1 = every input fed as-is.")
    similarity: float = strawberry.field(description="Cosine similarity of your schema's text and the model's.")
    task_match: float | None = strawberry.field(description="1 the task asked for, 0.7 a parent or subtask, 0 other; null without a task.")
    explanation: str = strawberry.field(description="One line: inputs satisfied and columns used.")
    explanation_lines: list[str] = strawberry.field(description="The whole explanation, a line per fact.")
    mapping: list[ColumnMapping] = strawberry.field(description="Every model input: fed ones first, then unsatisfied ones.")
    unsatisfied_inputs: list[ColumnMapping]
    unused_columns: list[str]
    transformations: list[str] = strawberry.field(description="What to apply to your columns before feeding the model.")

    @classmethod
    def from_domain(cls, r: service.Recommendation, shapes: "ReadColumns") -> "Recommendation":
        return cls(
            model_version=ModelVersion.from_domain(r.model_version), score=r.score, compatibility=r.compatibility,
            similarity=r.similarity, task_match=r.task_match, explanation=r.explanation[0] if r.explanation else "",
            explanation_lines=list(r.explanation), mapping=[ColumnMapping.from_domain(m, shapes) for m in r.mapping],
            unsatisfied_inputs=[ColumnMapping.from_domain(m, shapes) for m in r.unsatisfied],
            unused_columns=list(r.unused_columns), transformations=list(r.transformations),
        )


@strawberry.type(description="A column as the recommender read it.")
class RecommendColumn:
    name: str
    dtype: str
    shape: list[int | None] = strawberry.field(description=(
        "As read: null for any length, whatever its spelling (a whole-file leading length too: `notes` says it was taken off)."))
    shape_given: list[str | None] = strawberry.field(description=(
        "As you gave it, per axis as text (\"30\", \"-1\", null, \"N\", \"batch\"); a file's columns as read from it."))


class ReadColumns:
    """The columns as read, each made a `RecommendColumn` when asked for: a mapping names a few of
    them, and `columns` (every one: 806 objects for the demo's widest schema) is often not selected."""

    def __init__(self, columns: Sequence[Column], spelled: dict[str, list[str | None]]) -> None:
        self._columns = {c.name: c for c in columns}
        self._spelled = spelled
        self._made: dict[str, RecommendColumn] = {}

    def get(self, name: str) -> RecommendColumn | None:
        made = self._made.get(name)
        if made is None and (c := self._columns.get(name)) is not None:
            given = self._spelled.get(name)
            made = self._made[name] = RecommendColumn(name=c.name, dtype=c.dtype, shape=list(c.shape), shape_given=(
                given if given is not None else [axis_text(a) for a in c.shape]))
        return made

    def all(self) -> list[RecommendColumn]:
        return [self.get(name) for name in self._columns]  # type: ignore[misc]


@strawberry.type(description="Recommendations, best first, for the columns read.")
class Recommendations:
    source: str | None = strawberry.field(description="The uploaded file's name (null for a column list).")
    read: strawberry.Private[ReadColumns]
    columns: list[RecommendColumn] = strawberry.field(resolver=lambda root: root.read.all())  # only when selected
    items: list[Recommendation]
    index_fingerprint: str = strawberry.field(description="The catalog state the ranking comes from.")
    notes: list[str] = strawberry.field(description=(
        "What was read from the columns before matching: e.g. that a shared leading length of every "
        "column (h5py's whole-file shapes) is the event axis, and was taken off."))


RecommendModelsResult = Annotated[Recommendations | InvalidInputError, strawberry.union("RecommendModelsResult")]


def _features(columns: list[ColumnInput]) -> tuple[list[SchemaFeature], dict[str, list[str | None]]]:
    """The columns as SchemaFeatures, and each column's shape as given (axes as text)."""
    out, spelled = [], {}
    for i, c in enumerate(columns):
        given = list(c.shape) if c.shape_given is None else [axis_from_text(a) for a in c.shape_given]
        if c.shape and c.shape_given is not None:
            raise InvalidInput(f"column {c.name!r}: give `shape` or `shapeGiven`, not both", path=f"columns[{i}].shapeGiven")
        shape = read_shape(given, f"column {c.name!r}", f"columns[{i}]." + ("shape" if c.shape_given is None else "shapeGiven"))
        try:
            out.append(SchemaFeature(name=c.name, dtype=c.dtype, shape=shape, unit=c.unit,
                                     description=c.description))
        except InvalidInput as exc:
            field = (exc.path or "").rpartition(".")[2] if exc.path and "." in exc.path else None
            raise InvalidInput(exc.message, path=f"columns[{i}]" + (f".{field}" if field else "")) from exc
        spelled[c.name] = list(c.shape_given) if c.shape_given is not None else [axis_text(a) for a in given]
    return out, spelled


async def recommend_models(
    info: Info,
    columns: list[ColumnInput] | None = None,
    file: Upload | None = None,
    task: str | None = None,
    first: int = 10,
    events: Annotated[int | None, strawberry.argument(description=(
        "The number of rows (events) when the column shapes describe the whole file, as h5py and numpy "
        "print them: that leading length is taken off every column that starts with it."))] = None,
) -> RecommendModelsResult:
    settings = info.context.settings

    async def work() -> Recommendations:
        if (columns is None) == (file is None):
            raise InvalidInput("give either `columns` or `file`, not both and not neither", path="columns")
        if not 1 <= first <= settings.graphql_max_page_size:
            raise InvalidInput(f"first must be between 1 and {settings.graphql_max_page_size}", path="first")
        source: str | None = None
        spelled: dict[str, list[str | None]] = {}
        if file is not None:
            source = getattr(file, "filename", None) or "upload"
            data = await read_upload(file, settings)
            try:
                schema: UserSchema | list[SchemaFeature] = await run_in_threadpool(
                    read_schema_bytes, data, source, settings)
            except InvalidInput as exc:
                raise InvalidInput(str(exc), path="file") from exc
        else:
            assert columns is not None
            schema, spelled = _features(columns)
        found = await run_in_threadpool(service.recommend, info.context.db, schema, task=task, first=first,
                                        events=events)
        read = ReadColumns(found.columns, spelled)
        return Recommendations(
            source=source,
            read=read,
            items=[Recommendation.from_domain(r, read) for r in found.recommendations],
            index_fingerprint=found.index_fingerprint,
            notes=list(found.notes),
        )

    return await as_result(work)  # type: ignore[return-value]
