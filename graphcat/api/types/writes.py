"""Catalog mutations. Each returns the entity or a typed error (InvalidInputError with the field
path, NotFoundError, ConflictError); only outages and bugs become top-level errors.

Inputs are translated into the catalog file format (docs/catalog-format.md) and registered by
graphcat.service.catalog, so the API and `graphcat import` share one set of rules: versions are
immutable, lineage (trainedOn, lineage links) is declared when a version is registered.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Awaitable, Callable, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool

from embeddings.shapes import axis_from_text, normalise_shape, shape_problem
from graphcat import domain
from graphcat.api.types.catalog import DatasetVersion, Detector, Evaluation, Experiment, Info
from graphcat.api.types.models import ModelVersion
from graphcat.api.types.errors import ConflictError, InvalidInputError, NotFoundError, UserError, as_result
from graphcat.api.types.scalars import Long
from graphcat.errors import InvalidInput
from graphcat.service import catalog

T = TypeVar("T")

# "<request>: models[0].versions[0].inputs[2].dtype" -> "input.inputs[2].dtype"
_CATALOG_PATH = re.compile(r"^(?:<request>: )?(?:\$\.)?(?:(?:models|datasets|experiments|detectors)\[0\])?(?:\.versions\[0\])?\.?")


def _input_path(path: str | None) -> str | None:
    if path is None:
        return None
    rest = _CATALOG_PATH.sub("", path)
    return f"input.{rest}" if rest else "input"


async def _mutate(work: Callable[[], Awaitable[T]]) -> T | UserError:
    result = await as_result(work)
    if isinstance(result, UserError) and result.code == InvalidInput.code:
        result.field = _input_path(result.field)
    return result


def _slug(uid: str, kind: str) -> str:
    """Accept a global id (`model_version:x@1`) or a bare catalog id (`x@1`)."""
    prefix = f"{kind}:"
    return uid[len(prefix):] if uid.startswith(prefix) else uid


def _drop_unset(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v is not strawberry.UNSET}


@strawberry.input
class FeatureInput:
    name: str
    dtype: str
    shape: list[int | None] = strawberry.field(default_factory=list)
    shape_given: list[str | None] | None = strawberry.field(default=None, description=(
        "The shape as you write it, kept and shown back: per axis a size (\"30\"), null or \"-1\" (any length), or "
        "a dynamic axis name (\"N\", \"batch\"). Give it instead of `shape` (both: they must agree)."))
    unit: str | None = None
    description: str | None = None

    def given(self) -> list[Any]:
        return list(self.shape) if self.shape_given is None else [axis_from_text(a) for a in self.shape_given]

    def to_catalog(self) -> dict[str, Any]:
        return _drop_unset({"name": self.name, "dtype": self.dtype, "unit": self.unit,
                            "description": self.description}) | {"shape": self.given()}


def _check_shapes(features: list[FeatureInput], field: str) -> None:
    """`shape` and `shapeGiven` both given must say the same (a size per axis, or any length)."""
    for k, f in enumerate(features):
        if f.shape and f.shape_given is not None and shape_problem(f.given()) is None and \
                normalise_shape(f.shape) != normalise_shape(f.given()):
            raise InvalidInput(f"column {f.name!r}: shape {list(f.shape)} and shapeGiven {f.shape_given} disagree; "
                               "give one of them", path=f"{field}[{k}].shapeGiven")


@strawberry.enum
class ModelLineageType(Enum):
    FINE_TUNED_FROM = "FINE_TUNED_FROM"
    DISTILLED_FROM = "DISTILLED_FROM"
    QUANTIZED_FROM = "QUANTIZED_FROM"
    CONVERTED_FROM = "CONVERTED_FROM"


@strawberry.input(description="This version was made from another model version.")
class LineageLinkInput:
    type: ModelLineageType
    source: strawberry.ID = strawberry.field(name="from")


@strawberry.input
class RegisterModelVersionInput:
    model: str = strawberry.field(description="The model's id (a slug); the model is created when `modelName` is given.")
    version: str
    model_name: str | None = None
    tasks: list[str] | None = None
    framework: str | None = None
    format: str | None = None
    license: str | None = None
    description: str | None = None
    created_at: str | None = None
    artifact_uri: str | None = None
    inputs: list[FeatureInput] = strawberry.field(default_factory=list)
    outputs: list[FeatureInput] = strawberry.field(default_factory=list)
    trained_on: list[strawberry.ID] = strawberry.field(default_factory=list, description="Dataset version ids.")
    lineage: list[LineageLinkInput] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterDatasetVersionInput:
    dataset: str
    version: str
    dataset_name: str | None = None
    tasks: list[str] | None = None
    description: str | None = None
    created_at: str | None = None
    format: str | None = None
    location: str | None = None
    doi: str | None = None
    num_events: Long | None = None
    data_type: str | None = None
    simulated_with: list[strawberry.ID] = strawberry.field(default_factory=list, description="Detector ids.")
    recorded_with: list[strawberry.ID] = strawberry.field(default_factory=list, description="Detector ids.")
    features: list[FeatureInput] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterExperimentInput:
    id: str
    name: str
    description: str | None = None
    url: str | None = None


@strawberry.input
class RegisterDetectorInput:
    id: str
    name: str
    experiment: strawberry.ID
    kind: str | None = None
    description: str | None = None


@strawberry.input
class RecordEvaluationInput:
    model_version: strawberry.ID
    dataset: strawberry.ID = strawberry.field(description="The dataset version measured on.")
    metric: str
    value: float
    date: str | None = None
    source: str | None = strawberry.field(default=None, description="A publication id or a URL.")
    notes: str | None = None


RegisterModelVersionResult = Annotated[
    ModelVersion | InvalidInputError | ConflictError | NotFoundError, strawberry.union("RegisterModelVersionResult")
]
RegisterDatasetVersionResult = Annotated[
    DatasetVersion | InvalidInputError | ConflictError | NotFoundError, strawberry.union("RegisterDatasetVersionResult")
]
RegisterExperimentResult = Annotated[
    Experiment | InvalidInputError | ConflictError, strawberry.union("RegisterExperimentResult")
]
RegisterDetectorResult = Annotated[
    Detector | InvalidInputError | ConflictError | NotFoundError, strawberry.union("RegisterDetectorResult")
]
RecordEvaluationResult = Annotated[
    Evaluation | InvalidInputError | NotFoundError, strawberry.union("RecordEvaluationResult")
]
ModelVersionResult = Annotated[
    ModelVersion | InvalidInputError | NotFoundError, strawberry.union("ModelVersionResult")
]


async def register_model_version(info: Info, input: RegisterModelVersionInput) -> RegisterModelVersionResult:
    version = _drop_unset({
        "version": input.version, "framework": input.framework, "format": input.format, "license": input.license,
        "description": input.description, "created_at": input.created_at,
    })
    if input.artifact_uri is not None:
        version["artifact"] = {"uri": input.artifact_uri}
    if input.inputs:
        version["inputs"] = [f.to_catalog() for f in input.inputs]
    if input.outputs:
        version["outputs"] = [f.to_catalog() for f in input.outputs]
    if input.trained_on:
        version["trained_on"] = [_slug(str(d), "dataset_version") for d in input.trained_on]
    if input.lineage:
        version["lineage"] = [{"type": link.type.value, "from": _slug(str(link.source), "model_version")}
                              for link in input.lineage]
    model = _drop_unset({"name": input.model_name, "tasks": input.tasks}) if input.model_name else None

    async def work() -> ModelVersion:
        _check_shapes(input.inputs, "inputs")
        _check_shapes(input.outputs, "outputs")
        mv = await run_in_threadpool(catalog.register_model_version, info.context.db, input.model, version, model=model,
                                     actor=info.context.actor)
        return ModelVersion.from_domain(mv)

    return await _mutate(work)  # type: ignore[return-value]


async def register_dataset_version(info: Info, input: RegisterDatasetVersionInput) -> RegisterDatasetVersionResult:
    version = _drop_unset({
        "version": input.version, "description": input.description, "created_at": input.created_at,
        "format": input.format, "location": input.location, "doi": input.doi, "num_events": input.num_events,
        "data_type": input.data_type,
    })
    if input.simulated_with:
        version["simulated_with"] = [_slug(str(d), "detector") for d in input.simulated_with]
    if input.recorded_with:
        version["recorded_with"] = [_slug(str(d), "detector") for d in input.recorded_with]
    if input.features:
        version["features"] = [f.to_catalog() for f in input.features]
    dataset = _drop_unset({"name": input.dataset_name, "tasks": input.tasks}) if input.dataset_name else None

    async def work() -> DatasetVersion:
        _check_shapes(input.features, "features")
        dv = await run_in_threadpool(catalog.register_dataset_version, info.context.db, input.dataset, version,
                                     dataset=dataset, actor=info.context.actor)
        return DatasetVersion.from_domain(dv)

    return await _mutate(work)  # type: ignore[return-value]


async def _register_one(info: Info, section: str, entry: dict[str, Any], kind: str) -> domain.Node:
    db = info.context.db
    await run_in_threadpool(catalog.register, db, {"graphcat_catalog": 1, section: [entry]}, actor=info.context.actor)
    return await run_in_threadpool(catalog.get_by_uid, db, domain.uid(kind, entry["id"]))


async def register_experiment(info: Info, input: RegisterExperimentInput) -> RegisterExperimentResult:
    entry = _drop_unset({"id": input.id, "name": input.name, "description": input.description, "url": input.url})

    async def work() -> Experiment:
        return Experiment.from_domain(await _register_one(info, "experiments", entry, "experiment"))  # type: ignore[arg-type]

    return await _mutate(work)  # type: ignore[return-value]


async def register_detector(info: Info, input: RegisterDetectorInput) -> RegisterDetectorResult:
    entry = _drop_unset({"id": input.id, "name": input.name, "experiment": _slug(str(input.experiment), "experiment"),
                         "kind": input.kind, "description": input.description})

    async def work() -> Detector:
        return Detector.from_domain(await _register_one(info, "detectors", entry, "detector"))  # type: ignore[arg-type]

    return await _mutate(work)  # type: ignore[return-value]


async def record_evaluation(info: Info, input: RecordEvaluationInput) -> RecordEvaluationResult:
    evaluation = _drop_unset({"dataset": _slug(str(input.dataset), "dataset_version"), "metric": input.metric,
                              "value": input.value, "date": input.date, "source": input.source, "notes": input.notes})

    async def work() -> Evaluation:
        found = await run_in_threadpool(catalog.record_evaluation, info.context.db, str(input.model_version), evaluation,
                                        actor=info.context.actor)
        return Evaluation.from_domain(found)

    return await _mutate(work)  # type: ignore[return-value]


async def set_alias(info: Info, model_version: strawberry.ID, alias: str) -> ModelVersionResult:
    async def work() -> ModelVersion:
        return ModelVersion.from_domain(await run_in_threadpool(catalog.set_alias, info.context.db, str(model_version), alias,
                                                                actor=info.context.actor))

    return await as_result(work)  # type: ignore[return-value]


async def deprecate(info: Info, model_version: strawberry.ID, reason: str) -> ModelVersionResult:
    async def work() -> ModelVersion:
        return ModelVersion.from_domain(await run_in_threadpool(catalog.deprecate, info.context.db, str(model_version), reason,
                                                                actor=info.context.actor))

    return await as_result(work)  # type: ignore[return-value]
