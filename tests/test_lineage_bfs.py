"""The breadth-first lineage walk on the real Neo4j: node sets and minimal depths against an
independent Python BFS over a graph with diamonds and chains, edges among the nodes kept, and the
node limit (nearest first, truncated, total count) through the service and GraphQL."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

import pytest

from graphcat import domain
from graphcat.errors import InvalidInput
from graphcat.service import catalog as service
from graphcat.service import lineage
from graphcat.settings import Settings
from graphcat.store.database import Database, count_queries
from tests.graphql_helpers import client_for, gql

# raw -> (a, b) -> c: a diamond of derived datasets; d hangs off c, e off raw alone (a chain
# that meets the diamond nowhere). Models: m1 trained on c and a (reconverging), m2 fine-tuned
# from m1, m3 distilled from m2 and trained on e, m4 trained on d.
DERIVED = {"a": ["raw"], "b": ["raw"], "c": ["a", "b"], "d": ["c"], "e": ["raw"], "f": ["e"]}


def dsv(name: str) -> str:
    return f"dataset_version:{name}@1"


def mv(i: int) -> str:
    return f"model_version:dia@{i}.0"


def diamond_document() -> dict[str, Any]:
    datasets = [{"id": "raw", "name": "raw", "versions": [{"version": "1", "data_type": "data",
                                                           "recorded_with": ["det"]}]}]
    for name, parents in DERIVED.items():
        datasets.append({"id": name, "name": name, "versions": [{
            "version": "1", "data_type": "data", "derived_from": [{"dataset": f"{p}@1", "kind": "skim"} for p in parents]}]})
    versions = [
        {"version": "1.0", "trained_on": ["c@1", "a@1"]},
        {"version": "2.0", "lineage": [{"type": "FINE_TUNED_FROM", "from": "dia@1.0"}]},
        {"version": "3.0", "trained_on": ["f@1"], "lineage": [{"type": "DISTILLED_FROM", "from": "dia@2.0"}],
         "evaluations": [{"dataset": "d@1", "metric": "auc", "value": 0.8}]},
        {"version": "4.0", "trained_on": ["d@1"]},
    ]
    return {"graphcat_catalog": 1, "experiments": [{"id": "exp", "name": "Exp"}],
            "detectors": [{"id": "det", "name": "Det", "experiment": "exp"}],
            "datasets": datasets, "models": [{"id": "dia", "name": "Diamond model", "versions": versions}]}


def edges_of_document() -> set[tuple[str, str, str]]:
    """(from, type, to) of every provenance relationship the document declares, written out here
    independently of graphcat's importer."""
    edges = {(dsv("raw"), "RECORDED_WITH", "detector:det")}
    edges |= {(dsv(n), "DERIVED_FROM", dsv(p)) for n, parents in DERIVED.items() for p in parents}
    edges |= {(mv(1), "TRAINED_ON", dsv("c")), (mv(1), "TRAINED_ON", dsv("a")), (mv(2), "FINE_TUNED_FROM", mv(1)),
              (mv(3), "TRAINED_ON", dsv("f")), (mv(3), "DISTILLED_FROM", mv(2)), (mv(4), "TRAINED_ON", dsv("d"))}
    ev = "evaluation:dia@3.0/d@1/auc"
    edges |= {(ev, "EVALUATES", mv(3)), (ev, "EVALUATED_ON", dsv("d"))}
    return edges


def reference_bfs(edges: set[tuple[str, str, str]], start: str, downstream: bool, depth: int) -> dict[str, int]:
    nxt: dict[str, set[str]] = {}
    for a, _, b in edges:
        src, dst = (b, a) if downstream else (a, b)
        nxt.setdefault(src, set()).add(dst)
    seen, queue = {start: 0}, deque([start])
    while queue:
        at = queue.popleft()
        if seen[at] == depth:
            continue
        for n in nxt.get(at, ()):
            if n not in seen:
                seen[n] = seen[at] + 1
                queue.append(n)
    return seen


@pytest.fixture()
def diamond(db: Database) -> Database:
    service.register(db, diamond_document())
    return db


@pytest.mark.parametrize("start", [dsv("raw"), dsv("a"), dsv("c"), "detector:det", mv(1), mv(3), mv(4),
                                   "evaluation:dia@3.0/d@1/auc"])
@pytest.mark.parametrize("depth", [1, 2, 3, 10])
def test_walks_match_a_reference_bfs(diamond: Database, start: str, depth: int) -> None:
    edges = edges_of_document()
    for direction in ("upstream", "downstream"):
        found = lineage.lineage(diamond, start, direction, depth=depth)
        expected = reference_bfs(edges, start, direction == "downstream", depth)
        assert {n.uid: n.depth for n in found.nodes} == expected, direction
        assert not found.truncated and found.total_count == len(expected)
        among = {e for e in edges if e[0] in expected and e[2] in expected}
        assert {(e.from_uid, e.type, e.to_uid) for e in found.edges} == among, direction
        assert [(n.depth, n.uid) for n in found.nodes] == sorted((n.depth, n.uid) for n in found.nodes)


def test_both_directions_keep_the_smaller_depth(diamond: Database) -> None:
    edges = edges_of_document()
    found = {n.uid: n.depth for n in lineage.lineage(diamond, dsv("c"), "both", depth=3).nodes}
    up, down = reference_bfs(edges, dsv("c"), False, 3), reference_bfs(edges, dsv("c"), True, 3)
    assert found == {u: min(up.get(u, 99), down.get(u, 99)) for u in set(up) | set(down)}


