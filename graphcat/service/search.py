"""Catalog search for the search box: full-text and embedding rankings fused, facet filters and counts.

Two rankings of the catalog answer a text:
- full text: Neo4j's `catalog_fulltext` Lucene index over id, display name, name, title,
  description and tags of every catalog node (cypher/schema/0650_catalog_fulltext.cypher), queried
  with every typed word required, as a word, a prefix or inside a word (graphcat.service.fulltext_query,
  which also escapes Lucene syntax);
- meaning: the recommender's sentence-embedding index (graphcat.service.vector_index) of model
  versions, dataset versions, tasks, detectors and experiments, so "transverse momentum top
  tagger" finds top taggers whose cards only say "pT". A model or dataset family takes the best
  similarity of its versions (their cards are what is embedded). Candidates below
  GRAPHCAT_SEARCH_MIN_SIMILARITY are dropped: every text has *some* nearest neighbour, and without
  the cut-off nonsense would return the whole catalog ranked. The default 0.30 is measured
  (`python -m bench.search_cutoff`, demo catalog, all-MiniLM-L6-v2): for 15 paraphrased queries
  that avoid the catalog's own words the entity they should find scores 0.312 ("hadron
  identification") to 0.856, for 15 unrelated texts the nearest anything scores at most 0.275
  ("xkcd"; "no such thing anywhere" 0.200). 0.30 sits in that gap, nearer the relevant side, since
  a weak relevant match still ranks below full-text hits after fusion. Re-measure when the
  encoder or the card texts change.
The two run at the same time (the full-text query waits on Neo4j while this process encodes the
text) and are merged by reciprocal rank fusion with k = 60 (graphcat.service.fusion): an entity both
find ranks above one only one finds. Each hit says which rankings found it (`sources`).

The empty text lists every node of the chosen kinds (the page before anything is typed).
Facet counts follow the usual convention: the counts of a facet are computed over the fused
result set with every *other* facet's filter applied, so choosing one task still shows the
others' counts.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from graphcat.errors import InvalidInput
from graphcat.service.fulltext_query import lucene_query
from graphcat.service.fusion import reciprocal_rank_fusion
from graphcat.store import search as store
from graphcat.store import visibility
from graphcat.store.database import Database

FACETS = ("task", "experiment", "detector", "framework")
SEARCHABLE_KINDS = ("model_version", "model", "dataset_version", "dataset", "detector", "experiment", "task",
                    "publication", "owner")
SOURCES = ("fulltext", "embedding")
MAX_TEXT_CHARS = 1000  # a search box, not a document: longer texts are refused, not truncated silently
FULLTEXT_LIMIT = 500  # full-text matches fused (and counted in facets) per search
EMBEDDING_CANDIDATES = 50  # nearest documents considered before the similarity cut-off
_ROW_KEYS = {"task": "tasks", "experiment": "experiments", "detector": "detectors", "framework": "frameworks"}
_FAMILY = {"model_version": "model", "dataset_version": "dataset"}  # embedded kind -> family kind
_EMBEDDED = ("model_version", "dataset_version", "task", "detector", "experiment")
# Runs the full-text query beside the embedding ranking; a few threads serve concurrent searches.
_FULLTEXT_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="graphcat-fulltext")


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
    sources: tuple[str, ...] = ()


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
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"at most {MAX_TEXT_CHARS} characters (got {len(text)})", path="text")
    needle = " ".join(text.split())
    if needle:
        hits = _fused_hits(db, needle, kinds)
    else:
        hits = sorted((_hit(row, 0.0, ()) for row in store.browse(db, list(kinds))),
                      key=lambda h: (h.label.lower(), h.uid))
    matching = [h for h in hits if _passes(h, active)]
    return SearchResult(total=len(matching), hits=tuple(matching[:first]), facets=facet_counts(hits, active))


def rankings(db: Database, text: str, kinds: tuple[str, ...]) -> dict[str, list[str]]:
    """The full-text and the embedding ranking of `text` over `kinds`: uids, best first."""
    query = lucene_query(text)
    # In the caller's context, so the request's query counter sees the full-text round trip too.
    pending = _FULLTEXT_POOL.submit(contextvars.copy_context().run, store.fulltext, db, query, list(kinds),
                                    FULLTEXT_LIMIT) if query else None
    try:
        embedding = [uid for uid, _ in embedding_ranking(db, text, kinds)]
    finally:
        fulltext = [uid for uid, _ in pending.result()] if pending is not None else []
    return {"fulltext": fulltext, "embedding": embedding}


def embedding_ranking(db: Database, text: str, kinds: tuple[str, ...]) -> list[tuple[str, float]]:
    """(uid, cosine similarity) of entities of `kinds` near `text`, at or above the cut-off, best first."""
    from graphcat.service import vector_index  # loads torch/FAISS: only when text is searched

    wanted = {k for k in kinds if k in _EMBEDDED}
    wanted |= {version for version, family in _FAMILY.items() if family in kinds}
    if not wanted:
        return []
    cutoff = db.settings.search_min_similarity
    found = vector_index.shared(db.settings).search(
        db, text, k=EMBEDDING_CANDIDATES + visibility.hidden_count(sorted(wanted)), kinds=sorted(wanted))  # hidden: left out later
    best: dict[str, float] = {}
    for uid, similarity in found:
        if similarity < cutoff:
            continue
        kind, _, ident = uid.partition(":")
        if kind in kinds:
            best[uid] = max(best.get(uid, similarity), similarity)
        family = _FAMILY.get(kind)
        if family in kinds:
            family_uid = f"{family}:{ident.partition('@')[0]}"  # catalog ids never hold '@'
            best[family_uid] = max(best.get(family_uid, similarity), similarity)
    # A family ties with its best version; it goes first, as it does in the full-text ranking.
    return sorted(best.items(), key=lambda us: (-us[1], us[0].partition(":")[0] in _FAMILY, us[0]))


def _fused_hits(db: Database, text: str, kinds: tuple[str, ...]) -> list[Hit]:
    fused = reciprocal_rank_fusion(rankings(db, text, kinds))
    rows = {row["node"]["uid"]: row for row in store.rows_for(db, [f.uid for f in fused])}
    # A uid the index knows but the catalog no longer holds (deleted since the index's last
    # refresh) has no row and is left out.
    return [_hit(rows[f.uid], f.score, f.sources) for f in fused if f.uid in rows]


def facet_counts(hits: list[Hit], active: Mapping[str, str]) -> dict[str, tuple[FacetCount, ...]]:
    counts: dict[str, tuple[FacetCount, ...]] = {}
    for facet in FACETS:
        others = {k: v for k, v in active.items() if k != facet}
        tally = Counter(value for h in hits if _passes(h, others) for value in h.facets[facet])
        counts[facet] = tuple(FacetCount(v, c) for v, c in sorted(tally.items(), key=lambda vc: (-vc[1], vc[0])))
    return counts


def _passes(hit: Hit, active: Mapping[str, str]) -> bool:
    return all(value in hit.facets[facet] for facet, value in active.items())


def _hit(row: Mapping[str, Any], score: float, sources: tuple[str, ...]) -> Hit:
    node = row["node"]
    label = node.get("display") or node.get("name") or node.get("title") or node["id"]
    return Hit(
        uid=node["uid"], kind=node["kind"], id=node["id"], label=label, description=node.get("description"),
        tags=tuple(node.get("tags") or ()), score=score,
        facets={facet: tuple(sorted(v for v in row[_ROW_KEYS[facet]] if v)) for facet in FACETS},
        sources=sources,
    )
