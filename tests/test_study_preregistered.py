"""Study configurations from a YAML file, and the pre-registration's prediction step (issue 20).

The reader is checked on good and bad files; the prediction step runs for real: reduced training on
the shipped sample, registration in the real Neo4j, the estimator frozen at FROZEN_COMMIT (read
from git), one row per (tagger, new configuration, metric) with an interval around the estimate.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.study import config_file, models, preregistration, sample
from graphcat.study.configs import BACKGROUNDS, Pileup, default_study
from graphcat.study.run import METRICS

GOOD = """\
base: base
configs:
  - id: base
    title: "Base: 13 TeV, Monash, pT 300-400 GeV"
    jets_per_class: 4000
    seed_signal: 1001
    seed_background: 1002
  - id: pt800
    title: jet pT 800-900 GeV
    pt_min: 800
    pt_max: 900
    jets_per_class: 50
    seed_signal: 20001
    seed_background: 20002
  - id: zjets
    title: Z + jet background
    background: z-nunu-jet
    sqrt_s_tev: 11
    extra_settings: ["StringZ:aLund = 0.4"]
  - id: pu30
    title: pile-up 30
    derived_from: base
    pileup: {mean: 30, pool_events: 100, seed: 7}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "configs.yaml"
    path.write_text(text)
    return path


def test_a_good_file_gives_the_study_it_describes(tmp_path: Path) -> None:
    study = config_file.read(_write(tmp_path, GOOD))
    assert [c.id for c in study.configs] == ["base", "pt800", "zjets", "pu30"]
    assert study.base == default_study().base  # the built-in base, field for field
    pt800, zjets, pu30 = study.configs[1:]
    assert (pt800.pt_min, pt800.pt_max, pt800.jets_per_class) == (800.0, 900.0, 50)
    assert pt800.conditions()["parameters"]["jet_pt_centre_gev"] == 850.0
    assert zjets.conditions()["parameters"]["StringZ:aLund"] == 0.4 and zjets.sqrt_s_tev == 11.0
    background = zjets.pythia_settings("background", 5)
    assert all(s in background for s in BACKGROUNDS["z-nunu-jet"][0]) and "HardQCD:all = on" not in background
    assert "HardQCD:all = on" in pt800.pythia_settings("background", 5)
    assert "Z -> nu nu" in zjets.describe()
    assert pu30.pileup == Pileup(30.0, 100, 7) and pu30.derived_from == "base" and not pu30.generated


@pytest.mark.parametrize(("text", "where", "what"), [
    (GOOD.replace("pt_max: 900", "pt_maximum: 900"), "configs[1] (pt800)", "unknown fields ['pt_maximum']"),
    (GOOD.replace("pt_max: 900", "pt_max: high"), "configs[1] (pt800).pt_max", "expected a number"),
    (GOOD.replace("pt_max: 900", "pt_max: 700"), "configs[1] (pt800).pt_max", "must be above pt_min"),
    (GOOD.replace("jets_per_class: 50", "jets_per_class: 0"), "configs[1] (pt800).jets_per_class", "integer"),
    (GOOD.replace("z-nunu-jet", "ttbar"), "configs[2] (zjets).background", "unknown background 'ttbar'"),
    (GOOD.replace('["StringZ:aLund = 0.4"]', '["StringZ:aLund"]'), "configs[2] (zjets).extra_settings", "Key = value"),
    (GOOD.replace("pool_events: 100, ", ""), "configs[3] (pu30).pileup", "missing fields ['pool_events']"),
    (GOOD.replace("derived_from: base", "derived_from: pt900"), "configs[3] (pu30).derived_from", "not a configuration"),
    (GOOD.replace("seed_signal: 1001", "seed_signal: 1003"), "configs[0] (base)", "differs from the built-in"),
    (GOOD.replace("  - id: pt800\n    title: jet pT 800-900 GeV\n", "  - id: pt800\n"), "configs[1] (pt800).title",
     "missing"),
    (GOOD.replace("base: base", "base: pt900"), "base", "not one of the configurations"),
    ("configs: []\n", "configs", "non-empty list"),
    ("configs: [\n", "configs.yaml", "not valid YAML"),
])
def test_a_bad_file_names_the_entry_and_field(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InvalidInput) as err:
        config_file.read(path)
    message = str(err.value)
    assert str(path) in message and where in message and what in message, message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no configuration file"):
        config_file.read(tmp_path / "nowhere.yaml")


TINY = """\
configs:
  - id: base
    title: "Base: 13 TeV, Monash, pT 300-400 GeV"
    jets_per_class: 4000
    seed_signal: 1001
    seed_background: 1002
  - id: pt800
    title: jet pT 800-900 GeV
    pt_min: 800
    pt_max: 900
  - id: pu30
    title: pile-up 30
    derived_from: base
    pileup: {mean: 30, pool_events: 100, seed: 7}
"""