def test_impact_matches_the_downstream_walk(diamond: Database) -> None:
    report = lineage.impact(diamond, dsv("raw"))
    expected = reference_bfs(edges_of_document(), dsv("raw"), True, 10)
    assert {n.uid for n in report.subgraph.nodes} == set(expected)
    models = sorted((expected[u], u) for u in (mv(1), mv(2), mv(3), mv(4)))
    assert [(n.depth, n.uid) for n in report.model_versions] == models
    assert [n.uid for n in report.evaluations] == ["evaluation:dia@3.0/d@1/auc"]


def test_the_limit_keeps_the_nearest_nodes_and_says_truncated(diamond: Database) -> None:
    expected = reference_bfs(edges_of_document(), dsv("raw"), True, 10)
    for limit in (1, 2, 4, 5, 7):
        found = lineage.lineage(diamond, dsv("raw"), "downstream", limit=limit)
        assert len(found.nodes) == limit and found.truncated and found.total_count is None
        # Nearest first: the depths kept are the smallest `limit` depths; every node nearer than
        # the level that was cut is there, with its true depth (which nodes of the cut level are
        # kept is the walk's choice).
        assert sorted(n.depth for n in found.nodes) == sorted(expected.values())[:limit], limit
        assert all(expected[n.uid] == n.depth for n in found.nodes)
        cut_level = max(n.depth for n in found.nodes)
        assert {u for u, d in expected.items() if d < cut_level} <= {n.uid for n in found.nodes}
        kept = {n.uid for n in found.nodes}
        assert all(e.from_uid in kept and e.to_uid in kept for e in found.edges)
    whole = lineage.lineage(diamond, dsv("raw"), "downstream", limit=len(expected))
    assert not whole.truncated and whole.total_count == len(expected) == len(whole.nodes)
    # Upstream (one query, nearest by depth then uid).
    above = reference_bfs(edges_of_document(), mv(3), False, 10)
    for limit in (1, 3, 6):
        up = lineage.lineage(diamond, mv(3), "upstream", limit=limit)
        assert [(n.depth, n.uid) for n in up.nodes] == sorted((d, u) for u, d in above.items())[:limit]
        assert up.truncated and up.total_count is None
    assert not lineage.lineage(diamond, mv(3), "upstream", limit=len(above)).truncated
    # Both directions: each walk is capped, and so is the merge.
    both = lineage.lineage(diamond, dsv("c"), "both", limit=3)
    assert len(both.nodes) == 3 and both.truncated and both.nodes[0].uid == dsv("c")
    assert lineage.impact(diamond, dsv("raw"), limit=3).subgraph.truncated


def test_the_limit_is_validated_and_defaults_to_the_setting(diamond: Database) -> None:
    most = diamond.settings.lineage_max_nodes
    with pytest.raises(InvalidInput, match=f"limit must be between 1 and {most}") as err:
        lineage.lineage(diamond, dsv("raw"), "downstream", limit=most + 1)
    assert err.value.path == "limit"
    with pytest.raises(InvalidInput, match="limit"):
        lineage.impact(diamond, dsv("raw"), limit=0)
    original = diamond.settings
    # Without a limit the answer holds the default number of nodes; a client may ask for more, up
    # to the maximum.
    diamond.settings = replace(original, lineage_default_nodes=3, lineage_max_nodes=5)
    try:
        capped = lineage.lineage(diamond, dsv("raw"), "downstream")
        assert len(capped.nodes) == 3 and capped.truncated
        more = lineage.lineage(diamond, dsv("raw"), "downstream", limit=5)
        # (which nodes of a level cut short are kept is arbitrary: compare sizes and the start only)
        assert len(more.nodes) == 5 and more.nodes[0].uid == capped.nodes[0].uid == dsv("raw")
        with pytest.raises(InvalidInput, match="limit must be between 1 and 5"):
            lineage.lineage(diamond, dsv("raw"), "downstream", limit=6)
    finally:
        diamond.settings = original


def test_round_trips_grow_with_depth_not_with_paths(diamond: Database) -> None:
    with count_queries() as box:
        found = lineage.lineage(diamond, dsv("raw"), "downstream", depth=10)
    deepest = max(n.depth for n in found.nodes)
    # start + one step per level until the frontier empties (at most deepest + 1) + the edges.
    assert box[0] <= deepest + 3


def test_graphql_lineage_limit_and_truncation(neo4j_server: Settings, diamond: Database) -> None:
    query = """query L($id: ID!, $limit: Int) {
      lineage(id: $id, direction: DOWNSTREAM, limit: $limit) { truncated totalCount nodes { id depth } edges { from to } }
      impact(id: $id, limit: $limit) { graph { truncated totalCount } modelVersions { id } } }"""
    expected = reference_bfs(edges_of_document(), dsv("raw"), True, 10)
    for client in client_for(neo4j_server):
        cut = gql(client, query, {"id": dsv("raw"), "limit": 4}).json()
        assert "errors" not in cut, cut
        graph = cut["data"]["lineage"]
        assert graph["truncated"] is True and graph["totalCount"] is None and len(graph["nodes"]) == 4
        assert cut["data"]["impact"]["graph"]["truncated"] is True
        whole = gql(client, query, {"id": dsv("raw"), "limit": None}).json()["data"]
        assert whole["lineage"]["truncated"] is False and whole["lineage"]["totalCount"] == len(expected)
        assert len(whole["impact"]["modelVersions"]) == 4
        bad = gql(client, query, {"id": dsv("raw"), "limit": 0}).json()
        assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT" and "limit must be between 1 and" in bad["errors"][0]["message"]


def test_subgraph_defaults_stay_backward_compatible() -> None:
    sub = domain.Subgraph((), ())
    assert sub.truncated is False and sub.total_count is None
