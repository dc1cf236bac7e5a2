"""graphcat evaluate (issue 17): a catalogued model's ONNX artifact run on files the tests write,
with metrics checkable from the models' known behaviour, recording, leaderboards and bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from graphcat import cli
from graphcat.catalog.importer import import_documents
from graphcat.errors import NotFound
from graphcat.evaluation import errors, service
from graphcat.service import catalog as catalog_service
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database

import evaluation_factory as factory

MASS = "model_version:mass-tagger@1"
SUMPT = "model_version:sumpt-tagger@1"
FORMATS = (".csv", ".parquet", ".h5", ".npz", ".root")


@pytest.fixture()
def local(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"))


@pytest.fixture()
def cat(db: Database, local: Settings, tmp_path: Path) -> Database:
    import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
    deploy.register_onnx(db, local, factory.mass_tagger(tmp_path / "mass.onnx"), model_id="mass-tagger", version="1",
                         task="jet-tagging")
    deploy.register_onnx(db, local, factory.sum_pt_tagger(tmp_path / "sumpt.onnx"), model_id="sumpt-tagger",
                         version="1", task="jet-tagging")
    return db


def _count(db: Database, label: str) -> int:
    assert label in ("Evaluation", "DatasetVersion")
    return int(db.driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n").records[0]["n"])


def _expected_mse(table: dict[str, np.ndarray]) -> float:
    score = 1.0 / (1.0 + np.exp(-(table["jet_mass"].astype(np.float64) - 100.0) / 10.0))
    return float(np.mean((score - table["label"]) ** 2))


@pytest.mark.parametrize("suffix", FORMATS)
def test_separable_labels_give_auc_one_in_every_format(cat: Database, local: Settings, tmp_path: Path,
                                                      suffix: str) -> None:
    table = factory.jets(400, seed=3)
    path = factory.write(table, tmp_path / f"jets{suffix}")
    result = service.evaluate(cat, local, MASS, path, label="label", metrics="auc,accuracy,mse,bkg_rejection@0.5")
    got = {c.metric: c for c in result.checked}
    assert got["auc"].value == 1.0 and got["accuracy"].value == 1.0
    assert got["mse"].value == pytest.approx(_expected_mse(table), rel=1e-5)
    assert got["mse"].low <= got["mse"].value <= got["mse"].high
    # background rejection at 50 % signal efficiency: no background passes -> all of them (one assumed).
    assert got["background_rejection@0.5"].value == float((table["label"] == 0).sum())
    m = result.measurement
    assert m.rows == 400 and m.mapping == {"jet_mass": "jet_mass", "jet_pt": "jet_pt"}
    assert not result.recorded and result.dataset_version_uid is None


def test_shuffled_labels_give_auc_near_one_half(cat: Database, local: Settings, tmp_path: Path) -> None:
    table = factory.jets(2000, seed=4)
    table["label"] = np.random.default_rng(5).permutation(table["label"])
    path = factory.write(table, tmp_path / "shuffled.parquet")
    result = service.evaluate(cat, local, MASS, path, label="label", metrics="auc")
    auc = result.checked[0]
    assert abs(auc.value - 0.5) < 0.05
    assert auc.value == pytest.approx(roc_auc_score(table["label"], table["jet_mass"]), abs=1e-9)
    assert auc.low < 0.5 < auc.high  # the bootstrap interval covers chance


def test_input_derived_from_jagged_lists_padded_and_truncated(cat: Database, local: Settings, tmp_path: Path) -> None:
    columns, label = factory.constituents(300, seed=6)
    path = factory.write_jagged_root(columns, label, tmp_path / "constituents.root")
    result = service.evaluate(cat, local, SUMPT, path, label="label", metrics="auc")
    # The model sums part_pt over 8 slots: the first 8 constituents' hypot(px, py), zero-padded.
    expected = [np.hypot(x[:8].astype(np.float64), y[:8]).sum() for x, y in zip(columns["part_px"], columns["part_py"])]
    assert result.checked[0].value == pytest.approx(roc_auc_score(label, expected), abs=1e-6)
    assert result.measurement.mapping == {"part_pt": "hypot(part_px, part_py)"}
    assert any("derive part_pt" in s for s in result.measurement.steps)
    # Batches do not change the answer.
    small = service.evaluate(cat, local, SUMPT, path, label="label", metrics="auc", batch_rows=37)
    assert small.checked[0].value == pytest.approx(result.checked[0].value, abs=1e-12)


def test_record_creates_dataset_version_and_leaderboard(cat: Database, local: Settings, tmp_path: Path) -> None:
    table = factory.jets(300, seed=7)
    path = factory.write(table, tmp_path / "jets.parquet")
    result = service.evaluate(cat, local, MASS, path, label="label", metrics="auc,mse", record=True)
    assert result.recorded and result.dataset_version_uid.startswith("dataset_version:upload-")
    dsv = catalog_service.get_by_uid(cat, result.dataset_version_uid)
    assert dsv.digest == f"sha256:{result.measurement.sha256}" and dsv.num_events == 300
    rows = cat.read("evaluation/leaderboard", dataset=result.dataset_version_uid, metric="mse")
    assert rows[0]["measured_by"] == "graphcat" and rows[0]["data_rows"] == 300
    assert rows[0]["value"] == pytest.approx(_expected_mse(table), rel=1e-5)
    # The same file again is found by its digest, without recording.
    again = service.evaluate(cat, local, MASS, path, label="label", metrics="auc")
    assert again.dataset_version_uid == result.dataset_version_uid and not again.recorded
    board = service.leaderboard(cat, result.dataset_version_uid, "mse")
    assert [(e.model_version_uid, e.kind) for e in board] == [(MASS, "measured")]
    assert board[0].low <= board[0].value <= board[0].high


def test_estimate_checked_against_measurement_and_gap_stored(cat: Database, local: Settings, tmp_path: Path) -> None:
    cond = {"sqrt_s_tev": 13.0, "generator": "pythia8", "pileup_mean": 0}
    catalog_service.register(cat, {"graphcat_catalog": 1, "datasets": [{"id": "jets", "name": "Jets", "tasks": ["jet-tagging"],
                                                                        "versions": [
        {"version": "a", "conditions": cond}, {"version": "b", "conditions": {**cond, "pileup_mean": 10}}]}]})
    catalog_service.record_evaluation(cat, MASS, {"dataset": "jets@a", "metric": "auc", "value": 0.9})
    path = factory.write(factory.jets(300, seed=8), tmp_path / "b.csv")
    before = service.leaderboard(cat, "dataset_version:jets@b", "auc")
    assert [(e.model_version_uid, e.kind) for e in before] == [(MASS, "estimated")]
    assert before[0].low <= before[0].value <= before[0].high
    result = service.evaluate(cat, local, MASS, path, label="label", dataset="dataset_version:jets@b", record=True)
    checked = result.checked[0]
    assert checked.estimate_status == "estimated" and checked.estimate is not None
    assert checked.gap == pytest.approx(1.0 - checked.estimate)
    stored = cat.read("evaluation/leaderboard", dataset="dataset_version:jets@b", metric="auc")[0]
    assert stored["estimate_gap"] == pytest.approx(checked.gap) and stored["estimate"] == pytest.approx(checked.estimate)
    after = service.leaderboard(cat, "dataset_version:jets@b", "auc")
    assert [(e.kind, e.value, e.estimate) for e in after] == [("measured", 1.0, pytest.approx(checked.estimate))]
    board = service.leaderboard(cat, "dataset_version:jets@a", "auc")
    assert [e.kind for e in board if e.model_version_uid == MASS] == ["reported"]


def test_bad_input_is_a_typed_error_and_writes_nothing(cat: Database, local: Settings, tmp_path: Path) -> None:
    table = factory.jets(100, seed=9)
    good = factory.write(table, tmp_path / "jets.csv")
    no_pt = factory.write({k: v for k, v in table.items() if k != "jet_pt"}, tmp_path / "no_pt.csv")
    not_binary = factory.write({**table, "label": table["label"] * 3}, tmp_path / "bad_label.csv")
    nan = factory.write({**table, "jet_mass": np.where(np.arange(100) == 7, np.nan, table["jet_mass"])},
                        tmp_path / "nan.parquet")
    catalog_service.register(cat, {"graphcat_catalog": 1, "models": [{"id": "paper-only", "name": "Paper only",
                                                                      "tasks": ["jet-tagging"], "versions": [
        {"version": "1", "inputs": [{"name": "jet_mass", "dtype": "float32", "shape": []}]}]}]})
    cases = [
        (dict(model="model_version:nope@1", path=good), errors.UnknownModelVersion, "nope@1"),
        (dict(model="model_version:paper-only@1", path=good), errors.NoArtifact, "no ONNX artifact"),
        (dict(path=good, label="truth"), errors.LabelProblem, "'truth'"),
        (dict(path=not_binary), errors.LabelProblem, "not binary"),
        (dict(path=no_pt), errors.InputNotFed, "jet_pt"),
        (dict(path=good, metrics="auc,f7"), errors.UnknownMetric, "'f7'"),
        (dict(path=nan), errors.BadInputValues, "rows 7"),
    ]
    before = (_count(cat, "Evaluation"), _count(cat, "DatasetVersion"))
    for given, kind, text in cases:
        with pytest.raises(kind) as caught:
            service.evaluate(cat, local, given.get("model", MASS), given["path"], label=given.get("label", "label"),
                             metrics=given.get("metrics", "auc"), record=True)
        assert text in str(caught.value), (kind, str(caught.value))
    no_pt_error = pytest.raises(errors.InputNotFed, service.evaluate, cat, local, MASS, no_pt, label="label").value
    assert "columns tried: jet_mass" in str(no_pt_error)
    assert (_count(cat, "Evaluation"), _count(cat, "DatasetVersion")) == before
    with pytest.raises(NotFound):
        service.leaderboard(cat, "dataset_version:none@1", "auc")


def test_cli_prints_metrics_and_records(cat: Database, local: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", local.artifact_root)
    path = factory.write(factory.jets(200, seed=10), tmp_path / "jets.h5")
    assert cli.main(["evaluate", "mass-tagger@1", str(path), "--label", "label", "--metric", "auc,accuracy",
                     "--record"]) == 0
    out = capsys.readouterr().out
    assert "auc                          1.0000" in out and "recorded as evaluation:mass-tagger@1/upload-" in out
    assert cli.main(["evaluate", "mass-tagger@1", str(path), "--label", "label", "--metric", "roc"]) == 2
    assert "unknown metric 'roc'" in capsys.readouterr().err


def test_log_step_is_applied_and_unit_conversion_refused(cat: Database, local: Settings, tmp_path: Path) -> None:
    from graphcat.deploy import onnx_inspect
    from graphcat.evaluation import mapping

    deploy.register_onnx(cat, local, factory.identity_model(tmp_path / "log.onnx", "jet_pt_log"), model_id="log-pt",
                         version="1", task="jet-tagging")
    table = factory.jets(200, seed=13)
    path = factory.write(table, tmp_path / "jets.npz")
    result = service.evaluate(cat, local, "model_version:log-pt@1", path, label="label", metrics="mse")
    assert result.measurement.mapping["jet_pt_log"] == "log(jet_pt)"
    expected = np.mean((np.log(table["jet_pt"].astype(np.float32)).astype(np.float64) - table["label"]) ** 2)
    assert result.checked[0].value == pytest.approx(float(expected), rel=1e-6)
    # A step the mapping cannot execute is refused by name, not skipped.
    signature = onnx_inspect.inspect(factory.identity_model(tmp_path / "pt.onnx", "jet_pt"))
    user = [mapping.Column("jet_pt", "float32", (), "MeV"), mapping.Column("jet_mass", "float32", ())]
    with pytest.raises(errors.InputNotFed, match="convert MeV→GeV"):
        mapping.build(user, [mapping.Column("jet_pt", "float32", (), "GeV")], signature)


def test_a_model_that_throws_is_a_typed_error(cat: Database, local: Settings, tmp_path: Path) -> None:
    import onnx_factory

    deploy.register_onnx(cat, local, onnx_factory.failing_model(tmp_path / "failing.onnx"), model_id="failing",
                         version="1", task="jet-tagging")
    rng = np.random.default_rng(14)
    path = tmp_path / "features.npz"
    np.savez(path, features=rng.standard_normal((7, 8)).astype(np.float32), label=np.array([0, 1] * 3 + [1]))
    before = _count(cat, "Evaluation"), _count(cat, "DatasetVersion")
    with pytest.raises(errors.ModelFailed, match="onnxruntime failed on rows 0..6"):
        service.evaluate(cat, local, "model_version:failing@1", path, label="label", record=True)
    assert (_count(cat, "Evaluation"), _count(cat, "DatasetVersion")) == before
