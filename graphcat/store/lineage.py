"""Lineage reads: upstream, downstream, impact and shortest path (cypher/lineage/).

Upstream walks are small (a version's chain, its datasets, detectors): one query finds every node
with its shortest distance (ANY SHORTEST, lineage/upstream_nearest) and keeps the nearest by
(depth, uid). Downstream walks fan out at hub datasets (tens of thousands of dependents), so they
go breadth first, one query per level inside one read transaction: the frontier's element ids go
in, the nodes one hop further not reached before come out (lineage/step_downstream), so each node
keeps its smallest depth and the work is bounded by the nodes returned, not by the paths between
them. A level that would pass `max_nodes` is cut (which of its nodes are kept is arbitrary: the
query stops reading a hub's relationships once it has enough) and the walk stops there,
truncated. The edges drawn are every relationship of the walk's types among the nodes kept
(lineage/edges_among). Depth validation lives in graphcat.service.lineage.
"""

from __future__ import annotations

from typing import Any

from graphcat.domain import LineageEdge, LineageNode, Subgraph
from graphcat.store import visibility
from graphcat.store.database import Database, Tx


def _node(row: dict[str, Any], depth: int) -> LineageNode:
    return LineageNode(row["uid"], row["kind"], row.get("display") or row["uid"], depth)


def _upstream(tx: Tx, uid: str, types: list[str], depth: int, max_nodes: int) -> Subgraph | None:
    rows = tx.run("lineage/upstream_nearest", uid=uid, types=types, depth=depth, room=max_nodes)  # one spare: cut?
    if not rows:
        return None
    found, truncated = rows[0]["nodes"], len(rows[0]["nodes"]) > max_nodes - 1
    found = found[:max_nodes - 1]
    nodes = [_node(rows[0], 0)] + [_node(row, row["depth"]) for row in found]
    return _drawing(tx, [rows[0]["id"]] + [row["id"] for row in found], nodes, types, truncated, False)


def _drawing(tx: Tx, ids: list[str], nodes: list[LineageNode], types: list[str], truncated: bool,
             downstream: bool) -> Subgraph:
    rows = tx.run("lineage/edges_among", members=ids, types=types)
    edges = {LineageEdge(r["type"], r["from"], r["to"]) for r in rows}
    # The walks never enter nodes hidden from the caller; say whether they stopped at some.
    cut = bool(visibility.current()) and tx.run("lineage/hidden_cut", members=ids, types=types,
                                                downstream=downstream)[0]["cut"]
    return Subgraph(tuple(sorted(nodes, key=lambda n: (n.depth, n.uid))),
                    tuple(sorted(edges, key=lambda e: (e.from_uid, e.type, e.to_uid))),
                    truncated=truncated, total_count=None if truncated else len(nodes), hidden_cut=cut)


def _walk(tx: Tx, uid: str, downstream: bool, types: list[str], depth: int, max_nodes: int) -> Subgraph | None:
    if not downstream:
        return _upstream(tx, uid, types, depth, max_nodes)
    start = tx.run("lineage/start", uid=uid)
    if not start:
        return None
    ids = [start[0]["id"]]  # element ids reached, in order: nearest first
    nodes = [_node(start[0], 0)]
    frontier, truncated = ids[:], False
    for level in range(1, depth + 1):
        if not frontier:
            break
        room = max_nodes - len(ids)
        # One more than there is room for tells a cut level from a level that just fits.
        found = tx.run("lineage/step_downstream", frontier=frontier, types=types, seen=ids, room=room + 1)
        if len(found) > room:
            found, truncated = found[:room], True
        frontier = [row["id"] for row in found]
        ids += frontier
        nodes += [_node(row, level) for row in found]
        if truncated:
            break
    return _drawing(tx, ids, nodes, types, truncated, True)


def walk(db: Database, uid: str, *, downstream: bool, types: list[str], depth: int, max_nodes: int) -> Subgraph | None:
    """None when no node has this uid. At most max_nodes nodes (the start included), nearest first."""
    return db.read_transaction(lambda tx: _walk(tx, uid, downstream, types, depth, max_nodes))


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
