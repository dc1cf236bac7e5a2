"""Packed columns: a (N, 4) four-momentum array split into per-component inputs, and separate
component columns stacked into a model's packed input — with the explanation saying which."""

from __future__ import annotations

from embeddings.compat import compatibility, prepare
from embeddings.packing import packing
from embeddings.schema import Column

KINEMATIC_INPUTS = [Column(n, shape=(128,)) for n in ("part_px", "part_py", "part_pz", "part_energy", "part_mask")]


def _compat(user: list[Column], model: list[Column]):  # type: ignore[no-untyped-def]
    return compatibility(prepare(user), prepare(model))


def test_components_come_from_the_stated_order() -> None:
    four = Column("constituents", shape=(None, 4), unit="GeV", description="(E, px, py, pz) of the constituents")
    pack = packing(four)
    assert pack is not None and not pack.assumed
    assert [n.lower() for n in pack.names] == ["e", "px", "py", "pz"]
    reordered = Column("constituents", shape=(None, 4), description="packed as (px, py, pz, E)")
    assert [n.lower() for n in packing(reordered).names] == ["px", "py", "pz", "e"]  # type: ignore[union-attr]
    # Two lists of four: the one that reads as quantities wins, units in brackets are kept.
    l1 = Column("Particles", shape=(19, 4), description="19 objects (MET, 4 e, 4 mu, 10 jets) x (pT [GeV], eta, phi, class)")
    pack = packing(l1)
    assert pack is not None and pack.names[:3] == ("pt", "eta", "phi") and pack.units[0] == "GeV"


def test_no_packing_without_words_for_it() -> None:
    assert packing(Column("hits", shape=(None, 4))) is None  # four numbers, nothing says which
    assert packing(Column("x", shape=(None, 3), description="(pt, eta, phi, m)")) is None  # 4 names, 3 slots
    assert packing(Column("jet_pt", shape=(None,))) is None
    assumed = packing(Column("jet_p4", shape=(None, 4)))
    assert assumed is not None and assumed.assumed and assumed.names == ("E", "px", "py", "pz")


def test_four_vector_array_splits_into_component_inputs() -> None:
    user = [Column("constituents", shape=(None, 4), unit="GeV", description="(E, px, py, pz) per constituent, zero-padded"),
            Column("is_signal", "int64")]
    result = _compat(user, KINEMATIC_INPUTS)
    fed = {p.input: p.column for p in result.pairs}
    assert fed == {"part_px": "constituents[..., 1]", "part_py": "constituents[..., 2]",
                   "part_pz": "constituents[..., 3]", "part_energy": "constituents[..., 0]",
                   "part_mask": "particle_mask"}  # the padding mask is derived (embeddings.derive)
    assert not result.unsatisfied
    assert result.unused == ("is_signal",) and result.n_used == 1
    assert all(p.reason.startswith("split column constituents[...") for p in result.pairs if p.input != "part_mask")
    assert "constituents[..., 1] → part_px" in result.transformations
    assert "derive particle_mask = (particle_e != 0), 1 for each real object, 0 for padding" in result.transformations
    assert 0.6 < result.score < 0.85  # 5 of 5 inputs, each with a split and padding step, one derived
    # Without the words the array is opaque: nothing is fed.
    opaque = _compat([Column("constituents", shape=(None, 4))], KINEMATIC_INPUTS)
    assert opaque.score == 0.0 and not opaque.pairs


def test_assumed_order_scores_below_a_stated_one_and_says_so() -> None:
    stated = _compat([Column("p4", shape=(None, 4), description="(E, px, py, pz)")], KINEMATIC_INPUTS)
    assumed = _compat([Column("p4", shape=(None, 4), description="constituent four-momenta")], KINEMATIC_INPUTS)
    assert len(assumed.pairs) == len(stated.pairs) == 5  # four components and the derived mask
    assert assumed.score < stated.score
    assert all("order assumed" in p.reason or "order assumed" in " ".join(p.transforms) for p in assumed.pairs)


def test_a_packed_column_feeds_a_packed_input_whole() -> None:
    packed_input = [Column("X", shape=(None, 4), description="constituents (pt [GeV], rapidity y, azimuth phi, PDG id)")]
    user = [Column("X", shape=(None, 4), description="(pt, y, phi, pid)")]
    result = _compat(user, packed_input)
    assert [(p.column, p.input) for p in result.pairs] == [("X", "X")] and result.score == 1.0


