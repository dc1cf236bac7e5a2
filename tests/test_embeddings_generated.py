"""A generator's outputs recognised by geometry (embeddings.generated): arrays of an output's exact
shape under other names, and per-layer arrays that add up to it, never kinematics or tiny arrays."""

from __future__ import annotations

import pytest

from embeddings.compat import compatibility, prepare
from embeddings.generated import MIN_VALUES, SHAPE_FACTOR, SPLIT_FACTOR
from embeddings.schema import Column

CALOGAN = [Column("layer_0", shape=(3, 96)), Column("layer_1", shape=(12, 12)), Column("layer_2", shape=(12, 6))]
SHOWERS = [Column("showers", shape=(533,), unit="MeV")]


def _produced(user: list[Column], outputs: list[Column]):  # type: ignore[no-untyped-def]
    return compatibility(prepare(user), prepare(outputs), strict=True)


def test_arrays_of_the_outputs_geometry_match_under_other_names() -> None:
    c = _produced([Column("e_inc", shape=(1,)), Column("l0", shape=(3, 96)), Column("l1", shape=(12, 12)),
                   Column("l2", shape=(12, 6))], CALOGAN)
    assert {(p.column, p.input) for p in c.pairs} == {("l0", "layer_0"), ("l1", "layer_1"), ("l2", "layer_2")}
    assert c.score == pytest.approx(SHAPE_FACTOR) and c.unused == ("e_inc",) and c.n_satisfied == 3
    # Same size, another layout: still the geometry, a little less sure.
    flat = _produced([Column("x", shape=(288,))], CALOGAN[:1])
    assert flat.pairs and flat.score == pytest.approx(SHAPE_FACTOR * 0.9)


def test_per_layer_arrays_that_add_up_are_concatenated_in_index_order() -> None:
    sizes = {0: 8, 1: 100, 2: 100, 3: 5, 12: 150, 13: 160, 14: 10}  # CaloChallenge pions: 533 voxels
    user = [Column("incident_energies", shape=(1,))] + [Column(f"layer_{k}", shape=(n,)) for k, n in sizes.items()]
    c = _produced(user, SHOWERS)
    (pair,) = c.pairs
    assert pair.input == "showers" and pair.score == SPLIT_FACTOR and pair.transforms[0].startswith("concatenate layer_0")
    missing = _produced(user[:-1], SHOWERS)  # without layer_14 they add up to 523, not 533
    assert not missing.pairs


def test_names_of_kinematics_and_tiny_arrays_are_no_geometry() -> None:
    assert not _produced([Column("part_pt", shape=(533,))], SHOWERS).pairs
    small = [Column("cells", shape=(MIN_VALUES - 1,))]
    assert not _produced(small, [Column("out", shape=(MIN_VALUES - 1,))]).pairs
    # A named match is kept as it is: the geometry only fills outputs nothing else fed.
    named = _produced([Column("showers", shape=(533,)), Column("x", shape=(533,))], SHOWERS)
    assert [p.column for p in named.pairs] == ["showers"]
    # Inputs are never matched by geometry alone (non-strict compatibility is the named assignment).
    assert not compatibility(prepare([Column("x", shape=(3, 96))]), prepare(CALOGAN[:1])).pairs
