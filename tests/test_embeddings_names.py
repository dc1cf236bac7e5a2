"""Column-name normalisation: HEP synonyms, object prefixes, transforms, index runs."""

from __future__ import annotations

import pytest

from embeddings.names import canonical, collapse_indexed
from embeddings.schema import Column


@pytest.mark.parametrize("name", ["pt", "pT", "PT", "transverse momentum", "transverse_momentum", "Pt"])
def test_pt_synonyms(name: str) -> None:
    assert canonical(name).qty == "pt"


@pytest.mark.parametrize(("a", "b"), [
    ("eta", "pseudorapidity"), ("phi", "azimuth"), ("E", "energy"), ("pid", "pdgId"), ("pdg_id", "PID"),
    ("btag", "jet_btagDeepB"), ("incident_energy", "E_inc"), ("nConstituents", "n_particles"),
])
def test_synonym_pairs(a: str, b: str) -> None:
    assert canonical(a).qty == canonical(b).qty


@pytest.mark.parametrize(("name", "obj", "qty"), [
    ("j_pt", "jet", "pt"), ("jet1_pt", "jet", "pt"), ("part_eta", "particle", "eta"),
    ("jetPt", "jet", "pt"), ("Electron_pt", "electron", "pt"), ("px", None, "px"), ("jet", None, "jet"),
])
def test_object_prefixes(name: str, obj: str | None, qty: str) -> None:
    c = canonical(name)
    assert (c.obj, c.qty) == (obj, qty)


@pytest.mark.parametrize(("name", "qty", "transforms"), [
    ("part_logptrel", "pt", {"log", "rel"}), ("part_etarel", "eta", {"rel"}), ("part_deta", "eta", {"rel"}),
    ("log_pt", "pt", {"log"}), ("logE", "e", {"log"}), ("part_pt", "pt", set()),
])
def test_transforms(name: str, qty: str, transforms: set[str]) -> None:
    c = canonical(name)
    assert c.qty == qty and c.transforms == transforms


def test_index_suffix_run_collapses_into_one_array() -> None:
    columns = [Column(f"E_{i}") for i in range(200)] + [Column("E_inc")]
    fields = collapse_indexed(columns)
    assert [f.column.name for f in fields] == ["E", "E_inc"]
    assert fields[0].column.shape == (200,)
    assert fields[0].label == "E_0..E_199"


def test_prefix_index_run_collapses_and_keeps_order() -> None:
    fields = collapse_indexed([Column("met"), Column("jet1_pt"), Column("jet2_pt"), Column("jet3_pt")])
    assert [(f.column.name, f.column.shape) for f in fields] == [("met", ()), ("jet_pt", (3,))]


@pytest.mark.parametrize("columns", [
    [Column("x_0"), Column("x_2")],                       # not contiguous
    [Column("x_0"), Column("x_1", dtype="int32")],        # mixed dtypes
    [Column("x_5"), Column("x_6")],                       # does not start at 0 or 1
    [Column("d0"), Column("dz")],                          # digits that are part of a name
])
def test_runs_that_must_not_collapse(columns: list[Column]) -> None:
    assert [f.column.name for f in collapse_indexed(columns)] == [c.name for c in columns]
