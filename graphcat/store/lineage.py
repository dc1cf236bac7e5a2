"""Lineage reads: upstream, downstream, impact and shortest path (cypher/lineage/).

The walks return each reachable node once with its distance, and the relationships between the
nodes found; this module turns them into a drawable Subgraph. Depth validation lives in graphcat.service.lineage.
"""

from __future__ import annotations

from typing import Any

from graphcat.domain import LineageEdge, LineageNode, Subgraph
from graphcat.store.database import Database


def _fold(row: dict[str, Any]) -> Subgraph:
    start = row["start"]
    nodes = [LineageNode(start["uid"], start["kind"], start.get("display") or start["uid"], 0)]
    nodes += [LineageNode(n["uid"], n["kind"], n.get("display") or n["uid"], n["depth"]) for n in row["nodes"]]
    edges = {LineageEdge(e["type"], e["from"], e["to"]) for e in row["edges"]}
    return Subgraph(tuple(sorted(nodes, key=lambda n: (n.depth, n.uid))),
                    tuple(sorted(edges, key=lambda e: (e.from_uid, e.type, e.to_uid))))


def walk(db: Database, uid: str, *, downstream: bool, types: list[str], depth: int) -> Subgraph | None:
    """None when no node has this uid."""
    rows = db.read("lineage/downstream" if downstream else "lineage/upstream", uid=uid, types=types, depth=depth)
    return _fold(rows[0]) if rows else None


def impact(db: Database, uid: str, *, depth: int) -> Subgraph | None:
    rows = db.read("lineage/impact", uid=uid, depth=depth)
    return _fold(rows[0]) if rows else None


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
