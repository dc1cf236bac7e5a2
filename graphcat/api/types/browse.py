"""Browse the catalog: a Relay connection for every entity kind (beside modelVersions and
datasetVersions in graphcat.api.types.reads) and catalogSummary, the counts a home page shows.

Every list is sorted by id, a page at a time with keyset cursors, `first` bounded as for
modelVersions (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE); `totalCount` is a separate count, run only when
selected. Bad input (a malformed cursor, `first` out of range, an unknown entity in a filter) is a
typed error naming the argument.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.types.catalog import Dataset, Detector, Evaluation, Experiment, Info, Owner, Publication, Task
from graphcat.api.types.deployment import Hardware
from graphcat.api.search import Facet, FacetValue
from graphcat.api.types.models import Model
from graphcat.api.types.reads import PageInfo, page_size, selects
from graphcat.service import browse

T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of catalog entities sorted by id (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


@strawberry.input(description="Every given filter must match; entities by id or global id.")
class FamilyFilter:
    task: strawberry.ID | None = strawberry.field(default=None, description="A task (its subtasks match too).")
    owner: strawberry.ID | None = None
    experiment: strawberry.ID | None = strawberry.field(
        default=None, description="Data recorded or simulated with the experiment's detectors (a model: its training data).")


@strawberry.input(description="Every given filter must match; entities by id or global id.")
class ModelFilter(FamilyFilter):
    framework: str | None = strawberry.field(default=None, description="The framework of any of its versions.")
    data_type: str | None = strawberry.field(
        default=None, description="simulation or data: a version was trained on dataset versions of this type.")
    max_p99_ms: float | None = strawberry.field(
        default=None, description="Latency budget in ms: a version's newest benchmark at batch size 1 on some machine "
                                  "has p99 within it (versions never benchmarked do not match).")
    alias: str | None = strawberry.field(
        default=None, description="A version carries this alias (production, staging, champion...).")
    has_alias: bool | None = strawberry.field(
        default=None, description="true: a version carries some alias (the models in use); false: none does.")


@strawberry.input
class TaskFilter:
    roots_only: bool = strawberry.field(default=False, description="Only tasks without a parent: the tree's roots.")


@strawberry.input(description="Every given filter must match; entities by id or global id.")
class EvaluationFilter:
    model_version: strawberry.ID | None = None
    dataset_version: strawberry.ID | None = None
    dataset: strawberry.ID | None = strawberry.field(default=None, description="Any version of this dataset.")
    metric: str | None = strawberry.field(default=None, description="e.g. auc; a metric never measured gives an empty list.")


def _filters(given: Any) -> dict[str, Any]:
    if given is None:
        return {}
    return {k: (str(v) if isinstance(v, str) else v) for k, v in vars(given).items() if v is not None}


async def _connection(info: Info, kind: str, cls: Any, filters: dict[str, Any], first: int | None,
                      after: str | None) -> Any:
    size = page_size(info, first)
    count = selects(info.selected_fields, "totalCount")
    if kind == "hardware":
        page = await run_in_threadpool(browse.list_hardware, info.context.db, size, after, count)
        nodes = [cls.from_row(h) for h in page.items]
    else:
        page = await run_in_threadpool(browse.list_entities, info.context.db, kind, filters, size, after, count)
        nodes = [cls.from_domain(n) for n in page.items]
    return Connection(edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes)],
                      page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
                      total_count=page.total_count if page.total_count is not None else -1)  # not selected: never sent


async def models(info: Info, filter: ModelFilter | None = None, first: int | None = None,
                 after: str | None = None) -> Connection[Model]:
    return await _connection(info, "model", Model, _filters(filter), first, after)  # type: ignore[no-any-return]


async def datasets(info: Info, filter: FamilyFilter | None = None, first: int | None = None,
                   after: str | None = None) -> Connection[Dataset]:
    return await _connection(info, "dataset", Dataset, _filters(filter), first, after)  # type: ignore[no-any-return]


async def tasks(info: Info, filter: TaskFilter | None = None, first: int | None = None,
                after: str | None = None) -> Connection[Task]:
    return await _connection(info, "task", Task, _filters(filter), first, after)  # type: ignore[no-any-return]


async def evaluations(info: Info, filter: EvaluationFilter | None = None, first: int | None = None,
                      after: str | None = None) -> Connection[Evaluation]:
    return await _connection(info, "evaluation", Evaluation, _filters(filter), first, after)  # type: ignore[no-any-return]


async def experiments(info: Info, first: int | None = None, after: str | None = None) -> Connection[Experiment]:
    return await _connection(info, "experiment", Experiment, {}, first, after)  # type: ignore[no-any-return]


async def detectors(info: Info, first: int | None = None, after: str | None = None) -> Connection[Detector]:
    return await _connection(info, "detector", Detector, {}, first, after)  # type: ignore[no-any-return]


async def owners(info: Info, first: int | None = None, after: str | None = None) -> Connection[Owner]:
    return await _connection(info, "owner", Owner, {}, first, after)  # type: ignore[no-any-return]


async def publications(info: Info, first: int | None = None, after: str | None = None) -> Connection[Publication]:
    return await _connection(info, "publication", Publication, {}, first, after)  # type: ignore[no-any-return]


async def hardware(info: Info, first: int | None = None, after: str | None = None) -> Connection[Hardware]:
    return await _connection(info, "hardware", Hardware, {}, first, after)  # type: ignore[no-any-return]


# -- modelFacets ---------------------------------------------------------------------------------

# The service's facet names -> the ModelFilter fields they set.
FACET_FIELDS = {"task": "task", "experiment": "experiment", "framework": "framework", "data_type": "dataType",
                "alias": "alias", "max_p99_ms": "maxP99Ms"}


@strawberry.type(description="The model list's facet counts, each narrowed by the other filters given.")
class ModelFacets:
    total_count: int = strawberry.field(description="Models matching every filter given.")
    facets: list[Facet] = strawberry.field(description=(
        "task, experiment, framework, dataType, alias and maxP99Ms (each named as the ModelFilter field it sets): "
        "per value, the models matching it and every other filter, most first (task and experiment values are "
        "global ids; maxP99Ms counts each of `latencyBudgets`)."))


async def model_facets(info: Info, filter: ModelFilter | None = None,
                       latency_budgets: Annotated[list[float], strawberry.argument(
                           description="The latency budgets (ms) maxP99Ms counts.")] = list(browse.DEFAULT_BUDGETS),  # noqa: B008
                       ) -> ModelFacets:
    found = await run_in_threadpool(browse.model_facets, info.context.db, _filters(filter), latency_budgets)
    return ModelFacets(total_count=found.total, facets=[
        Facet(name=FACET_FIELDS[facet], values=[FacetValue(value=v, count=c) for v, c in found.counts[facet]])
        for facet in browse.FACETS])


# -- catalogSummary ------------------------------------------------------------------------------


@strawberry.type(description="How many nodes of one kind the catalog holds.")
class KindCount:
    kind: str = strawberry.field(description="experiment, detector, task, owner, publication, dataset, "
                                             "dataset_version, model, model_version, feature, evaluation or hardware.")
    count: int


@strawberry.type(description="A task with its parent and counts: direct, and for the task with all its subtasks.")
class TaskCount:
    task: Task
    parent: strawberry.ID | None
    models: int = strawberry.field(description="Models solving this task itself.")
    datasets: int = strawberry.field(description="Datasets made for this task itself.")
    models_in_tree: int = strawberry.field(description="Distinct models solving this task or a subtask.")
    model_versions_in_tree: int = strawberry.field(description="Their versions.")


@strawberry.type
class ExperimentCount:
    experiment: Experiment
    detectors: int
    dataset_versions: int = strawberry.field(description="Recorded or simulated with the experiment's detectors.")
    model_versions: int = strawberry.field(description="Trained on those dataset versions.")


@strawberry.type
class FrameworkCount:
    framework: str | None = strawberry.field(description="null: versions that do not state one.")
    model_versions: int


@strawberry.type(description="An alias (production, staging, champion...) and how many versions carry it.")
class AliasCount:
    alias: str
    model_versions: int = strawberry.field(description="Versions carrying it, deprecated ones too (one per model at most).")


@strawberry.type(description="What the catalog holds, for a home page: counts per kind, task, experiment, framework and alias.")
class CatalogSummary:
    kinds: list[KindCount]
    tasks: list[TaskCount]
    experiments: list[ExperimentCount]
    frameworks: list[FrameworkCount]
    aliases: list[AliasCount] = strawberry.field(description="The aliases in use, most carried first.")


async def catalog_summary(info: Info) -> CatalogSummary:
    found = await run_in_threadpool(browse.summary, info.context.db)
    return CatalogSummary(
        kinds=[KindCount(kind=k, count=v) for k, v in found.kinds.items()],
        tasks=[TaskCount(task=Task.from_domain(r["task"]),
                         parent=strawberry.ID(r["parent_uid"]) if r["parent_uid"] else None, models=r["models"],
                         datasets=r["datasets"], models_in_tree=r["models_in_tree"],
                         model_versions_in_tree=r["model_versions_in_tree"]) for r in found.tasks],
        experiments=[ExperimentCount(experiment=Experiment.from_domain(r["experiment"]), detectors=r["detectors"],
                                     dataset_versions=r["dataset_versions"], model_versions=r["model_versions"])
                     for r in found.experiments],
        frameworks=[FrameworkCount(framework=r["framework"], model_versions=r["model_versions"]) for r in found.frameworks],
        aliases=[AliasCount(alias=r["alias"], model_versions=r["model_versions"]) for r in found.aliases],
    )
