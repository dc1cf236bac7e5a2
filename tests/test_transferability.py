"""The transferability estimator on a small hand-written catalog in the real Neo4j.

Conditions are chosen so that the expected behaviour follows from the documented model (nearest
evidence weighs most, drift grows with distance, lineage raises weight), not from its constants.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphcat.errors import InvalidInput, NotFound
from graphcat.service import catalog
from graphcat.service.dataset_distance import Comparator, Profile, pt_centre, tune_parts
from graphcat.service.transferability import ESTIMATED, MEASURED, NOT_ENOUGH, Estimator, rank_models, transferability
from graphcat.store.database import Database

FEATURES = [{"name": "jet_mass", "dtype": "float32", "shape": []}, {"name": "tau21", "dtype": "float32", "shape": []}]


def _dsv(ident: str, *, sqrt_s: float = 13, pt: str = "300 < pT < 400 GeV", tune: str = "Monash 2013",
         generator: str = "Pythia 8.318", data_type: str = "simulation", features: list[dict[str, Any]] | None = None,
         **extra: Any) -> dict[str, Any]:
    version = {"version": "1.0", "data_type": data_type, "features": FEATURES if features is None else features,
               "conditions": {"sqrt_s_tev": sqrt_s, "pileup_mean": 0, "generator": generator, "tune": tune,
                              "kinematic_range": pt}, **extra}
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "description": f"W vs QCD jets, {ident}",
            "versions": [version]}


def _model(ident: str, evaluations: dict[str, float], trained_on: str = "jets-a@1.0") -> dict[str, Any]:
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "versions": [{
        "version": "1.0.0", "framework": "pytorch", "format": "onnx", "inputs": FEATURES,
        "outputs": [{"name": "p_w", "dtype": "float32", "shape": [1]}], "trained_on": [trained_on],
        "evaluations": [{"dataset": f"{d}@1.0", "metric": "auc", "value": v} for d, v in evaluations.items()],
    }]}


CATALOG = {
    "graphcat_catalog": 1,
    "tasks": [{"id": "w-tagging", "name": "W tagging"}],
    "detectors": [{"id": "cms-detector", "name": "CMS detector"}],
    "datasets": [
        _dsv("jets-a"),
        _dsv("jets-b", pt="400 < pT < 500 GeV"),
        _dsv("jets-c", pt="500 < pT < 600 GeV"),
        _dsv("jets-d", sqrt_s=8),
        _dsv("jets-skim", derived_from=[{"dataset": "jets-a@1.0", "kind": "skim"}], tune="Monash 2013; StringZ:aLund = 0.3"),
        _dsv("jets-other-schema", features=[{"name": "particle_pt", "dtype": "float32", "shape": [None]}]),
        _dsv("jets-far", sqrt_s=7, pt="20 < pT < 30 GeV", generator="Herwig 7.2", tune="H7.1-Default",
             data_type="data", recorded_with=["cms-detector"], features=[]),
    ],
    "models": [
        _model("tagger", {"jets-a": 0.95, "jets-b": 0.92, "jets-d": 0.94}),
        _model("weaker", {"jets-a": 0.90, "jets-b": 0.86, "jets-d": 0.89}),
        _model("lonely", {"jets-a": 0.93}),
    ],
}

TAGGER = "model_version:tagger@1.0.0"


def dsv(ident: str) -> str:
    return f"dataset_version:{ident}@1.0"


@pytest.fixture()
def cat(db: Database) -> Database:
    catalog.register(db, CATALOG)
    return db


def test_extrapolates_the_drift_beyond_the_nearest_evidence(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-c"))
    assert est.status == ESTIMATED and est.measured is None
    assert est.value is not None and est.low is not None and est.high is not None
    assert est.low <= est.value <= est.high <= 1.0
    # pT 500-600 is further from the training data than pT 400-500, where the model already lost AUC.
    assert est.value < 0.92
    assert est.drift_per_unit is not None and est.drift_per_unit >= 0  # no categorical shift among its evidence
    by_axis = dict(est.drift_by_axis)
    assert by_axis["pt_range"] > 0  # learned from the drop on pT 400-500: AUC is lost as pT rises
    assert by_axis["sqrt_s"] < 0  # signed: 8 TeV (lower) lost AUC, so raising sqrt(s) gains it
    nearest = est.evidence[0]
    assert nearest.dataset_version_uid == dsv("jets-b")
    assert nearest.weight == max(e.weight for e in est.evidence)
    assert any(d.axis == "pt_range" for d in nearest.differences)
    assert {e.dataset_version_uid for e in est.evidence} == {dsv("jets-a"), dsv("jets-b"), dsv("jets-d")}


def test_a_measured_pair_reports_the_measurement_and_an_estimate_from_the_rest(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-b"))
    assert est.status == MEASURED and est.measured == pytest.approx(0.92)
    assert est.value is not None and dsv("jets-b") not in {e.dataset_version_uid for e in est.evidence}


def test_lineage_raises_the_weight_of_the_parent(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-skim"))
    parent = next(e for e in est.evidence if e.dataset_version_uid == dsv("jets-a"))
    assert parent.derived_hops == 1 and parent.is_training_data
    assert parent.weight == max(e.weight for e in est.evidence)
    assert any(d.axis == "tune" for d in parent.differences)


def test_better_model_ranks_first_and_no_evidence_ranks_last(cat: Database) -> None:
    ranked = rank_models(cat, dsv("jets-c"))
    uids = [e.model_version_uid for e in ranked]
    assert uids.index(TAGGER) < uids.index("model_version:weaker@1.0.0")
    assert all(e.expected is not None for e in ranked[:2])
    values = [e.expected for e in ranked if e.expected is not None]
    assert values == sorted(values, reverse=True)


def test_model_without_drift_evidence_borrows_the_peers_slope(cat: Database) -> None:
    est = transferability(cat, "model_version:lonely@1.0.0", dsv("jets-c"))
    assert est.status == ESTIMATED and est.drift_source is not None and est.drift_source.startswith("pooled")
    assert est.value is not None and est.value < 0.93


def test_not_enough_evidence_without_evaluations_of_the_metric(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-c"), metric="accuracy")
    assert est.status == NOT_ENOUGH and est.value is None and "no other recorded evaluation" in est.reason


def test_not_enough_evidence_when_the_dataset_lacks_the_inputs(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-other-schema"))
    assert est.status == NOT_ENOUGH and est.schema_coverage == 0.0 and "tau21" in est.reason


def test_not_enough_evidence_when_everything_known_is_too_different(cat: Database) -> None:
    est = transferability(cat, TAGGER, dsv("jets-far"))
    assert est.status == NOT_ENOUGH and est.value is None
    assert est.evidence and min(e.distance for e in est.evidence) > 4.0
    axes = {d.axis for d in est.evidence[0].differences}
    assert {"data_type", "generator", "sqrt_s", "pt_range"} <= axes


def test_hidden_datasets_are_left_out(cat: Database) -> None:
    est = Estimator(cat, hidden={dsv("jets-b")}).estimate(TAGGER, dsv("jets-c"))
    assert dsv("jets-b") not in {e.dataset_version_uid for e in est.evidence}


def test_unknown_ids_and_bad_metric(cat: Database) -> None:
    with pytest.raises(NotFound):
        transferability(cat, "model_version:nope@1", dsv("jets-c"))
    with pytest.raises(NotFound):
        transferability(cat, TAGGER, dsv("nope"))
    with pytest.raises(InvalidInput):
        transferability(cat, TAGGER, dsv("jets-c"), metric=" ")


def test_pt_window_and_tune_parsing() -> None:
    assert pt_centre("300 < pT < 400 GeV, |eta| < 2") == 350
    assert pt_centre("jet pT 500-600 GeV") == 550
    assert pt_centre("pT > 100 GeV") == pytest.approx(120)
    assert pt_centre("inclusive") is None
    assert tune_parts("Monash 2013; PartonLevel:MPI = off") == ("monash 2013", {"partonlevel:mpi": "off"})


def test_unknown_on_one_side_costs_but_unknown_on_both_does_not() -> None:
    def profile(uid: str, **kw: Any) -> Profile:
        base = dict(uid=uid, data_type=None, detectors=frozenset(), experiments=frozenset(), sqrt_s_tev=None,
                    pileup_mean=None, pt_centre=None, kinematic_range=None, generator=None, tune=None,
                    detector_simulation=None, features=frozenset(), description="")
        return Profile(**{**base, **kw})

    axes, unknown = Comparator().axes(profile("a"), profile("b"))
    assert axes == [] and "sqrt_s" in unknown
    axes, _ = Comparator().axes(profile("a", sqrt_s_tev=13.0), profile("b"))
    assert [a.axis for a in axes] == ["sqrt_s"] and axes[0].distance > 0


GQL = """query ($mv: ID!, $ds: ID!, $metric: String!) {
  transferability(modelVersion: $mv, dataset: $ds, metric: $metric) {
    status value low high measured expected reason schemaCoverage driftByAxis { axis perUnit }
    evidence { datasetVersion value distance weight derivedHops isTrainingData differences { axis distance detail } }
  }
  modelsForDataset(dataset: $ds, metric: $metric, first: 5) { modelVersion status expected }
}"""


def test_graphql_answers_estimate_ranking_and_not_enough_evidence(cat: Database) -> None:
    from starlette.testclient import TestClient

    from graphcat.api.app import create_app

    with TestClient(create_app(cat.settings)) as client:
        body = client.post("/graphql", json={"query": GQL, "variables": {
            "mv": TAGGER, "ds": dsv("jets-c"), "metric": "auc"}}).json()
        assert "errors" not in body, body
        t = body["data"]["transferability"]
        assert t["status"] == "ESTIMATED" and t["low"] <= t["value"] <= t["high"]
        assert t["evidence"][0]["datasetVersion"] == dsv("jets-b")
        assert any(d["axis"] == "pt_range" for d in t["evidence"][0]["differences"])
        assert any(d["axis"] == "pt_range" and d["perUnit"] > 0 for d in t["driftByAxis"])
        ranked = [r["modelVersion"] for r in body["data"]["modelsForDataset"]]
        assert ranked.index(TAGGER) < ranked.index("model_version:weaker@1.0.0")

        body = client.post("/graphql", json={"query": GQL, "variables": {
            "mv": TAGGER, "ds": dsv("jets-other-schema"), "metric": "auc"}}).json()
        t = body["data"]["transferability"]
        assert t["status"] == "NOT_ENOUGH_EVIDENCE" and t["value"] is None and "cannot run" in t["reason"]

        # Alone in its document: a sibling field's worker thread would outlive the failed request.
        only = "query ($mv: ID!, $ds: ID!) { transferability(modelVersion: $mv, dataset: $ds) { status } }"
        body = client.post("/graphql", json={"query": only, "variables": {
            "mv": "model_version:missing@1", "ds": dsv("jets-c")}}).json()
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_peers_are_the_model_versions_of_the_same_task(cat: Database) -> None:
    before = transferability(cat, "model_version:lonely@1.0.0", dsv("jets-c"))
    unrelated = _model("unrelated", {"jets-a": 0.95, "jets-b": 0.55, "jets-d": 0.60})
    unrelated["tasks"] = ["q-g-tagging"]
    catalog.register(cat, {"graphcat_catalog": 1, "tasks": [{"id": "q-g-tagging", "name": "quark/gluon"}],
                           "models": [unrelated]})
    after = transferability(cat, "model_version:lonely@1.0.0", dsv("jets-c"))
    assert after.value == pytest.approx(before.value) and after.drift_by_axis == before.drift_by_axis
    # ...while a peer of the same task with the same drops does move the estimate.
    peer = _model("peer", {"jets-a": 0.95, "jets-b": 0.55, "jets-d": 0.60})
    catalog.register(cat, {"graphcat_catalog": 1, "models": [peer]})
    moved = transferability(cat, "model_version:lonely@1.0.0", dsv("jets-c"))
    assert moved.value is not None and before.value is not None and moved.value < before.value
