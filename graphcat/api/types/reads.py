"""Catalog reads: node(id:), the model-version connection with filters and sorts, lineage/path/impact."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types.nodes import SelectedField

from graphcat import domain
from graphcat.api.types.catalog import DatasetVersion, Info, Node, wrap
from graphcat.api.types.models import ModelVersion
from graphcat.api.types.prefetch import fused_key
from graphcat.api.types.selection import stored_keys
from graphcat.errors import InvalidInput
from graphcat.service import catalog, lineage


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ModelVersionEdge:
    cursor: str
    node: ModelVersion


@strawberry.type(description="A page of model versions (Relay cursor connection).")
class ModelVersionConnection:
    edges: list[ModelVersionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.enum
class ModelVersionSort(Enum):
    MODEL = "model"
    CREATED_AT = "created_at"
    VERSION = "version"


@strawberry.input(description="Every given filter must match; entity filters take global ids (catalog uids).")
class ModelVersionFilter:
    task: strawberry.ID | None = strawberry.UNSET
    experiment: strawberry.ID | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    trained_on: strawberry.ID | None = strawberry.UNSET
    framework: str | None = strawberry.UNSET
    tag: str | None = strawberry.UNSET
    alias: str | None = strawberry.UNSET
    has_alias: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: versions carrying some alias (production, staging...); false: none.")
    detector: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A detector the training data was recorded or simulated with.")
    format: str | None = strawberry.UNSET
    text: str | None = strawberry.field(
        default=strawberry.UNSET, description="Case-insensitive text in the version id or description, or its model's name, description or tags.")
    include_deprecated: bool = False


@strawberry.type
class DatasetVersionEdge:
    cursor: str
    node: DatasetVersion


@strawberry.type(description="A page of dataset versions (Relay cursor connection), sorted by id.")
class DatasetVersionConnection:
    edges: list[DatasetVersionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input(description="Dataset versions by run conditions; every given field must match.")
class DatasetVersionFilter:
    data_type: str | None = strawberry.field(default=strawberry.UNSET, description="simulation or data.")
    sqrt_s_tev: float | None = strawberry.UNSET
    generator: str | None = strawberry.field(
        default=strawberry.UNSET, description="Case-insensitive text in the generator (e.g. pythia).")
    run_period: str | None = strawberry.UNSET
    pileup_min: float | None = strawberry.UNSET
    pileup_max: float | None = strawberry.UNSET
    experiment: strawberry.ID | None = strawberry.UNSET
    detector: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A detector the data was recorded or simulated with.")
    task: strawberry.ID | None = strawberry.UNSET


DATASET_FILTER_FIELDS = ("data_type", "sqrt_s_tev", "generator", "run_period", "pileup_min", "pileup_max",
                         "experiment", "detector", "task")


def page_size(info: Info, first: int | None) -> int:
    """`first`, or the largest page when it is not given; outside 0..GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE it is an error."""
    limit = info.context.settings.graphql_max_page_size
    size = limit if first is None else first
    if not 0 <= size <= limit:
        raise InvalidInput(f"first must be between 0 and {limit} (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE), got {size}", path="first")
    return size


async def dataset_versions(info: Info, filter: DatasetVersionFilter | None = None, first: int | None = None,
                           after: str | None = None) -> DatasetVersionConnection:
    size = page_size(info, first)
    filters: dict[str, object] = {}
    if filter is not None:
        for key in DATASET_FILTER_FIELDS:
            value = getattr(filter, key)
            if value is not strawberry.UNSET and value is not None:
                filters[key] = str(value) if key in ("experiment", "detector", "task") else value
    page = await run_in_threadpool(catalog.list_dataset_versions, info.context.db, filters, size, after)
    start = catalog.decode_cursor(after) + 1 if after else 0  # offset cursors (the service checked `after`)
    edges = [DatasetVersionEdge(cursor=catalog.encode_cursor(start + i), node=DatasetVersion.from_domain(dv))
             for i, dv in enumerate(page.items)]
    return DatasetVersionConnection(
        edges=edges, page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count or 0)


async def node(info: Info, id: strawberry.ID) -> Node | None:
    key = fused_key(info, str(id))  # the node and the one list it is asked for: one query (prefetch.py)
    loaders = info.context.loaders
    found = await (loaders.node_and_links(key) if key is not None else loaders.node.load(str(id)))
    return wrap(found) if found is not None else None


async def nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    found = await info.context.loaders.node.load_many([str(i) for i in ids])
    return [wrap(n) if n is not None else None for n in found]


async def model_versions(
    info: Info,
    filter: ModelVersionFilter | None = None,
    sort: ModelVersionSort = ModelVersionSort.MODEL,
    descending: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> ModelVersionConnection:
    size = page_size(info, first)
    filters: dict[str, object] = {}
    if filter is not None:
        for key in ("task", "experiment", "owner", "trained_on", "framework", "tag", "alias", "detector", "format", "text"):
            value = getattr(filter, key)
            if value is not strawberry.UNSET and value is not None:
                filters[key] = str(value)
        if filter.has_alias is not strawberry.UNSET and filter.has_alias is not None:
            filters["has_alias"] = filter.has_alias
        filters["include_deprecated"] = filter.include_deprecated
    page = await run_in_threadpool(
        catalog.list_model_versions, info.context.db, filters, sort.value, descending, size, after,
        selects(info.selected_fields, "totalCount"), stored_keys(info, "ModelVersion", ("edges", "node")),
    )
    edges = [ModelVersionEdge(cursor=cursor, node=ModelVersion.from_domain(mv)) for cursor, mv in zip(page.cursors, page.items)]
    return ModelVersionConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count if page.total_count is not None else -1,  # not selected: never sent
    )


def selects(fields: list[Any], name: str) -> bool:
    """Whether the connection's selection (fragments included) asks for `name`: the total is a
    separate count query, run only for clients that want it."""
    for field in fields:
        for sub in field.selections:
            if isinstance(sub, SelectedField):
                if sub.name == name:
                    return True
            elif selects([sub], name):  # a fragment spread or inline fragment: look inside
                return True
    return False


# -- lineage ------------------------------------------------------------------------------------


@strawberry.enum
class LineageDirection(Enum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


@strawberry.type(description="A node of a lineage drawing; `depth` is its hop count from the start.")
class LineageNode:
    id: strawberry.ID
    kind: str
    label: str
    depth: int

    @classmethod
    def from_domain(cls, n: domain.LineageNode) -> "LineageNode":
        return cls(id=strawberry.ID(n.uid), kind=n.kind, label=n.label, depth=n.depth)

    @strawberry.field(description="The full entity behind this drawing node.")
    async def node(self, info: Info) -> Node | None:
        found = await info.context.loaders.node.load(str(self.id))
        return wrap(found) if found is not None else None


@strawberry.type(description="An edge from the dependent to what it depends on (e.g. version -TRAINED_ON-> dataset).")
class LineageEdge:
    type: str
    source: strawberry.ID = strawberry.field(name="from")
    target: strawberry.ID = strawberry.field(name="to")


@strawberry.type(description="Nodes and edges ready to draw.")
class LineageGraph:
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(
        default=False, description="True when the walk stopped at its node limit: the nearest nodes (by depth, then id) are here, not all.")
    total_count: int | None = strawberry.field(
        default=None, description="How many nodes the walk reached (null when it was truncated: unknown).")
    hidden_cut: bool = strawberry.field(
        default=False, description="True when the walk stopped at nodes you may not see (private namespaces): they "
                                   "and what lies behind them are left out, unnamed.")

    @classmethod
    def from_domain(cls, g: domain.Subgraph) -> "LineageGraph":
        return cls(
            nodes=[LineageNode.from_domain(n) for n in g.nodes],
            edges=[LineageEdge(type=e.type, source=strawberry.ID(e.from_uid), target=strawberry.ID(e.to_uid)) for e in g.edges],
            truncated=g.truncated,
            total_count=g.total_count if g.total_count is not None else (None if g.truncated else len(g.nodes)),
            hidden_cut=g.hidden_cut,
        )


@strawberry.type(description="What depends on a node (usually a dataset version found faulty).")
class Impact:
    root: strawberry.ID
    dataset_versions: list[LineageNode]
    model_versions: list[LineageNode]
    evaluations: list[LineageNode]
    graph: LineageGraph


async def lineage_of(
    info: Info,
    id: strawberry.ID,
    direction: LineageDirection = LineageDirection.UPSTREAM,
    depth: int | None = None,
    types: list[str] | None = None,
    limit: Annotated[int | None, strawberry.argument(
        description="Most nodes returned, nearest first (default GRAPHCAT_LINEAGE_DEFAULT_NODES, at most GRAPHCAT_LINEAGE_MAX_NODES).")] = None,
) -> LineageGraph:
    graph = await run_in_threadpool(lineage.lineage, info.context.db, str(id), direction.value, depth, types, limit)
    return LineageGraph.from_domain(graph)


async def path_between(
    info: Info,
    from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
    to: strawberry.ID,
    types: list[str] | None = None,
    depth: int | None = None,
) -> LineageGraph:
    graph = await run_in_threadpool(lineage.path, info.context.db, str(from_), str(to), types, depth)
    return LineageGraph.from_domain(graph)


async def impact_of(
    info: Info,
    id: strawberry.ID,
    depth: int | None = None,
    limit: Annotated[int | None, strawberry.argument(
        description="Most nodes walked, nearest first (default GRAPHCAT_LINEAGE_DEFAULT_NODES, at most GRAPHCAT_LINEAGE_MAX_NODES).")] = None,
) -> Impact:
    found = await run_in_threadpool(lineage.impact, info.context.db, str(id), depth, limit)
    return Impact(
        root=strawberry.ID(found.root),
        dataset_versions=[LineageNode.from_domain(n) for n in found.dataset_versions],
        model_versions=[LineageNode.from_domain(n) for n in found.model_versions],
        evaluations=[LineageNode.from_domain(n) for n in found.evaluations],
        graph=LineageGraph.from_domain(found.subgraph),
    )
