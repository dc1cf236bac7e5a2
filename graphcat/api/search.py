"""`search(text, kinds, filters, first)`: the search box's query, with facet counts.

Wraps graphcat.service.search (full text and embeddings, fused by reciprocal rank); hits carry the catalog uid so a client can open the entity.
"""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.context import RequestContext
from graphcat.errors import InvalidInput
from graphcat.service import search as service


@strawberry.type(description="One catalog entity matching a search.")
class SearchHit:
    uid: str = strawberry.field(description="Catalog uid, `<kind>:<id>` (e.g. `model_version:particlenet-top@1.0.0`).")
    kind: str
    id: str
    label: str
    description: str | None
    tags: list[str]
    score: float = strawberry.field(description=(
        "Reciprocal rank fusion (k = 60) of the full-text and the embedding ranking: the sum of "
        "1 / (60 + rank) over the rankings that found it; 0 when no text was given."))
    sources: list[str] = strawberry.field(description=(
        'The rankings that found it: "fulltext" (Neo4j full-text index), "embedding" (meaning).'))
    tasks: list[str]
    experiments: list[str]
    detectors: list[str]
    frameworks: list[str]

    @classmethod
    def from_domain(cls, hit: service.Hit) -> "SearchHit":
        return cls(uid=hit.uid, kind=hit.kind, id=hit.id, label=hit.label, description=hit.description,
                   tags=list(hit.tags), score=hit.score, sources=list(hit.sources), tasks=list(hit.facets["task"]),
                   experiments=list(hit.facets["experiment"]), detectors=list(hit.facets["detector"]),
                   frameworks=list(hit.facets["framework"]))


@strawberry.type(description="How many matches carry one facet value.")
class FacetValue:
    value: str
    count: int


@strawberry.type(description="A facet (task, experiment, detector, framework...) and its values' counts.")
class Facet:
    name: str
    values: list[FacetValue]


@strawberry.type(description="Search results, best first, with facet counts over all matches.")
class SearchResult:
    total: int = strawberry.field(description="Matches after the filters (hits holds the first `first`).")
    hits: list[SearchHit]
    facets: list[Facet]


@strawberry.input(description="Keep only matches with this value of each given facet.")
class SearchFilters:
    task: str | None = None
    experiment: str | None = None
    detector: str | None = None
    framework: str | None = None


async def search(
    info: strawberry.Info[RequestContext, None],
    text: str,
    kinds: list[str] | None = None,
    filters: SearchFilters | None = None,
    first: int = 20,
) -> SearchResult:
    settings = info.context.settings
    if first > settings.graphql_max_page_size:
        raise InvalidInput(f"at most {settings.graphql_max_page_size}", path="first")
    chosen = {k: getattr(filters, k) for k in service.FACETS} if filters else {}
    found = await run_in_threadpool(
        lambda: service.search(info.context.db, text, kinds=kinds, filters=chosen, first=first)
    )
    return SearchResult(
        total=found.total,
        hits=[SearchHit.from_domain(h) for h in found.hits],
        facets=[Facet(name=name, values=[FacetValue(value=v.value, count=v.count) for v in values])
                for name, values in found.facets.items()],
    )
