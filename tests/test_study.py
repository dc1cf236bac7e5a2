"""The Pythia 8 study on its shipped, really generated sample: the jets, and a reduced study run.

The sample (graphcat/study/data) was made by `make study` with pythia8mc + FastJet; these tests need
neither: they check the sample against its manifest and physics, then train both taggers for a few
epochs on a slice of it, evaluate the ONNX exports on every configuration, register everything in
the real Neo4j and run the estimator's leave-one-configuration-out validation.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from graphcat.settings import Settings
from graphcat.service import catalog as catalog_service
from graphcat.service.transferability import ESTIMATED, Estimator
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.study import models, sample
from graphcat.study.configs import MAX_CONSTITUENTS, default_study
from graphcat.study.jets import FEATURE_NAMES
from graphcat.study.run import METRICS, run_study

STUDY = default_study()
MASS, TAU21, NCONST = (FEATURE_NAMES.index(n) for n in ("jet_mass", "tau21", "n_constituents"))


def test_shipped_sample_matches_its_manifest() -> None:
    manifest = sample.read_manifest()
    assert set(manifest["configs"]) == {c.id for c in STUDY.configs}
    for cfg in STUDY.configs:
        entry = manifest["configs"][cfg.id]
        path = sample.SHIPPED / entry["file"]
        assert sample.digest(path) == entry["digest"], f"{path} changed since it was generated"
        jets = sample.load(cfg.id)
        assert len(jets) == entry["jets"]
        assert jets.particles.shape[1:] == (MAX_CONSTITUENTS, 3) and jets.features.shape[1] == len(FEATURE_NAMES)
        assert set(np.unique(jets.label)) == {0, 1}
        if cfg.generated:
            # The recorded settings are exactly what the configuration hands Pythia (seeds included).
            assert entry["signal"]["pythia_settings"] == cfg.pythia_settings("signal", cfg.seed_signal)
            assert entry["background"]["pythia_settings"] == cfg.pythia_settings("background", cfg.seed_background)
        else:
            assert entry["derived_from"] == cfg.derived_from
            assert entry.get("smearing_seed", entry.get("overlay_seed")) == cfg.seed_smearing
            if cfg.pileup is not None:
                assert entry["soft_qcd_pool"]["events"] == cfg.pileup.pool_events
        assert entry["conditions"] == cfg.conditions()  # what the catalog records is what was generated


def test_w_jets_are_heavier_and_two_pronged() -> None:
    base = sample.load("base")
    w, qcd = base.features[base.label == 1], base.features[base.label == 0]
    assert 65 < np.median(w[:, MASS]) < 95  # the W mass, smeared by the jet's out-of-cone losses and UE
    assert np.median(w[:, MASS]) > np.median(qcd[:, MASS])
    assert np.median(w[:, TAU21]) < np.median(qcd[:, TAU21])
    pt_rel = base.particles[..., 0].astype(np.float32)
    assert np.all(pt_rel <= 1.0) and np.all(np.diff(pt_rel, axis=1) <= 0)  # hardest first
    n = base.features[:, NCONST].astype(int)
    padding = np.arange(MAX_CONSTITUENTS)[None, :] >= n[:, None]
    assert padding.any() and np.all(base.particles[padding] == 0)


def test_each_shift_moves_the_jets_the_way_it_should() -> None:
    for cfg in STUDY.configs:
        if cfg.generated:
            jets = sample.load(cfg.id)
            assert np.all((jets.jet_pt > cfg.pt_min - 1) & (jets.jet_pt < cfg.pt_max + 1)), cfg.id
    base_test = sample.load("base", split="test")
    nconst = lambda jets: float(np.mean(jets.features[:, NCONST]))  # noqa: E731
    assert nconst(sample.load("mpi-off")) < nconst(sample.load("base"))  # no underlying event in the jet
    assert nconst(sample.load("smear-large")) < nconst(sample.load("smear-medium")) < nconst(sample.load("smear-small"))
    assert nconst(sample.load("smear-small")) <= nconst(base_test)
    # Pile-up adds soft particles inside the cone: more constituents, heavier jets, more with more pile-up.
    mass = lambda jets: float(np.mean(jets.features[:, MASS]))  # noqa: E731
    assert nconst(sample.load("pu20")) > nconst(sample.load("pu10")) > nconst(base_test)
    assert mass(sample.load("pu20")) > mass(sample.load("pu10")) > mass(base_test)
    pts = [float(np.mean(sample.load(c).jet_pt)) for c in ("pt200", "base", "pt400", "pt500", "pt600")]
    assert pts == sorted(pts)


@pytest.fixture()
def reduced(db: Database, settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    local = dataclasses.replace(db.settings, artifact_root=str(tmp_path / "artifacts"))
    return run_study(db, local, jets_per_class=300, epochs=10, onnx_dir=tmp_path / "onnx", log=lambda _: None)


def test_reduced_study_trains_registers_and_validates(db: Database, reduced) -> None:  # type: ignore[no-untyped-def]
    assert len(reduced.measured) == len(models.KINDS) == 3
    for uid, by_config in reduced.measured.items():
        assert set(by_config) == {c.id for c in STUDY.configs}
        assert by_config["base"]["auc"] > 0.7, uid  # the mass alone separates W from QCD
        assert all(0.0 < m["auc"] <= 1.0 and m[METRICS[1]] >= 1.0 for m in by_config.values())
        # Better than chance without pile-up; with it, a mass window can invert (pile-up pushes W jets'
        # mass out of the window and QCD jets' into it).
        assert all(m["auc"] > 0.5 for c, m in by_config.items() if STUDY.by_id(c).pileup is None), uid
        node = catalog_service.get_by_uid(db, uid)
        assert node.kind == "model_version"
    mpi = catalog_service.get_by_uid(db, study_catalog.dataset_version_uid("mpi-off"))
    assert "PartonLevel:MPI = off" in mpi.conditions.tune  # type: ignore[attr-defined]
    profile = Estimator(db).profiles([mpi.uid])[mpi.uid]  # the numbers the estimator's axes read
    assert profile.parameters["partonlevel:mpi"] == 0.0 and profile.pt_centre == 350.0
    smeared = study_catalog.dataset_version_uid("smear-large")
    parents = catalog_service.related(db, [smeared], ["DERIVED_FROM"])[smeared]
    assert [p.uid for p in parents] == [study_catalog.dataset_version_uid("base")]

    # Leave-one-configuration-out: every shifted configuration, both models, both metrics.
    assert len(reduced.rows) == (len(STUDY.configs) - 1) * 3 * len(METRICS)
    assert all(r.status == ESTIMATED and r.estimated is not None for r in reduced.rows)
    for s in reduced.summaries:
        assert s.n == (len(STUDY.configs) - 1) * 3 and np.isfinite(s.mae) and np.isfinite(s.mae_baseline)

    mlp = next(u for u in reduced.measured if "mlp" in u)
    est = Estimator(db, hidden={smeared}).estimate(mlp, smeared)
    parent = next(e for e in est.evidence if e.dataset_version_uid == study_catalog.dataset_version_uid("base"))
    assert parent.derived_hops == 1 and parent.is_training_data
    assert est.value is not None and est.low is not None and est.high is not None and est.low < est.high
