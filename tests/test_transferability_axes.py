"""Signed numeric axes in the transferability estimator, on synthetic evaluations whose answer is known.

The synthetic models' metric is exactly linear along a numeric axis (jet pT via
conditions.parameters, a detector resolution), one rising and one falling, so the estimate of a
held-out point follows from the line, in the right direction, which an unsigned drift (a loss
that only grows with distance) cannot give. Also: the interval widens when the estimate is carried
further, recorded parameters replace the text comparison of the tune and detector simulation, and
the parameters round-trip through the catalog.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from graphcat.catalog.exporter import export_document
from graphcat.errors import InvalidInput
from graphcat.service import catalog
from graphcat.service.dataset_distance import PT_UNIT, Comparator, Profile
from graphcat.service.transferability import ESTIMATED, Estimator, fit_response
from graphcat.store.database import Database

FEATURES = [{"name": "jet_mass", "dtype": "float32", "shape": []}]
PT_CENTRES = (350, 450, 550, 650, 750, 850)
RESOLUTIONS = (0.0, 0.1, 0.2, 0.3)


def pt_axis(centre: float) -> float:
    return math.log(centre / 350) / PT_UNIT


def rising(centre: float, resolution: float) -> float:
    return 0.80 + 0.02 * pt_axis(centre) - 0.15 * resolution


def falling(centre: float, resolution: float) -> float:
    return 0.90 - 0.03 * pt_axis(centre) - 0.05 * resolution


def _dsv(ident: str, centre: float, resolution: float) -> dict[str, Any]:
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "versions": [{
        "version": "1.0", "data_type": "simulation", "features": FEATURES,
        "conditions": {"sqrt_s_tev": 13, "pileup_mean": 0, "generator": "Pythia 8.317", "tune": "Monash 2013",
                       "detector_simulation": "none" if resolution == 0 else f"Gaussian smearing {resolution:g}",
                       "kinematic_range": f"{centre - 50:g} < pT < {centre + 50:g} GeV",
                       "parameters": {"jet_pt_centre_gev": centre, "detector_pt_resolution": resolution}}}]}


def _ident(centre: float, resolution: float) -> str:
    return f"axis-pt{centre:g}-res{resolution:g}"


def dsv(centre: float, resolution: float) -> str:
    return f"dataset_version:{_ident(centre, resolution)}@1.0"


POINTS = [(c, 0.0) for c in PT_CENTRES] + [(350, r) for r in RESOLUTIONS[1:]]


def noisy(centre: float, resolution: float) -> float:
    # falling, plus a fixed +-0.01 scatter (about the statistical error of a measured AUC)
    k = round(pt_axis(centre) * 10 + resolution * 100)
    return falling(centre, resolution) + (0.01 if k % 2 else -0.01)


def _model(ident: str, truth: Any) -> dict[str, Any]:
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "versions": [{
        "version": "1.0.0", "framework": "pytorch", "format": "onnx", "inputs": FEATURES,
        "outputs": [{"name": "p", "dtype": "float32", "shape": [1]}], "trained_on": [f"{_ident(350, 0.0)}@1.0"],
        "evaluations": [{"dataset": f"{_ident(c, r)}@1.0", "metric": "auc", "value": round(truth(c, r), 6)}
                        for c, r in POINTS]}]}


CATALOG = {
    "graphcat_catalog": 1,
    "tasks": [{"id": "w-tagging", "name": "W tagging"}],
    "datasets": [_dsv(_ident(c, r), c, r) for c, r in POINTS],
    "models": [_model("rising", rising), _model("falling", falling), _model("noisy", noisy)],
}


@pytest.fixture()
def cat(db: Database) -> Database:
    catalog.register(db, CATALOG)
    return db


def test_fit_recovers_signed_slopes_of_a_known_linear_response() -> None:
    # change = +0.02 per unit on axis a, -0.01 per unit on axis b, a categorical loss of 0.03 per unit.
    data = []
    for xa in (-2.0, -1.0, 1.0, 2.0, 3.0):
        for xb in (0.0, 1.0, 2.0):
            for c in (0.0, 1.0):
                z = {k: v for k, v in (("num:a", xa), ("num:b", xb), ("cat:tune", c)) if v}
                data.append((z, 0.02 * xa - 0.01 * xb - 0.03 * c))
    r = fit_response(data, {}, 0.0, "synthetic")
    assert r.coefficients["num:a"] == pytest.approx(0.02, rel=0.05)
    assert r.coefficients["num:b"] == pytest.approx(-0.01, rel=0.05)
    assert r.coefficients["cat:tune"] == pytest.approx(0.03, rel=0.1)  # a loss per unit (ridge pulls it to 0 a little)
    assert r.change({"num:a": 4.0}) == pytest.approx(0.08, rel=0.05)  # extrapolated, with its sign
    assert r.change({"num:a": -4.0}) == pytest.approx(-0.08, rel=0.05)
    assert dict(r.by_axis())["a"] < 0 < dict(r.by_axis())["b"]  # reported as loss per unit of increase


def test_few_points_on_an_axis_lean_on_the_prior_and_the_interval_grows_with_distance() -> None:
    one = fit_response([({"num:a": 1.0}, 0.05)], {"num:a": -0.02}, 0.0, "one point", fallback_sigma=0.01)
    assert -0.02 < one.coefficients["num:a"] < 0.05  # between the prior and the single point
    many = fit_response([({"num:a": x}, 0.05 * x) for x in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)], {"num:a": -0.02}, 0.0,
                        "many points", fallback_sigma=0.01)
    assert many.coefficients["num:a"] == pytest.approx(0.05, abs=0.003)
    assert one.variance({"num:a": 3.0}) > one.variance({"num:a": 1.0}) > 0
    assert one.variance({"num:never": 2.0}) > one.variance({"num:never": 1.0}) > 0  # unseen axis: the prior's spread


def test_a_model_best_at_its_training_point_loses_both_ways() -> None:
    # change = +0.01 x - 0.02 |x|: a trend along the axis plus a cost of leaving the training point.
    data = [({"num:a": x, "abs:a": abs(x)}, 0.01 * x - 0.02 * abs(x)) for x in (-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0)]
    r = fit_response(data, {}, 0.0, "both sides")
    assert r.coefficients["num:a"] == pytest.approx(0.01, rel=0.15)
    assert r.coefficients["abs:a"] == pytest.approx(0.02, rel=0.15)  # a loss per unit, either way
    assert r.change({"num:a": -5.0, "abs:a": 5.0}) == pytest.approx(-0.15, rel=0.15)
    assert r.change({"num:a": 5.0, "abs:a": 5.0}) == pytest.approx(-0.05, rel=0.15)
    assert dict(r.by_axis())["a (either way)"] > 0


def test_evidence_on_one_side_is_not_mirrored_to_the_other() -> None:
    # Only x > 0 observed, rising: the other side stays near the training value, and is less certain.
    data = [({"num:a": x, "abs:a": x}, 0.02 * x + (0.004 if k % 2 else -0.004)) for k, x in enumerate((1.0, 2.0, 3.0))]
    r = fit_response(data, {}, 0.0, "one side")
    up, down = {"num:a": 2.0, "abs:a": 2.0}, {"num:a": -2.0, "abs:a": 2.0}
    assert r.change(up) == pytest.approx(0.04, abs=0.008)
    assert abs(r.change(down)) < 0.005
    assert r.variance(down) > r.variance(up)


@pytest.mark.parametrize("truth,model", [(rising, "rising"), (falling, "falling")])
def test_held_out_pt_is_interpolated_and_extrapolated_along_its_sign(cat: Database, truth: Any, model: str) -> None:
    uid = f"model_version:{model}@1.0.0"
    for centre in (550, 850):  # inside the range, then beyond the largest remaining pT
        target = dsv(centre, 0.0)
        est = Estimator(cat, hidden={target}).estimate(uid, target)
        assert est.status == ESTIMATED and est.value is not None and est.low is not None and est.high is not None
        assert est.value == pytest.approx(truth(centre, 0.0), abs=0.006), (model, centre)
        assert est.low <= truth(centre, 0.0) <= est.high
        base = truth(350, 0.0)
        # The baseline "same as on the training data" misses in the direction the model moves.
        assert (est.value - base) * (truth(centre, 0.0) - base) > 0
    by_axis = dict(Estimator(cat).estimate(uid, dsv(850, 0.0)).drift_by_axis)
    assert (by_axis["pt_range"] < 0) == (model == "rising")


def test_held_out_resolution_follows_the_numeric_axis_not_the_text(cat: Database) -> None:
    target = dsv(350, 0.2)
    est = Estimator(cat, hidden={target}).estimate("model_version:rising@1.0.0", target)
    assert est.value == pytest.approx(rising(350, 0.2), abs=0.006)
    nearest = {e.dataset_version_uid: e for e in est.evidence}[dsv(350, 0.1)]
    axes = {d.axis for d in nearest.differences}
    assert "param:detector_pt_resolution" in axes and "detector_simulation" not in axes


def test_interval_widens_with_extrapolation_distance(cat: Database) -> None:
    hidden = {dsv(750, 0.0), dsv(850, 0.0)}
    estimator = Estimator(cat, hidden=hidden)
    near = estimator.estimate("model_version:noisy@1.0.0", dsv(750, 0.0))
    far = estimator.estimate("model_version:noisy@1.0.0", dsv(850, 0.0))
    assert near.low is not None and near.high is not None and far.low is not None and far.high is not None
    assert far.high - far.low > near.high - near.low
    assert far.value is not None and near.value is not None and far.value < near.value  # still falling


def test_numeric_tune_setting_is_an_axis_not_a_tune_difference() -> None:
    def profile(uid: str, tune: str, alund: float | None) -> Profile:
        return Profile(uid=uid, data_type="simulation", detectors=frozenset(), experiments=frozenset(),
                       sqrt_s_tev=13.0, pileup_mean=0.0, pt_centre=350.0, kinematic_range=None,
                       generator="Pythia 8.317", tune=tune, detector_simulation=None, features=frozenset(),
                       description="", parameters={} if alund is None else {"stringz:alund": alund})

    base, shifted = profile("a", "Monash 2013", 0.68), profile("b", "Monash 2013; StringZ:aLund = 0.3", 0.3)
    axes = {a.axis: a.distance for a in Comparator().axes(base, shifted)[0]}
    assert set(axes) == {"param:stringz:alund"} and axes["param:stringz:alund"] == pytest.approx(0.38 / 0.3)
    assert base.coordinates()["param:stringz:alund"] > shifted.coordinates()["param:stringz:alund"]
    # Recorded on one side only: the setting stays a categorical tune difference.
    axes = {a.axis for a in Comparator().axes(profile("c", "Monash 2013", None), shifted)[0]}
    assert axes == {"tune"}


def test_parameters_round_trip_and_bad_ones_are_refused(cat: Database) -> None:
    exported = export_document(cat)
    versions = {d["id"]: d["versions"][0] for d in exported["datasets"]}
    assert versions[_ident(550, 0.0)]["conditions"]["parameters"] == {"jet_pt_centre_gev": 550,
                                                                      "detector_pt_resolution": 0.0}
    bad = _dsv("axis-bad", 350, 0.0)
    bad["versions"][0]["conditions"]["parameters"] = {"jet_pt_centre_gev": "high"}
    with pytest.raises(InvalidInput) as err:
        catalog.register(cat, {"graphcat_catalog": 1, "datasets": [bad]})
    assert "parameters" in str(err.value.path) or "parameters" in str(err.value)


def _column(name: str) -> dict[str, Any]:
    return {"name": name, "dtype": "float32", "shape": [], "unit": "GeV"}


def test_inputs_derivable_from_the_datasets_columns_do_not_veto_the_estimate(db: Database) -> None:
    # The model reads jet_pt and jet_mass; one dataset gives jet_px, jet_py (pt = hypot(px, py)),
    # another only jet_px: the first is estimated, the second still cannot feed the model.
    def dataset(ident: str, columns: list[str], sqrt_s: float) -> dict[str, Any]:
        return {"id": ident, "name": ident, "tasks": ["w-tagging"], "versions": [{
            "version": "1.0", "data_type": "simulation", "features": [_column(c) for c in columns],
            "conditions": {"sqrt_s_tev": sqrt_s, "kinematic_range": "300 < pT < 400 GeV"}}]}

    inputs = [_column("jet_pt"), _column("jet_mass")]
    model = {"id": "pt-mass", "name": "pt-mass", "tasks": ["w-tagging"], "versions": [{
        "version": "1.0.0", "framework": "pytorch", "format": "onnx", "inputs": inputs,
        "outputs": [{"name": "p", "dtype": "float32", "shape": [1]}], "trained_on": ["train-set@1.0"],
        "evaluations": [{"dataset": "train-set@1.0", "metric": "auc", "value": 0.9},
                        {"dataset": "other-energy@1.0", "metric": "auc", "value": 0.88}]}]}
    catalog.register(db, {"graphcat_catalog": 1, "tasks": [{"id": "w-tagging", "name": "W tagging"}], "datasets": [
        dataset("train-set", ["jet_pt", "jet_mass"], 13), dataset("other-energy", ["jet_pt", "jet_mass"], 8),
        dataset("four-vectors", ["jet_px", "jet_py", "jet_mass"], 13),
        dataset("half-vectors", ["jet_px", "jet_mass"], 13)], "models": [model]})
    uid = "model_version:pt-mass@1.0.0"
    est = Estimator(db).estimate(uid, "dataset_version:four-vectors@1.0")
    assert est.status == ESTIMATED and est.value is not None and est.schema_coverage == 1.0
    assert "hypot(jet_px, jet_py)" in est.reason
    vetoed = Estimator(db).estimate(uid, "dataset_version:half-vectors@1.0")
    assert vetoed.status == "not_enough_evidence" and vetoed.value is None
    assert "jet_pt" in vetoed.reason and "cannot run" in vetoed.reason