def test_prediction_step_writes_one_row_per_tagger_and_configuration(db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    local = dataclasses.replace(db.settings, artifact_root=str(tmp_path / "artifacts"))
    out = preregistration.predict(db, local, config_file.read(path), configs_file=path, onnx_dir=tmp_path / "onnx",
                                  epochs=3, jets_per_class=300, log=lambda _: None)
    written = json.loads(preregistration.write_json(out, tmp_path / "predictions.json").read_text())
    assert written["estimator"]["commit"] == preregistration.FROZEN_COMMIT
    assert set(written["configs"]) == {"pt800", "pu30"}  # the built-in base is evidence, not a target
    rows = written["predictions"]
    keys = [(r["model_version_uid"], r["config_id"], r["metric"]) for r in rows]
    assert len(keys) == len(set(keys)) == len(models.KINDS) * 2 * len(METRICS)
    assert set(written["models"]) == {r["model_version_uid"] for r in rows}
    for r in rows:
        assert r["status"] == "estimated", r
        assert r["low"] < r["estimated"] < r["high"], r
        assert r["baseline"] > 0
    # An interval from the evidence, not the estimator's floor (2 x MIN_HALF_WIDTH = 0.02 in AUC).
    assert all(r["high"] - r["low"] > 0.02 for r in rows if r["metric"] == "auc")
    # The taggers the predictions name are the exported files, digests included.
    for uid, entry in written["models"].items():
        assert Path(entry["onnx"]).is_file() and uid.endswith(entry["sha256"][:8])
    # The new dataset versions are registered with conditions only (no jets existed).
    from graphcat.service import catalog as catalog_service

    node = catalog_service.get_by_uid(db, study_catalog.dataset_version_uid("pt800"))
    assert node.conditions.kinematic_range.startswith("800 < pT < 900")  # type: ignore[attr-defined]


def test_prediction_step_refuses_a_file_with_nothing_new(tmp_path: Path, db: Database, settings: Settings) -> None:
    path = _write(tmp_path, TINY.split("  - id: pt800")[0])
    with pytest.raises(InvalidInput, match="nothing to predict"):
        preregistration.predict(db, settings, config_file.read(path), configs_file=path, onnx_dir=tmp_path / "onnx",
                                epochs=1, jets_per_class=50, log=lambda _: None)


def test_the_committed_results_follow_from_the_committed_predictions_and_shipped_jets() -> None:
    predictions = json.loads((preregistration.FOLDER / "predictions.json").read_text())
    committed = json.loads((preregistration.FOLDER / "results.json").read_text())
    folder = preregistration.FOLDER / "data"
    manifest = json.loads((folder / "sample.json").read_text())
    for cfg_id in predictions["configs"]:  # the shipped jets are the ones generated
        assert sample.digest(folder / f"{cfg_id}.npz") == manifest["configs"][cfg_id]["digest"], cfg_id
        assert manifest["configs"][cfg_id]["conditions"] == predictions["configs"][cfg_id]["conditions"], cfg_id
    again = preregistration.evaluate(predictions, folder, log=lambda _: None)
    assert again["rows"] == committed["rows"] and again["summaries"] == committed["summaries"]
    assert len(again["rows"]) == len(predictions["predictions"]) == 6 * len(models.KINDS) * len(METRICS)


def test_evaluation_refuses_a_tagger_that_is_not_the_predicted_one(tmp_path: Path) -> None:
    predictions = json.loads((preregistration.FOLDER / "predictions.json").read_text())
    uid = next(iter(predictions["models"]))
    predictions["models"][uid]["sha256"] = "0" * 64
    with pytest.raises(InvalidInput, match="not the tagger the predictions were made for"):
        preregistration.evaluate(predictions, preregistration.FOLDER / "data", log=lambda _: None)


def test_the_report_section_is_written_once_and_kept(tmp_path: Path) -> None:
    from graphcat.study import prereg_report

    predictions = json.loads((preregistration.FOLDER / "predictions.json").read_text())
    results = json.loads((preregistration.FOLDER / "results.json").read_text())
    manifest = json.loads((preregistration.FOLDER / "data" / "sample.json").read_text())
    doc = tmp_path / "transferability.md"
    doc.write_text("# Transferability\n\nstudy text\n\nReproduce: `make study` ...\n")
    for _ in range(2):  # a rerun replaces the section instead of adding a second one
        prereg_report.update(doc, predictions, results, preregistration.FOLDER / "predictions.json", manifest,
                             draw=False)  # no matplotlib in make test
    text = doc.read_text()
    assert text.count(prereg_report.START) == 1 and text.count("## Pre-registered test (issue 20)") == 1
    assert text.index(prereg_report.END) < text.index("Reproduce: `make study`")  # before the closing paragraph
    assert "| `pu30` | mlp | auc |" in text and "](transferability-preregistered.png)" in text
    assert prereg_report.kept_section(doc) is not None
