"""Lineage on the real Neo4j: a chain of 7, both directions, type filters, depth caps, path, impact."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphcat.errors import InvalidInput, NotFound
from graphcat.service import catalog as service
from graphcat.service import lineage
from graphcat.store.database import Database
from tests.catalog_builders import chain_document

RAW = "dataset_version:raw@1"
SKIM = "dataset_version:skim@1"
EVAL = "evaluation:m@6.0/skim@1/auc"


def mv(i: int) -> str:
    return f"model_version:m@{i}.0"


@pytest.fixture()
def chain(db: Database) -> Database:
    service.register(db, chain_document(7))
    return db


def depths(subgraph) -> dict[str, int]:
    return {n.uid: n.depth for n in subgraph.nodes}


def test_downstream_reaches_depth_seven(chain: Database) -> None:
    found = depths(lineage.lineage(chain, RAW, "downstream", depth=10))
    assert found == {RAW: 0, SKIM: 1, mv(1): 2, mv(2): 3, mv(3): 4, mv(4): 5, mv(5): 6, mv(6): 7, EVAL: 2}


def test_upstream_from_the_end_of_the_chain(chain: Database) -> None:
    sub = lineage.lineage(chain, mv(6), "upstream", depth=10)
    found = depths(sub)
    assert found[mv(1)] == 5 and found[SKIM] == 6 and found[RAW] == 7
    assert found["detector:cms-detector"] == 8
    edges = {(e.from_uid, e.type, e.to_uid) for e in sub.edges}
    assert (mv(2), "FINE_TUNED_FROM", mv(1)) in edges
    assert (mv(3), "DISTILLED_FROM", mv(2)) in edges
    assert (mv(4), "QUANTIZED_FROM", mv(3)) in edges
    assert (mv(5), "CONVERTED_FROM", mv(4)) in edges
    assert (SKIM, "DERIVED_FROM", RAW) in edges and (RAW, "RECORDED_WITH", "detector:cms-detector") in edges
    assert all(n.label for n in sub.nodes)


def test_depth_limits_the_walk(chain: Database) -> None:
    found = depths(lineage.lineage(chain, RAW, "downstream", depth=5))
    assert max(found.values()) == 5 and mv(4) in found and mv(5) not in found


def test_type_filter(chain: Database) -> None:
    found = depths(lineage.lineage(chain, mv(6), "upstream", types=["FINE_TUNED_FROM", "DISTILLED_FROM",
                                                                     "QUANTIZED_FROM", "CONVERTED_FROM"]))
    assert set(found) == {mv(i) for i in range(1, 7)}
    only_fine = depths(lineage.lineage(chain, mv(6), "upstream", types=["FINE_TUNED_FROM"]))
    assert set(only_fine) == {mv(6), mv(5)}  # m@6 FINE_TUNED_FROM m@5, which was CONVERTED_FROM m@4
    with pytest.raises(InvalidInput, match="NOT_A_TYPE"):
        lineage.lineage(chain, RAW, types=["NOT_A_TYPE"])


def test_both_directions_merge(chain: Database) -> None:
    found = depths(lineage.lineage(chain, mv(3), "both", depth=2))
    assert found == {mv(3): 0, mv(2): 1, mv(1): 2, mv(4): 1, mv(5): 2}


def test_depth_is_capped_by_the_setting(chain: Database) -> None:
    with pytest.raises(InvalidInput, match="depth must be between 1 and 10"):
        lineage.lineage(chain, RAW, "downstream", depth=11)
    capped = replace(chain.settings, max_lineage_depth=6)
    original = chain.settings
    chain.settings = capped
    try:
        assert max(depths(lineage.lineage(chain, RAW, "downstream")).values()) == 6
        with pytest.raises(InvalidInput, match="between 1 and 6"):
            lineage.impact(chain, RAW, depth=7)
    finally:
        chain.settings = original
    with pytest.raises(InvalidInput, match="direction"):
        lineage.lineage(chain, RAW, "sideways")


def test_unknown_start_is_not_found(chain: Database) -> None:
    with pytest.raises(NotFound):
        lineage.lineage(chain, "model_version:ghost@1")
    with pytest.raises(NotFound):
        lineage.impact(chain, "dataset_version:ghost@1")
    with pytest.raises(NotFound):
        lineage.path(chain, RAW, "model_version:ghost@1")


def test_shortest_path(chain: Database) -> None:
    found = lineage.path(chain, mv(6), RAW)
    assert [n.uid for n in found.nodes][0] == mv(6) and found.nodes[-1].uid == RAW
    # The evaluation joins m@6 to skim@1 directly: 3 hops instead of 7.
    assert [n.uid for n in found.nodes] == [mv(6), EVAL, SKIM, RAW]
    assert [e.type for e in found.edges] == ["EVALUATES", "EVALUATED_ON", "DERIVED_FROM"]
    no_eval = lineage.path(chain, mv(6), RAW, types=["FINE_TUNED_FROM", "DISTILLED_FROM", "QUANTIZED_FROM",
                                                     "CONVERTED_FROM", "TRAINED_ON", "DERIVED_FROM"])
    assert len(no_eval.edges) == 7
    assert lineage.path(chain, mv(6), RAW, depth=2).nodes == ()
    assert [n.uid for n in lineage.path(chain, RAW, RAW).nodes] == [RAW]


def test_impact_of_a_faulty_dataset(chain: Database) -> None:
    report = lineage.impact(chain, RAW)
    assert [n.uid for n in report.dataset_versions] == [SKIM]
    assert [n.uid for n in report.model_versions] == [mv(i) for i in range(1, 7)]
    assert [n.uid for n in report.evaluations] == [EVAL]
    assert {e.type for e in report.subgraph.edges} >= {"DERIVED_FROM", "TRAINED_ON", "EVALUATED_ON"}
    # From a detector: everything recorded with it, and so on down.
    assert len(lineage.impact(chain, "detector:cms-detector").model_versions) == 6
    assert lineage.impact(chain, mv(6)).model_versions == ()


def test_reconverging_lineage_counts_each_node_once(db: Database) -> None:
    # A ladder of skims three wide: every version derives from all three of the level above, so
    # the number of paths grows as 3^depth while the answer is 3 nodes per level.
    levels, width = 12, 3
    versions = [{"version": "0"}]
    for level in range(1, levels + 1):
        parents = ["ladder@0"] if level == 1 else [f"ladder@{level - 1}.{k}" for k in range(width)]
        versions += [{"version": f"{level}.{k}", "derived_from": [{"dataset": p, "kind": "skim"} for p in parents]}
                     for k in range(width)]
    service.register(db, {"graphcat_catalog": 1, "datasets": [{"id": "ladder", "name": "Ladder", "versions": versions}]})
    found = lineage.lineage(db, "dataset_version:ladder@0", "downstream", depth=10)
    assert len(found.nodes) == 1 + 10 * width
    assert all(n.depth == int(n.uid.rsplit("@", 1)[1].split(".")[0]) for n in found.nodes)
    assert len(found.edges) == width + 9 * width * width
    assert len(lineage.impact(db, "dataset_version:ladder@0").dataset_versions) == 10 * width
    top = lineage.lineage(db, "dataset_version:ladder@12.0", "upstream", depth=10)
    assert {n.depth for n in top.nodes} == set(range(11)) and len(top.nodes) == 1 + 10 * width  # levels 2..11
