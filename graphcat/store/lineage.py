"""Lineage reads: upstream, downstream, impact and shortest path (cypher/lineage/).

The queries return every matching path; this module folds them into a drawable Subgraph with each
node's smallest depth. Depth validation lives in graphcat.service.lineage.
"""

from __future__ import annotations

from typing import Any, Iterable

from graphcat.domain import LineageEdge, LineageNode, Subgraph
from graphcat.store.database import Database


def _fold(start: dict[str, Any], rows: Iterable[dict[str, Any]]) -> Subgraph:
    depth: dict[str, int] = {start["uid"]: 0}
    info: dict[str, dict[str, Any]] = {start["uid"]: start}
    edges: set[LineageEdge] = set()
    for row in rows:
        for i, node in enumerate(row.get("nodes") or []):
            info.setdefault(node["uid"], node)
            depth[node["uid"]] = min(depth.get(node["uid"], i), i)
        for edge in row.get("edges") or []:
            edges.add(LineageEdge(edge["type"], edge["from"], edge["to"]))
    nodes = tuple(
        LineageNode(uid, info[uid]["kind"], info[uid].get("display") or uid, d)
        for uid, d in sorted(depth.items(), key=lambda item: (item[1], item[0]))
    )
    return Subgraph(nodes, tuple(sorted(edges, key=lambda e: (e.from_uid, e.type, e.to_uid))))


def walk(db: Database, uid: str, *, downstream: bool, types: list[str], depth: int) -> Subgraph | None:
    """None when no node has this uid."""
    rows = db.read("lineage/downstream" if downstream else "lineage/upstream", uid=uid, types=types, depth=depth)
    return _fold(rows[0]["start"], rows) if rows else None


def impact(db: Database, uid: str, *, depth: int) -> Subgraph | None:
    rows = db.read("lineage/impact", uid=uid, depth=depth)
    return _fold(rows[0]["start"], rows) if rows else None


def shortest_path(db: Database, source: str, target: str, *, types: list[str], depth: int) -> Subgraph | None:
    """None when either node is missing; an empty Subgraph when no path joins them."""
    rows = db.read("lineage/shortest_path", **{"from": source, "to": target}, types=types, depth=depth)
    if not rows:
        return None
    row = rows[0]
    if row["nodes"] is None:
        return Subgraph((), ())
    nodes = tuple(LineageNode(n["uid"], n["kind"], n.get("display") or n["uid"], i) for i, n in enumerate(row["nodes"]))
    edges = tuple(LineageEdge(e["type"], e["from"], e["to"]) for e in row["edges"])
    return Subgraph(nodes, edges)
