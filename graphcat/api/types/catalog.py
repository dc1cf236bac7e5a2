"""The catalog's entities as GraphQL types (models and their versions: models.py). Each wraps a
domain object; ids are catalog uids.

A catalog uid (`model_version:particlenet-top@1.0.0`) is unique across every kind, so it serves
as the Relay global id as it is: `node(id:)` refetches any entity, and ids stay readable in
queries and links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Sequence

import strawberry

from embeddings.shapes import axis_text

from graphcat import domain
from graphcat.api.context import RequestContext
from graphcat.api.loaders import Link, link_key
from graphcat.api.types.conditions import Conditions, conditions_of
from graphcat.api.types.prefetch import LISTS
from graphcat.api.types.scalars import Long
from graphcat.api.types.selection import stored_keys

if TYPE_CHECKING:
    from graphcat.api.types.models import Model, ModelVersion

Info = strawberry.Info[RequestContext, None]
# Model and ModelVersion live in graphcat/api/types/models.py, which imports this module.
LazyModel = Annotated["Model", strawberry.lazy("graphcat.api.types.models")]
LazyModelVersion = Annotated["ModelVersion", strawberry.lazy("graphcat.api.types.models")]


async def links_of(info: Info, uid: str, types: Sequence[str], *, outgoing: bool = True,
                 keys: Sequence[str] | None = None) -> list[Link]:
    """Neighbours along `types`, batched with every other node of the request asking the same."""
    return await info.context.loaders.links.load(link_key(uid, types, outgoing=outgoing, keys=keys))  # type: ignore[no-any-return]


async def neighbours_of(info: Info, uid: str, types: Sequence[str], kind: type[domain.Node], *,
                        outgoing: bool = True) -> list[Any]:
    """The neighbours of domain class `kind`, wrapped as its GraphQL type: the current field's
    selection of them, so only the stored keys it reads are fetched when selection.stored_keys
    knows them all."""
    cls = TYPES[kind]
    keys = stored_keys(info, cls.__name__)
    return [cls.from_domain(n) for _, _, n in await links_of(info, uid, types, outgoing=outgoing, keys=keys)
            if isinstance(n, kind)]


async def list_of(info: Info, uid: str, type_name: str, field: str) -> list[Any]:
    """A list field of prefetch.LISTS (its relationship read from there: `node(id:)` may have
    fetched it with the node)."""
    types, outgoing, kind, _ = LISTS[type_name][field]
    return await neighbours_of(info, uid, types, kind, outgoing=outgoing)


async def one_of(info: Info, uid: str, types: Sequence[str], kind: type[domain.Node], *, outgoing: bool = True) -> Any:
    found = await neighbours_of(info, uid, types, kind, outgoing=outgoing)
    return found[0] if found else None


@strawberry.interface(description="Anything with a global id (Relay): refetch it with `node(id:)`.")
class Node:
    id: strawberry.ID


def base_fields(n: domain.Node) -> dict[str, Any]:
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
        return cls(**base_fields(n), name=n.name, description=n.description, url=n.url, instance=n)

    @strawberry.field(description="Detectors of this experiment (PART_OF).")
    async def detectors(self, info: Info) -> list["Detector"]:
        return await neighbours_of(info, self.instance.uid, ["PART_OF"], domain.Detector, outgoing=False)


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
        return cls(**base_fields(n), name=n.name, kind=n.detector_kind, description=n.description, instance=n)

    @strawberry.field(description="The experiment this detector is part of.")
    async def experiment(self, info: Info) -> Experiment | None:
        return await one_of(info, self.instance.uid, ["PART_OF"], domain.Experiment)

    @strawberry.field(description="Dataset versions recorded with or simulated for this detector.")
    async def dataset_versions(self, info: Info) -> list["DatasetVersion"]:
        return await list_of(info, self.instance.uid, "Detector", "datasetVersions")


@strawberry.type
class Task(Node):
    slug: str
    display: str
    name: str
    description: str | None
    instance: strawberry.Private[domain.Task]

    @classmethod
    def from_domain(cls, n: domain.Task) -> "Task":
        return cls(**base_fields(n), name=n.name, description=n.description, instance=n)

    @strawberry.field(description="The broader task (SUBTASK_OF).")
    async def parent(self, info: Info) -> "Task | None":
        return await one_of(info, self.instance.uid, ["SUBTASK_OF"], domain.Task)

    @strawberry.field(description="Narrower tasks.")
    async def subtasks(self, info: Info) -> list["Task"]:
        return await neighbours_of(info, self.instance.uid, ["SUBTASK_OF"], domain.Task, outgoing=False)

    @strawberry.field(description="Models that solve this task (not its subtasks).")
    async def models(self, info: Info) -> list[LazyModel]:
        return await list_of(info, self.instance.uid, "Task", "models")

    @strawberry.field(description="Datasets made for this task.")
    async def datasets(self, info: Info) -> list["Dataset"]:
        return await neighbours_of(info, self.instance.uid, ["FOR_TASK"], domain.Dataset, outgoing=False)


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
        return cls(**base_fields(n), name=n.name, kind=n.owner_kind, url=n.url, instance=n)

    @strawberry.field(description="Models this person or team owns.")
    async def models(self, info: Info) -> list[LazyModel]:
        return await neighbours_of(info, self.instance.uid, ["OWNED_BY"], domain.Model, outgoing=False)

    @strawberry.field(description="Datasets this person or team owns.")
    async def datasets(self, info: Info) -> list["Dataset"]:
        return await neighbours_of(info, self.instance.uid, ["OWNED_BY"], domain.Dataset, outgoing=False)


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
        return cls(**base_fields(n), title=n.title, authors=list(n.authors), year=n.year, arxiv=n.arxiv, doi=n.doi,
                   url=n.url, instance=n)

    @strawberry.field(description="Models described in this publication.")
    async def models(self, info: Info) -> list[LazyModel]:
        return await neighbours_of(info, self.instance.uid, ["DESCRIBED_IN"], domain.Model, outgoing=False)

    @strawberry.field(description="Datasets described in this publication.")
    async def datasets(self, info: Info) -> list["Dataset"]:
        return await neighbours_of(info, self.instance.uid, ["DESCRIBED_IN"], domain.Dataset, outgoing=False)


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

    @strawberry.field(description="What one event holds, read from the shape: scalar ([]), array (fixed [n]), "
                                  "sequence (first axis variable, e.g. per-particle) or tensor (fixed, 2+ axes).")
    def kind(self) -> str:
        return feature_kind(self.instance.shape)

    @strawberry.field(description="The shape as it was written, axis by axis: a size (\"30\"), null, \"-1\" or a "
                                  "dynamic axis name (\"N\", \"batch\"); `shape` has null for all of those.")
    def shape_given(self) -> list[str | None]:
        return [axis_text(axis) for axis in self.instance.shape_given or self.instance.shape]

    @classmethod
    def from_domain(cls, n: domain.Feature) -> "Feature":
        return cls(**base_fields(n), name=n.name, canonical=n.canonical, role=n.role, position=n.position, dtype=n.dtype,
                   shape=list(n.shape), unit=n.unit, description=n.description, instance=n)


def feature_kind(shape: Sequence[int | None]) -> str:
    if not shape:
        return "scalar"
    if any(axis is None for axis in shape):
        return "sequence"
    return "array" if len(shape) == 1 else "tensor"


async def owner_of(info: Info, family_uid: str) -> "Owner | None":
    return await one_of(info, family_uid, ["OWNED_BY"], domain.Owner)  # type: ignore[no-any-return]


async def publications_of(info: Info, family_uid: str) -> "list[Publication]":
    return await neighbours_of(info, family_uid, ["DESCRIBED_IN"], domain.Publication)


def family_fields(task_types: list[str], tasks_description: str) -> tuple[Any, Any, Any]:
    """The `owner`, `publications` and `tasks` fields of a model or a dataset (the family of its
    versions): the same resolvers, the tasks along `task_types`."""
    async def owner(self: Any, info: Info) -> Owner | None:
        return await owner_of(info, self.instance.uid)

    async def publications(self: Any, info: Info) -> list[Publication]:
        return await publications_of(info, self.instance.uid)

    async def tasks(self: Any, info: Info) -> list[Task]:
        return await neighbours_of(info, self.instance.uid, task_types, domain.Task)  # type: ignore[no-any-return]

    return (strawberry.field(resolver=owner), strawberry.field(resolver=publications),
            strawberry.field(resolver=tasks, description=tasks_description))


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
        return cls(**base_fields(n), name=n.name, description=n.description, tags=list(n.tags), instance=n)

    @strawberry.field
    async def versions(self, info: Info) -> list["DatasetVersion"]:
        return [DatasetVersion.from_domain(v) for v in await info.context.loaders.versions.load(self.instance.uid)]  # type: ignore[arg-type]

    owner, publications, tasks = family_fields(["FOR_TASK"], "Tasks the dataset was made for.")


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
    digest: str | None = strawberry.field(description='"sha256:<hex>" of the data, when known.')
    size_bytes: Long | None
    num_events: Long | None
    data_type: str | None = strawberry.field(description="simulation or data (recorded collisions).")
    # Built when selected (like a model version's artifact: lists of versions rarely ask for it).
    conditions: Conditions = strawberry.field(resolver=lambda self: conditions_of(self.instance.conditions))
    instance: strawberry.Private[domain.DatasetVersion]

    @classmethod
    def from_domain(cls, n: domain.DatasetVersion) -> "DatasetVersion":
        return cls(**base_fields(n), version=n.version, created_at=n.created_at, description=n.description,
                   format=n.format, location=n.location, doi=n.doi, digest=n.digest, size_bytes=n.size_bytes,
                   num_events=n.num_events, data_type=n.data_type, instance=n)

    @strawberry.field(description="Detectors that recorded (data) or were simulated for (simulation) this version.")
    async def detectors(self, info: Info) -> list[Detector]:
        found = await info.context.loaders.detectors.load(self.instance.uid)
        return [Detector.from_domain(d) for d in found if isinstance(d, domain.Detector)]

    @strawberry.field(description="The dataset this is a version of.")
    async def dataset(self, info: Info) -> Dataset | None:
        found = await info.context.loaders.node.load(self.instance.dataset_uid)
        return Dataset.from_domain(found) if isinstance(found, domain.Dataset) else None

    @strawberry.field(description="The columns (features) this version provides, in order.")
    async def features(self, info: Info) -> list[Feature]:
        found = await neighbours_of(info, self.instance.uid, ["PROVIDES"], domain.Feature)
        return sorted(found, key=lambda f: f.position)

    @strawberry.field(description="The dataset versions this one was made from (DERIVED_FROM), with how.")
    async def derived_from(self, info: Info) -> list["Derivation"]:
        return [Derivation(kind=rel.get("kind"), dataset_version=DatasetVersion.from_domain(n))
                for _, rel, n in await links_of(info, self.instance.uid, ["DERIVED_FROM"])
                if isinstance(n, domain.DatasetVersion)]

    @strawberry.field(description="Dataset versions made from this one.")
    async def derivatives(self, info: Info) -> list["Derivation"]:
        return [Derivation(kind=rel.get("kind"), dataset_version=DatasetVersion.from_domain(n))
                for _, rel, n in await links_of(info, self.instance.uid, ["DERIVED_FROM"], outgoing=False)
                if isinstance(n, domain.DatasetVersion)]

    @strawberry.field(description="Model versions trained on this version.")
    async def trained_models(self, info: Info) -> list[LazyModelVersion]:
        return await list_of(info, self.instance.uid, "DatasetVersion", "trainedModels")

    @strawberry.field(description="Evaluations measured on this version.")
    async def evaluations(self, info: Info) -> list["Evaluation"]:
        return await list_of(info, self.instance.uid, "DatasetVersion", "evaluations")


@strawberry.type(description="A DERIVED_FROM link: `kind` is skim, reprocessing, simulation, subset or conversion.")
class Derivation:
    kind: str | None
    dataset_version: DatasetVersion


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
        return cls(**base_fields(n), metric=n.metric, value=n.value, date=n.date, source_url=n.source_url, notes=n.notes,
                   instance=n)

    @strawberry.field(description="The dataset version the metric was measured on.")
    async def dataset(self, info: Info) -> DatasetVersion | None:
        found = await info.context.loaders.node.load(self.instance.dataset_version_uid)
        return DatasetVersion.from_domain(found) if isinstance(found, domain.DatasetVersion) else None

    @strawberry.field(description="The model version measured.")
    async def model_version(self, info: Info) -> LazyModelVersion | None:
        found = await info.context.loaders.node.load(self.instance.model_version_uid)
        return wrap(found) if isinstance(found, domain.ModelVersion) else None  # type: ignore[return-value]

    @strawberry.field(description="The publication the value was taken from (when the source is one, not a URL).")
    async def source(self, info: Info) -> Publication | None:
        return await one_of(info, self.instance.uid, ["DESCRIBED_IN"], domain.Publication)  # type: ignore[no-any-return]


TYPES: dict[type[domain.Node], Any] = {
    domain.Experiment: Experiment,
    domain.Detector: Detector,
    domain.Task: Task,
    domain.Owner: Owner,
    domain.Publication: Publication,
    domain.Feature: Feature,
    domain.Dataset: Dataset,
    domain.DatasetVersion: DatasetVersion,
    domain.Evaluation: Evaluation,
}  # + Model and ModelVersion, registered by graphcat/api/types/models.py


def wrap(node: domain.Node) -> Node:
    """The GraphQL type of any catalog node (models.py registers the model types on import)."""
    return TYPES[type(node)].from_domain(node)  # type: ignore[no-any-return]

