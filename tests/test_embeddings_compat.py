"""Structural compatibility: names, shapes, dtypes, optimal assignment, explanations."""

from __future__ import annotations

from embeddings.compat import compatibility, dtype_fit, prepare, shape_fit
from embeddings.schema import Column


def _compat(user: list[Column], model: list[Column]):  # type: ignore[no-untyped-def]
    return compatibility(prepare(user), prepare(model))


def test_voxel_counts_must_agree() -> None:
    user = [Column(f"E_{i}") for i in range(368)] + [Column("E_inc")]
    small = [Column("energy", shape=(368,)), Column("incident_energy")]
    large = [Column("energy", shape=(6480,)), Column("incident_energy")]
    assert _compat(user, small).score == 1.0
    big = _compat(user, large)
    assert big.score == 0.5
    (name, why), = big.unsatisfied
    assert name == "energy" and "368" in why and "6480" in why


def test_particle_counts_must_agree_but_variable_length_pads() -> None:
    model = [Column(n, shape=(150,)) for n in ("part_pt", "part_eta", "part_phi")]
    fixed30 = [Column(n, shape=(30,)) for n in ("PT", "Eta", "Phi")]
    variable = [Column(n, shape=(None,)) for n in ("PT", "Eta", "Phi")]
    assert _compat(fixed30, model).score == 0.0
    padded = _compat(variable, model)
    assert 0.7 < padded.score < 1.0
    assert any("pad" in t and "150" in t for t in padded.transformations)


def test_grid_reshapes_to_the_same_number_of_voxels() -> None:
    fit = shape_fit((45, 16, 9), (6480,))
    assert fit.factor > 0 and "reshape" in fit.transforms[0]
    assert shape_fit((45, 16, 9), (368,)).factor == 0.0
    assert shape_fit((None, 4), (None, 3)).factor == 0.0
    assert shape_fit((None, 4), (None, 4)).factor == 1.0
    assert shape_fit((), (10,)).factor == 0.0


def test_dtypes() -> None:
    assert dtype_fit("float32", "float32").factor == 1.0
    assert dtype_fit("int32", "float32").factor == 1.0 and dtype_fit("int32", "float32").transforms
    assert dtype_fit("float32", "int64").factor < 1.0
    assert dtype_fit("string", "float32").factor == 0.0


def test_explanation_lists_pairs_transformations_unsatisfied_and_unused() -> None:
    user = [Column("part_pT", shape=(None,)), Column("part_eta", shape=(None,)), Column("jet_eta"),
            Column("run_number", "int64")]
    model = [Column("part_logpt", shape=(100,)), Column("part_etarel", shape=(100,)), Column("part_charge", shape=(100,))]
    result = _compat(user, model)
    pairs = {(p.column, p.input) for p in result.pairs}
    assert pairs == {("part_pT", "part_logpt"), ("part_etarel", "part_etarel")}
    assert [name for name, _ in result.unsatisfied] == ["part_charge"]
    assert result.unused == ("run_number",)
    text = " ".join(result.transformations)
    assert "log(part_pT)" in text and "derive part_etarel = part_eta - jet_eta" in text and "100" in text
    # Without a jet eta nothing says where the jet is: eta relative to it cannot be computed.
    alone = _compat([c for c in user if c.name != "jet_eta"], model)
    assert ("part_eta", "part_etarel") not in {(p.column, p.input) for p in alone.pairs}
    assert "jet axis" in dict(alone.unsatisfied)["part_etarel"]


def test_assignment_is_optimal_not_greedy() -> None:
    # `pt` fits both inputs; a greedy pass giving it to the first input would leave `jet_pt`
    # without the only column that can feed it. The optimal assignment feeds both.
    user = [Column("pt"), Column("part_pt")]
    model = [Column("part_pt"), Column("jet_pt")]
    result = _compat(user, model)
    assert {(p.column, p.input) for p in result.pairs} == {("part_pt", "part_pt"), ("pt", "jet_pt")}
    assert not result.unsatisfied


def test_objects_are_not_confused() -> None:
    result = _compat([Column("muon_pt")], [Column("jet_pt")])
    assert result.score == 0.0
    assert "another object" in result.unsatisfied[0][1]


def test_noise_inputs_of_generators_are_not_required_and_scalar_fits_one_element() -> None:
    result = _compat([Column("incident_energy")], [Column("incident_energies", shape=(1,)), Column("noise", shape=(None,))])
    assert result.score > 0.8 and result.n_inputs == 1 and not result.unsatisfied
