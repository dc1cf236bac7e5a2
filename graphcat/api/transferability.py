"""`transferability(modelVersion, dataset, metric)` and `modelsForDataset(dataset, metric, first)`.

Wraps graphcat.service.transferability. "Not enough evidence" is an answer (status
NOT_ENOUGH_EVIDENCE with a reason), not an error; unknown ids are NOT_FOUND errors. The description
embedding distance is used when the app holds a sentence encoder in `app.state.encoder` (the
recommender's); otherwise that axis is left out and the others decide.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.context import RequestContext
from graphcat.errors import InvalidInput
from graphcat.service import transferability as service

Info = strawberry.Info[RequestContext, None]


@strawberry.enum(description="How the expected value was obtained.")
class TransferStatus(Enum):
    MEASURED = service.MEASURED
    ESTIMATED = service.ESTIMATED
    NOT_ENOUGH_EVIDENCE = service.NOT_ENOUGH


@strawberry.type(description="One way two datasets differ, with its share of the distance.")
class ConditionDifference:
    axis: str
    distance: float
    detail: str


@strawberry.type(description="Metric lost per unit of distance moved along one axis, as fitted from the catalog.")
class AxisDrift:
    axis: str
    per_unit: float


@strawberry.type(description="A recorded evaluation the estimate used, and how it was carried over.")
class TransferEvidence:
    dataset_version: strawberry.ID = strawberry.field(description="The evaluated dataset version (catalog uid).")
    value: float = strawberry.field(description="The metric measured on it.")
    distance: float = strawberry.field(description="How far it is from the target (1 = one substantial shift).")
    weight: float = strawberry.field(description="Its share of the estimate (weights sum to 1).")
    prediction: float = strawberry.field(description="Its value carried over to the target with the drift slope.")
    derived_hops: int | None = strawberry.field(description="DERIVED_FROM hops to the target, when related.")
    is_training_data: bool
    differences: list[ConditionDifference]
    unknown_axes: list[str] = strawberry.field(description="Conditions neither dataset records.")


@strawberry.type(description="The expected metric of a model version on a dataset version, with its evidence.")
class Transferability:
    model_version: strawberry.ID
    dataset: strawberry.ID
    metric: str
    status: TransferStatus
    value: float | None = strawberry.field(description="The estimate (null when there is not enough evidence).")
    low: float | None
    high: float | None
    measured: float | None = strawberry.field(description="The recorded evaluation of this pair, if any.")
    expected: float | None = strawberry.field(description="measured when recorded, else value.")
    reason: str
    drift_per_unit: float | None
    drift_source: str | None
    drift_by_axis: list[AxisDrift]
    schema_coverage: float | None = strawberry.field(description="Share of the model's inputs the dataset provides.")
    evidence: list[TransferEvidence]

    @classmethod
    def from_domain(cls, e: service.Estimate) -> "Transferability":
        return cls(
            model_version=strawberry.ID(e.model_version_uid), dataset=strawberry.ID(e.dataset_version_uid),
            metric=e.metric, status=TransferStatus(e.status), value=e.value, low=e.low, high=e.high,
            measured=e.measured, expected=e.expected, reason=e.reason, drift_per_unit=e.drift_per_unit,
            drift_source=e.drift_source, schema_coverage=e.schema_coverage,
            drift_by_axis=[AxisDrift(axis=a, per_unit=v) for a, v in e.drift_by_axis],
            evidence=[TransferEvidence(
                dataset_version=strawberry.ID(x.dataset_version_uid), value=x.value, distance=x.distance,
                weight=x.weight, prediction=x.prediction, derived_hops=x.derived_hops,
                is_training_data=x.is_training_data,
                differences=[ConditionDifference(axis=d.axis, distance=round(d.distance, 4), detail=d.detail)
                             for d in x.differences],
                unknown_axes=list(x.unknown_axes)) for x in e.evidence],
        )


def _encoder(info: Info) -> Any:
    return getattr(info.context.request.app.state, "encoder", None)


async def transferability(info: Info, model_version: strawberry.ID, dataset: strawberry.ID,
                          metric: str = "auc") -> Transferability:
    db, encoder = info.context.db, _encoder(info)
    estimate = await run_in_threadpool(
        lambda: service.transferability(db, str(model_version), str(dataset), metric, encoder=encoder))
    return Transferability.from_domain(estimate)


async def models_for_dataset(info: Info, dataset: strawberry.ID, metric: str = "auc",
                             first: int = 20) -> list[Transferability]:
    limit = info.context.settings.graphql_max_page_size
    if not 1 <= first <= limit:
        raise InvalidInput(f"first must be between 1 and {limit} (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE), got {first}",
                           path="first")
    db, encoder = info.context.db, _encoder(info)
    ranked = await run_in_threadpool(lambda: service.rank_models(db, str(dataset), metric, encoder=encoder))
    return [Transferability.from_domain(e) for e in ranked[:first]]