def test_separate_columns_stack_into_a_packed_input() -> None:
    packed_input = [Column("X", "float64", (None, 4), description="per jet, constituents x (pt [GeV], rapidity y, azimuth phi, PDG id)")]
    user = [Column(n, shape=(None,)) for n in ("part_pt", "part_rapidity", "part_phi", "part_pdgId", "run")]
    result = _compat(user, packed_input)
    (pair,) = result.pairs
    assert pair.input == "X" and pair.column == "part_pt + part_rapidity + part_phi + part_pdgId"
    assert pair.reason.startswith("stack 4/4 components") and "part_phi → X[..., 2]" in pair.reason
    assert any(t.startswith("stack (part_pt, part_rapidity, part_phi, part_pdgId) → X") for t in result.transformations)
    assert result.unused == ("run",) and result.n_used == 4 and not result.unsatisfied
    # Three of four components: the input is partly satisfied and the missing one is named.
    partial = _compat(user[:3], packed_input)
    assert partial.pairs[0].reason.startswith("stack 3/4") and partial.score < result.score
    assert [name for name, _ in partial.unsatisfied] == ["X[..., 3] (pid)"]


def test_stacking_respects_the_object_the_packed_input_holds() -> None:
    # `Particles` holds particles: jet columns are another object and must not be stacked into it.
    packed_input = [Column("Particles", shape=(19, 3), description="objects x (pT [GeV], eta, phi)")]
    jets = [Column(n, shape=(None,)) for n in ("Jet_pt", "Jet_eta", "Jet_phi")]
    assert _compat(jets, packed_input).score == 0.0
    parts = [Column(n, shape=(None,)) for n in ("part_pt", "part_eta", "part_phi")]
    assert _compat(parts, packed_input).score > 0.7


def test_fixed_size_clash_is_counted_as_a_conflict() -> None:
    user = [Column(n, shape=(30,)) for n in ("etarel", "phirel", "ptrel")]
    outputs150 = [Column(n, shape=(150,)) for n in ("etarel", "phirel", "ptrel")]
    outputs30 = [Column(n, shape=(30,)) for n in ("etarel", "phirel", "ptrel")]
    assert _compat(user, outputs150).conflicts == 3 and _compat(user, outputs30).conflicts == 0
    # A variable-length array is shorter or longer, not of another kind: no conflict.
    assert _compat([Column("etarel", shape=(None,))], outputs150[:1]).conflicts == 0


def test_a_longer_ordered_object_list_is_cut_to_the_models_leading_objects() -> None:
    user = [Column(n, shape=(200,)) for n in ("part_px", "part_energy")]
    result = _compat(user, [Column("part_px", shape=(128,)), Column("part_energy", shape=(128,))])
    assert len(result.pairs) == 2 and 0.7 < result.score < 0.9
    assert any("leading 128 of 200 particles" in t for t in result.transformations)
    # Never padded up (30 particles into a 150-particle model), never for unnamed arrays (voxels).
    assert _compat([Column("part_px", shape=(30,))], [Column("part_px", shape=(150,))]).score == 0.0
    assert _compat([Column("energy", shape=(6480,))], [Column("energy", shape=(368,))]).score == 0.0


def test_indexed_columns_collapsed_into_an_array_can_still_feed_one_input_each() -> None:
    # `mj1, mj2` read as one array `mj` (2,); a model that wants `mj1` alone still gets it.
    user = [Column("mj1"), Column("mj2"), Column("label")]
    result = _compat(user, [Column("mj1"), Column("mjj")])
    assert [(p.column, p.input) for p in result.pairs] == [("mj1", "mj1")]
    assert result.n_used == 1 and result.unused == ("label",)
    # A model that wants the whole array takes it whole.
    whole = _compat(user, [Column("mj", shape=(2,))])
    assert [(p.column, p.input) for p in whole.pairs] == [("mj1..mj2", "mj")]


def test_components_spelled_in_prose_read_as_their_quantities() -> None:
    # EnergyFlow's PFN input as its README describes it.
    x = Column("X", shape=(None, 4), description="per constituent (z = pT fraction, rapidity - jet rapidity, "
                                                 "phi - jet phi, encoded PDG id), zero-padded")
    pack = packing(x)
    assert pack is not None and pack.names == ("pt_rel", "y_rel", "phi_rel", "pid")
    # A difference with another object's value is not jet-relative; unlisted prose is left alone.
    other = packing(Column("Y", shape=(None, 2), description="(eta - lepton eta, energy fraction)"))
    assert other is not None and other.names[1] == "e_rel" and "rel" not in other.names[0]
