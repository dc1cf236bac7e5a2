"""Catalog search for the search box: text match, ranking, facet filters and facet counts.

The store returns every node whose text contains the query with its facet values (tasks,
experiments, detectors, frameworks); ranking and faceting happen here, in plain Python, so they
are the same for every caller. Facet counts follow the usual convention: the counts of a facet
are computed with every *other* facet's filter applied, so choosing one task still shows the
others' counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from graphcat.errors import InvalidInput
from graphcat.store import search as store
from graphcat.store.database import Database

FACETS = ("task", "experiment", "detector", "framework")
SEARCHABLE_KINDS = ("model_version", "model", "dataset_version", "dataset", "detector", "experiment", "task",
                    "publication", "owner")
_ROW_KEYS = {"task": "tasks", "experiment": "experiments", "detector": "detectors", "framework": "frameworks"}


@dataclass(frozen=True)
class Hit:
    uid: str
    kind: str
    id: str
    label: str
    description: str | None
    tags: tuple[str, ...]
    score: float
    facets: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetCount, ...]]


def search(db: Database, text: str, *, kinds: Iterable[str] | None = None,
           filters: Mapping[str, str | None] | None = None, first: int = 20) -> SearchResult:
    kinds = tuple(kinds) if kinds else SEARCHABLE_KINDS
    for i, kind in enumerate(kinds):
        if kind not in SEARCHABLE_KINDS:
            raise InvalidInput(f"unknown kind {kind!r}; one of {', '.join(SEARCHABLE_KINDS)}", path=f"kinds[{i}]")
    active = {k: v for k, v in (filters or {}).items() if v}
    for key in active:
        if key not in FACETS:
            raise InvalidInput(f"unknown facet {key!r}; one of {', '.join(FACETS)}", path=f"filters.{key}")
    if first < 1:
        raise InvalidInput("must be at least 1", path="first")
    needle = " ".join(text.lower().split())
    hits = [_hit(row, needle) for row in store.catalog_text(db, needle, list(kinds))]
    matching = [h for h in hits if _passes(h, active)]
    matching.sort(key=lambda h: (-h.score, h.label.lower(), h.uid))
    return SearchResult(total=len(matching), hits=tuple(matching[:first]), facets=facet_counts(hits, active))


def facet_counts(hits: list[Hit], active: Mapping[str, str]) -> dict[str, tuple[FacetCount, ...]]:
    counts: dict[str, tuple[FacetCount, ...]] = {}
    for facet in FACETS:
        others = {k: v for k, v in active.items() if k != facet}
        tally = Counter(value for h in hits if _passes(h, others) for value in h.facets[facet])
        counts[facet] = tuple(FacetCount(v, c) for v, c in sorted(tally.items(), key=lambda vc: (-vc[1], vc[0])))
    return counts


def _passes(hit: Hit, active: Mapping[str, str]) -> bool:
    return all(value in hit.facets[facet] for facet, value in active.items())


def _hit(row: Mapping[str, Any], needle: str) -> Hit:
    node = row["node"]
    label = node.get("display") or node.get("name") or node.get("title") or node["id"]
    return Hit(
        uid=node["uid"], kind=node["kind"], id=node["id"], label=label, description=node.get("description"),
        tags=tuple(node.get("tags") or ()), score=score(needle, node),
        facets={facet: tuple(sorted(v for v in row[_ROW_KEYS[facet]] if v)) for facet in FACETS},
    )


def score(needle: str, node: Mapping[str, Any]) -> float:
    """Where the text matched, best first: the name itself, its start, a word of it, tags, prose."""
    if not needle:
        return 0.0
    names = [str(node.get(k) or "").lower() for k in ("display", "name", "title", "id")]
    if any(n == needle for n in names):
        best = 1.0
    elif any(n.startswith(needle) for n in names):
        best = 0.8
    elif any(needle in n for n in names):
        best = 0.6
    elif any(needle in t.lower() for t in node.get("tags") or ()):
        best = 0.4
    else:
        best = 0.2
    # Versions rank just below their family, so "particlenet" lists the model before its versions.
    return best - (0.01 if node["kind"].endswith("_version") else 0.0)
