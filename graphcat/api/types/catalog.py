"""The catalog's entities as GraphQL types. Each wraps a domain object; ids are catalog uids.

A catalog uid (`model_version:particlenet-top@1.0.0`) is unique across every kind, so it serves
as the Relay global id as it is: `node(id:)` refetches any entity, and ids stay readable in
queries and links.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graphcat import domain
from graphcat.api.context import RequestContext

Info = strawberry.Info[RequestContext, None]


@strawberry.interface(description="Anything with a global id (Relay): refetch it with `node(id:)`.")
class Node:
    id: strawberry.ID


def _base(n: domain.Node) -> dict[str, Any]:
    return {"id": strawberry.ID(n.uid), "slug": n.id, "display": n.display}


@strawberry.type
class Experiment(Node):
    slug: str
    display: str
    name: str
    description: str | None
    url: str | None
    instance: strawberry.Private[domain.Experiment]

    @classmethod
    def from_domain(cls, n: domain.Experiment) -> "Experiment":
        return cls(**_base(n), name=n.name, description=n.description, url=n.url, instance=n)


@strawberry.type
class Detector(Node):
    slug: str
    display: str
    name: str
    kind: str | None
    description: str | None
    instance: strawberry.Private[domain.Detector]

    @classmethod
    def from_domain(cls, n: domain.Detector) -> "Detector":
        return cls(**_base(n), name=n.name, kind=n.detector_kind, description=n.description, instance=n)


@strawberry.type
class Task(Node):
    slug: str
    display: str
    name: str
    description: str | None
    instance: strawberry.Private[domain.Task]

    @classmethod
    def from_domain(cls, n: domain.Task) -> "Task":
        return cls(**_base(n), name=n.name, description=n.description, instance=n)


@strawberry.type
class Owner(Node):
    slug: str
    display: str
    name: str
    kind: str
    url: str | None
    instance: strawberry.Private[domain.Owner]

    @classmethod
    def from_domain(cls, n: domain.Owner) -> "Owner":
        return cls(**_base(n), name=n.name, kind=n.owner_kind, url=n.url, instance=n)


@strawberry.type
class Publication(Node):
    slug: str
    display: str
    title: str
    authors: list[str]
    year: int | None
    arxiv: str | None
    doi: str | None
    url: str | None
    instance: strawberry.Private[domain.Publication]

    @classmethod
    def from_domain(cls, n: domain.Publication) -> "Publication":
        return cls(**_base(n), title=n.title, authors=list(n.authors), year=n.year, arxiv=n.arxiv, doi=n.doi,
                   url=n.url, instance=n)


@strawberry.type
class Feature(Node):
    slug: str
    display: str
    name: str
    canonical: str
    role: str
    position: int
    dtype: str
    shape: list[int | None]
    unit: str | None
    description: str | None
    instance: strawberry.Private[domain.Feature]

    @classmethod
    def from_domain(cls, n: domain.Feature) -> "Feature":
        return cls(**_base(n), name=n.name, canonical=n.canonical, role=n.role, position=n.position, dtype=n.dtype,
                   shape=list(n.shape), unit=n.unit, description=n.description, instance=n)


@strawberry.type
class Dataset(Node):
    slug: str
    display: str
    name: str
    description: str | None
    tags: list[str]
    instance: strawberry.Private[domain.Dataset]

    @classmethod
    def from_domain(cls, n: domain.Dataset) -> "Dataset":
        return cls(**_base(n), name=n.name, description=n.description, tags=list(n.tags), instance=n)

    @strawberry.field
    async def versions(self, info: Info) -> list["DatasetVersion"]:
        return [DatasetVersion.from_domain(v) for v in await info.context.loaders.versions.load(self.instance.uid)]  # type: ignore[arg-type]


@strawberry.type
class Conditions:
    sqrt_s_tev: float | None
    pileup_mean: float | None
    run_period: str | None
    generator: str | None
    tune: str | None
    detector_simulation: str | None
    kinematic_range: str | None


@strawberry.type
class DatasetVersion(Node):
    slug: str
    display: str
    version: str
    created_at: str | None
    description: str | None
    format: str | None
    location: str | None
    doi: str | None
    num_events: int | None
    data_type: str | None
    conditions: Conditions
    instance: strawberry.Private[domain.DatasetVersion]

    @classmethod
    def from_domain(cls, n: domain.DatasetVersion) -> "DatasetVersion":
        c = n.conditions
        return cls(**_base(n), version=n.version, created_at=n.created_at, description=n.description,
                   format=n.format, location=n.location, doi=n.doi, num_events=n.num_events, data_type=n.data_type,
                   conditions=Conditions(sqrt_s_tev=c.sqrt_s_tev, pileup_mean=c.pileup_mean, run_period=c.run_period,
                                         generator=c.generator, tune=c.tune,
                                         detector_simulation=c.detector_simulation,
                                         kinematic_range=c.kinematic_range),
                   instance=n)

    @strawberry.field(description="Detectors that recorded (data) or were simulated for (simulation) this version.")
    async def detectors(self, info: Info) -> list[Detector]:
        found = await info.context.loaders.detectors.load(self.instance.uid)
        return [Detector.from_domain(d) for d in found if isinstance(d, domain.Detector)]


@strawberry.type
class Evaluation(Node):
    slug: str
    display: str
    metric: str
    value: float
    date: str | None
    source_url: str | None
    notes: str | None
    instance: strawberry.Private[domain.Evaluation]

    @classmethod
    def from_domain(cls, n: domain.Evaluation) -> "Evaluation":
        return cls(**_base(n), metric=n.metric, value=n.value, date=n.date, source_url=n.source_url, notes=n.notes,
                   instance=n)

    @strawberry.field(description="The dataset version the metric was measured on.")
    async def dataset(self, info: Info) -> DatasetVersion | None:
        found = await info.context.loaders.node.load(self.instance.dataset_version_uid)
        return DatasetVersion.from_domain(found) if isinstance(found, domain.DatasetVersion) else None


@strawberry.type
class Model(Node):
    slug: str
    display: str
    name: str
    description: str | None
    tags: list[str]
    instance: strawberry.Private[domain.Model]

    @classmethod
    def from_domain(cls, n: domain.Model) -> "Model":
        return cls(**_base(n), name=n.name, description=n.description, tags=list(n.tags), instance=n)

    @strawberry.field
    async def versions(self, info: Info) -> list["ModelVersion"]:
        found = await info.context.loaders.versions.load(self.instance.uid)
        return [ModelVersion.from_domain(v) for v in found if isinstance(v, domain.ModelVersion)]


@strawberry.type
class ModelVersion(Node):
    slug: str
    display: str
    version: str
    created_at: str | None
    description: str | None
    framework: str | None
    format: str | None
    license: str | None
    artifact_uri: str | None
    aliases: list[str]
    deprecated: bool
    deprecation_reason: str | None
    instance: strawberry.Private[domain.ModelVersion]

    @classmethod
    def from_domain(cls, n: domain.ModelVersion) -> "ModelVersion":
        return cls(**_base(n), version=n.version, created_at=n.created_at, description=n.description,
                   framework=n.framework, format=n.format, license=n.license, artifact_uri=n.artifact.uri,
                   aliases=list(n.aliases), deprecated=n.deprecated, deprecation_reason=n.deprecated_reason,
                   instance=n)

    async def _neighbourhood(self, info: Info) -> Any:
        return await info.context.loaders.neighbourhood.load(self.instance.uid)

    @strawberry.field
    async def model(self, info: Info) -> Model | None:
        hood = await self._neighbourhood(info)
        return Model.from_domain(hood.model) if hood else None

    @strawberry.field(description="Tasks the model solves.")
    async def tasks(self, info: Info) -> list[Task]:
        hood = await self._neighbourhood(info)
        return [Task.from_domain(t) for t in hood.tasks] if hood else []

    @strawberry.field(description="Dataset versions this version was trained on (TRAINED_ON).")
    async def datasets(self, info: Info) -> list[DatasetVersion]:
        hood = await self._neighbourhood(info)
        return [DatasetVersion.from_domain(d) for d in hood.trained_on] if hood else []

    @strawberry.field
    async def evaluations(self, info: Info) -> list[Evaluation]:
        hood = await self._neighbourhood(info)
        return [Evaluation.from_domain(e) for e in hood.evaluations] if hood else []


_TYPES: dict[type[domain.Node], Any] = {
    domain.Experiment: Experiment,
    domain.Detector: Detector,
    domain.Task: Task,
    domain.Owner: Owner,
    domain.Publication: Publication,
    domain.Feature: Feature,
    domain.Dataset: Dataset,
    domain.DatasetVersion: DatasetVersion,
    domain.Evaluation: Evaluation,
    domain.Model: Model,
    domain.ModelVersion: ModelVersion,
}


def wrap(node: domain.Node) -> Node:
    return _TYPES[type(node)].from_domain(node)  # type: ignore[no-any-return]


ALL_TYPES = list(_TYPES.values())
