"""Derived inputs (embeddings/derive.py): each rule on real numbers, row grouping on a CSV, and the
compatibility explanation naming the derivation."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from embeddings.compat import compatibility, prepare
from embeddings.derive import (COPIES, DERIVE_FACTOR, RULES, derive, group_rows, jet_axis, row_grouping, rule,
                               with_jet_axis)
from embeddings.schema import Column

# A constituent with pt = 50 GeV, eta = 1.2, phi = -2.5 and mass 0.14 GeV, as a four-vector.
PT, ETA, PHI, MASS = 50.0, 1.2, -2.5, 0.14
PX, PY, PZ = PT * math.cos(PHI), PT * math.sin(PHI), PT * math.sinh(ETA)
E = math.sqrt(PX**2 + PY**2 + PZ**2 + MASS**2)


def test_four_vector_to_pt_eta_phi_and_rapidity() -> None:
    assert rule("pt", "px", "py").apply({"px": PX, "py": PY}) == pytest.approx(PT)
    assert rule("eta", "px", "py", "pz").apply({"px": PX, "py": PY, "pz": PZ}) == pytest.approx(ETA)
    assert rule("phi", "px", "py").apply({"px": PX, "py": PY}) == pytest.approx(PHI)
    y = rule("y", "e", "pz").apply({"e": E, "pz": PZ})
    assert y == pytest.approx(0.5 * math.log((E + PZ) / (E - PZ)))
    assert y < ETA  # a massive particle's rapidity is below its pseudorapidity


def test_pt_eta_phi_back_to_components() -> None:
    assert rule("px", "pt", "phi").apply({"pt": PT, "phi": PHI}) == pytest.approx(PX)
    assert rule("py", "pt", "phi").apply({"pt": PT, "phi": PHI}) == pytest.approx(PY)
    assert rule("pz", "pt", "eta").apply({"pt": PT, "eta": ETA}) == pytest.approx(PZ)
    assert rule("e", "pt", "eta", "m").apply({"pt": PT, "eta": ETA, "m": MASS}) == pytest.approx(E)


def test_hit_cylindrical_coordinates() -> None:
    x, y = np.array([30.0, -12.0]), np.array([40.0, -5.0])
    assert rule("r", "x", "y").apply({"x": x, "y": y}) == pytest.approx([50.0, 13.0])
    assert rule("phi", "x", "y").apply({"x": x, "y": y}) == pytest.approx([math.atan2(40, 30), math.atan2(-5, -12)])


def test_jet_axis_and_relative_quantities() -> None:
    # Two massless constituents symmetric about eta = 0.5, phi = 3.1 (close to the ±pi wrap).
    etas, phis, pts = np.array([0.4, 0.6]), np.array([3.0, 3.2]), np.array([20.0, 20.0])
    px, py, pz = pts * np.cos(phis), pts * np.sin(phis), pts * np.sinh(etas)
    e = pts * np.cosh(etas)
    axis = jet_axis(e, px, py, pz)
    assert axis["phi"] == pytest.approx(_wrap(3.1), abs=1e-9)
    summed_pt = math.hypot(px.sum(), py.sum())
    assert axis["eta"] == pytest.approx(math.asinh(pz.sum() / summed_pt)) and 0.5 < axis["eta"] < 0.51
    assert axis["pt"] == pytest.approx(summed_pt)
    assert axis["e"] == pytest.approx(e.sum())
    phirel = rule("phirel", "phi").apply({"phi": _wrap(phis), "axis_phi": axis["phi"]})
    assert phirel == pytest.approx([-0.1, 0.1], abs=1e-9)  # wrapped across ±pi, not ±2pi away
    etarel = rule("etarel", "eta").apply({"eta": etas, "axis_eta": axis["eta"]})
    assert etarel[0] < 0 < etarel[1]
    assert rule("ptrel", "pt").apply({"pt": pts, "axis_pt": axis["pt"]}) == pytest.approx(pts / axis["pt"])
    assert rule("erel", "e").apply({"e": e, "axis_e": axis["e"]}) == pytest.approx([e[0] / e.sum(), e[1] / e.sum()])
    assert rule("yrel", "y").apply({"y": etas, "axis_y": axis["y"]}) == pytest.approx(etas - axis["y"])
    assert rule("dr", "etarel", "phirel").apply({"etarel": etarel, "phirel": phirel}) == pytest.approx(
        np.hypot(etarel, phirel))


def test_every_rule_is_tested_and_scores_below_a_given_column() -> None:
    tested = {("pt", False), ("eta", False), ("phi", False), ("y", False), ("px", False), ("py", False), ("pz", False),
              ("e", False), ("r", False), ("eta", True), ("phi", True), ("pt", True), ("e", True), ("y", True), ("dr", False)}
    assert {r.target for r in RULES} == tested
    assert all(r.compute is not None for r in RULES)
    assert 0 < DERIVE_FACTOR < 1


def _wrap(phi):  # type: ignore[no-untyped-def]
    return (np.asarray(phi) + np.pi) % (2 * np.pi) - np.pi


def test_derive_keeps_object_and_shape_and_names_the_formula() -> None:
    cols = [Column("part_px", shape=(None,), unit="GeV"), Column("part_py", shape=(None,), unit="GeV"),
            Column("jet_px", unit="GeV")]
    derived = {d.column.name: d for d in derive(cols)}
    assert derived["part_pt"].formula == "part_pt = hypot(part_px, part_py)"
    assert derived["part_pt"].column.shape == (None,) and derived["part_pt"].column.unit == "GeV"
    assert derived["part_pt"].sources == (0, 1) and derived["part_pt"].factor == pytest.approx(DERIVE_FACTOR)
    assert sum(1 for d in derive(cols) if d.column.name == "part_pt") == COPIES
    # The jet's px alone gives nothing, and nothing mixes a jet column into a particle quantity.
    assert not any(d.column.name.startswith("jet") for d in derive(cols))
    assert all(2 not in d.sources for d in derive(cols))
    # No jet axis (no E/pz, no jet columns): nothing relative is derived.
    assert not any("rel" in d.column.name for d in derive(cols))


def test_relative_quantities_use_the_users_jet_columns_when_present() -> None:
    cols = [Column("part_eta", shape=(None,)), Column("part_phi", shape=(None,)), Column("jet_eta"), Column("jet_phi")]
    derived = {d.column.name: d for d in derive(cols)}
    assert derived["part_etarel"].formula == "part_etarel = part_eta - jet_eta"
    assert derived["part_deltaR"].formula == "part_deltaR = hypot(part_etarel, part_phirel)"
    assert set(derived["part_deltaR"].sources) == {0, 1, 2, 3}
    axes = with_jet_axis(cols)
    assert set(axes) == {0, 1} and axes[0] == {"eta", "phi"}


def test_positions_in_energy_units_are_not_positions() -> None:
    assert not [d for d in derive([Column("x", unit="GeV"), Column("y", unit="GeV")]) if d.column.name == "r"]
    assert [d for d in derive([Column("x", unit="mm"), Column("y", unit="mm")]) if d.column.name == "r"]


def test_row_grouping_on_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "hits.csv"
    rows = [(1, 1, 30.0, 40.0, 100.0), (1, 2, -12.0, -5.0, -20.0), (2, 1, 3.0, 4.0, 7.0)]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "hit_id", "x", "y", "z"])
        w.writerows(rows)
    with path.open() as fh:
        records = list(csv.DictReader(fh))
    columns = [Column("event_id", "int64"), Column("hit_id", "int64"), Column("x", unit="mm"), Column("y", unit="mm"),
               Column("z", unit="mm")]
    grouping = row_grouping(columns)
    assert grouping is not None and grouping.event == "event_id" and grouping.object_id == "hit_id"
    assert grouping.describe() == "group rows by event_id → per-event arrays"
    table = {name: np.array([float(r[name]) for r in records]) for name in records[0]}
    events = group_rows(table, grouping)
    assert list(events) == [1.0, 2.0]
    assert events[1.0]["x"].tolist() == [30.0, -12.0] and events[2.0]["z"].tolist() == [7.0]
    r = rule("r", "x", "y").apply({"x": events[1.0]["x"], "y": events[1.0]["y"]})
    assert r.tolist() == pytest.approx([50.0, 13.0])
    # One row per event (an event id and no object id) is not a grouping; nor is a table of arrays.
    assert row_grouping([Column("EventId", "int64"), Column("PRI_tau_pt")]) is None
    assert row_grouping([Column("hit_id", "int64"), Column("x", shape=(None,))]) is None
    alone = row_grouping([Column("hit_id", "int64"), Column("x")])
    assert alone is not None and alone.event is None and "one event per file" in alone.describe()
    assert list(group_rows({"hit_id": [1, 2], "x": [1.0, 2.0]}, alone)) == [None]


def test_tracking_model_fed_from_hit_rows_with_the_steps_named() -> None:
    user = [Column("event_id", "int64"), Column("hit_id", "int64"), Column("x", unit="mm"), Column("y", unit="mm"),
            Column("z", unit="mm")]
    model = [Column("r", shape=(None,), unit="mm"), Column("phi", shape=(None,), unit="rad"),
             Column("z", shape=(None,), unit="mm")]
    result = compatibility(prepare(user), prepare(model))
    assert not result.unsatisfied and result.n_used == 3
    steps = result.transformations
    assert "group rows by event_id → per-event arrays" in steps
    assert "derive r = hypot(x, y)" in steps and "derive phi = atan2(y, x)" in steps
    assert 0.7 < result.score < 0.95  # grouped and derived: below a direct feed


def test_four_vectors_feed_jet_relative_inputs_and_say_so() -> None:
    user = [Column("constituents", shape=(200, 4), unit="GeV", description="(E, px, py, pz) of the constituents")]
    pfn = [Column("part_pt", shape=(200,)), Column("part_etarel", shape=(200,)), Column("part_phirel", shape=(200,))]
    result = compatibility(prepare(user), prepare(pfn))
    assert not result.unsatisfied
    steps = result.transformations
    assert "derive particle_pt = hypot(particle_px, particle_py)" in steps
    assert any(s.startswith("derive particle_etarel = particle_eta - jet eta of sum(") for s in steps)
    # The same inputs given directly score higher than derived ones.
    direct = compatibility(prepare([Column(c.name, shape=(200,)) for c in pfn]), prepare(pfn))
    assert direct.score > result.score


def test_hits_have_no_jet_axis() -> None:
    # A hit's azimuth is no jet-relative azimuth: EFN-like (rapidity, azimuth) relative to the jet stays unfed.
    user = [Column("hit_id", "int64"), Column("x", unit="mm"), Column("y", unit="mm")]
    efn = [Column("p", shape=(None, 2), description="constituent (rapidity, azimuth) relative to the jet axis")]
    result = compatibility(prepare(user), prepare(efn))
    assert not result.pairs and result.score == 0.0
