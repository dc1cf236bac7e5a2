"""Lineage service: upstream / downstream walks, shortest path and impact analysis.

Functions:
- lineage(db, uid, direction="upstream"|"downstream"|"both", depth=None, types=None, limit=None) -> Subgraph
- path(db, from_uid, to_uid, types=None, depth=None) -> Subgraph (empty when nothing joins them)
- impact(db, uid, depth=None, limit=None) -> Impact

Edges point from the dependent to what it depends on (model version -TRAINED_ON-> dataset version,
dataset version -DERIVED_FROM-> parent, evaluation -EVALUATED_ON-> dataset version), so upstream
follows them and downstream walks against them. `depth` defaults to, and may not exceed,
settings.max_lineage_depth (and never the queries' hard cap of 25); `types` defaults to every
provenance type (domain.LINEAGE_TYPES) and may name any catalog relationship type. `limit` (the
most nodes returned, the start included) defaults to settings.lineage_default_nodes (500) and may
not exceed settings.lineage_max_nodes (5000): a walk from a hub dataset reaches tens of thousands
of nodes, so answers keep the nearest ones (by depth, then uid) and say `truncated` instead of
taking seconds. At 1.13M relationships a hub answer of 500 nodes takes ~25 ms, of 1,000 ~40-70 ms
(docs/benchmarks.md), hence the default.
"""

from __future__ import annotations

from typing import Sequence

from graphcat import domain
from graphcat.errors import InvalidInput, NotFound
from graphcat.store import lineage as store
from graphcat.store.database import Database

HARD_CAP = 25  # the literal upper bound of the variable-length patterns in cypher/lineage/


def _depth(db: Database, depth: int | None) -> int:
    limit = min(db.settings.max_lineage_depth, HARD_CAP)
    if depth is None:
        return limit
    if not 1 <= depth <= limit:
        raise InvalidInput(f"depth must be between 1 and {limit} (GRAPHCAT_MAX_LINEAGE_DEPTH), got {depth}", path="depth")
    return depth


def _limit(db: Database, limit: int | None) -> int:
    most = db.settings.lineage_max_nodes
    if limit is None:
        return min(db.settings.lineage_default_nodes, most)
    if not 1 <= limit <= most:
        raise InvalidInput(f"limit must be between 1 and {most} (GRAPHCAT_LINEAGE_MAX_NODES), got {limit}", path="limit")
    return limit


def _types(types: Sequence[str] | None) -> list[str]:
    if types is None:
        return list(domain.LINEAGE_TYPES)
    unknown = sorted(set(types) - set(domain.RELATIONSHIP_TYPES))
    if unknown:
        raise InvalidInput(f"unknown relationship type(s) {unknown}; known: {list(domain.RELATIONSHIP_TYPES)}", path="types")
    return sorted(set(types))


def lineage(db: Database, uid: str, direction: str = "upstream", depth: int | None = None,
            types: Sequence[str] | None = None, limit: int | None = None) -> domain.Subgraph:
    if direction not in ("upstream", "downstream", "both"):
        raise InvalidInput(f"direction must be upstream, downstream or both, got {direction!r}", path="direction")
    d, t, most = _depth(db, depth), _types(types), _limit(db, limit)
    parts = []
    for downstream in ([False] if direction == "upstream" else [True] if direction == "downstream" else [False, True]):
        found = store.walk(db, uid, downstream=downstream, types=t, depth=d, max_nodes=most)
        if found is None:
            raise NotFound(f"no catalog node with uid {uid!r}", path="uid")
        parts.append(found)
    return _merge(parts, most)


def _merge(parts: list[domain.Subgraph], most: int) -> domain.Subgraph:
    if len(parts) == 1:
        return parts[0]
    best: dict[str, domain.LineageNode] = {}
    for part in parts:
        for node in part.nodes:
            if node.uid not in best or node.depth < best[node.uid].depth:
                best[node.uid] = node
    nodes = sorted(best.values(), key=lambda n: (n.depth, n.uid))
    cut = len(nodes) > most  # each walk kept up to `most`; together they may hold more
    kept = nodes[:most]
    members = {n.uid for n in kept}
    edges = sorted({e for part in parts for e in part.edges if e.from_uid in members and e.to_uid in members},
                   key=lambda e: (e.from_uid, e.type, e.to_uid))
    walked_all = not any(part.truncated for part in parts)
    return domain.Subgraph(tuple(kept), tuple(edges), truncated=cut or not walked_all,
                           total_count=len(nodes) if walked_all else None,
                           hidden_cut=any(part.hidden_cut for part in parts))


def path(db: Database, from_uid: str, to_uid: str, types: Sequence[str] | None = None,
         depth: int | None = None) -> domain.Subgraph:
    d, t = _depth(db, depth), _types(types)
    if from_uid == to_uid:
        node = _node(db, from_uid)
        return domain.Subgraph((domain.LineageNode(node.uid, node.kind, node.display, 0),), ())
    found = store.shortest_path(db, from_uid, to_uid, types=t, depth=d)
    if found is None:
        for uid in (from_uid, to_uid):
            _node(db, uid)
    return found or domain.Subgraph((), ())


def _node(db: Database, uid: str) -> domain.Node:
    from graphcat.store.catalog import nodes_by_uid

    node = nodes_by_uid(db, [uid]).get(uid)
    if node is None:
        raise NotFound(f"no catalog node with uid {uid!r}", path="uid")
    return node


def impact(db: Database, uid: str, depth: int | None = None, limit: int | None = None) -> domain.Impact:
    found = store.walk(db, uid, downstream=True, types=list(domain.LINEAGE_TYPES), depth=_depth(db, depth),
                       max_nodes=_limit(db, limit))
    if found is None:
        raise NotFound(f"no catalog node with uid {uid!r}", path="uid")
    below = [n for n in found.nodes if n.depth > 0]
    return domain.Impact(
        root=uid,
        dataset_versions=tuple(n for n in below if n.kind == "dataset_version"),
        model_versions=tuple(n for n in below if n.kind == "model_version"),
        evaluations=tuple(n for n in below if n.kind == "evaluation"),
        subgraph=found,
    )
