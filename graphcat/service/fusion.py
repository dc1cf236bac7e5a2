"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009) of several rankings.

An item's fused score is the sum over the rankings that hold it of 1 / (k + rank), rank counted
from 1. k = 60 is the constant of the paper, used unchanged by Elasticsearch, OpenSearch and
Azure AI Search: it damps the head so that being found by two rankers outweighs being first in
one (1/61 + 1/62 > 1/61 alone), while scores of different scales (Lucene's tf-idf, cosine
similarity) never need to be made comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

RRF_K = 60


@dataclass(frozen=True)
class Fused:
    uid: str
    score: float
    sources: tuple[str, ...]  # the rankings that found it, in the order they were given


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[str]], k: int = RRF_K) -> list[Fused]:
    """Fuse named rankings (best first, each uid once) into one list, best first.

    Ties keep the order of first appearance, rankings taken in the order given, so the result is
    deterministic."""
    scores: dict[str, float] = {}
    sources: dict[str, list[str]] = {}
    for name, ranking in rankings.items():
        for rank, uid in enumerate(ranking, start=1):
            scores[uid] = scores.get(uid, 0.0) + 1.0 / (k + rank)
            sources.setdefault(uid, []).append(name)
    order = {uid: i for i, uid in enumerate(scores)}
    fused = sorted(scores, key=lambda uid: (-scores[uid], order[uid]))
    return [Fused(uid, scores[uid], tuple(sources[uid])) for uid in fused]
