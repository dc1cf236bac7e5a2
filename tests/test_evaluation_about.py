"""`about` (issue 17): what a user says of an uploaded file that is no dataset version yet gives the
transferability estimate a target, so the gap to the measurement is known before anything is written,
and recording writes the file as a dataset version with those conditions; bad `about` is a typed
error naming the key, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

import evaluation_factory as factory
from graphcat.errors import InvalidInput
from graphcat.evaluation import service
from graphcat.service import catalog as catalog_service
from graphcat.service import transferability
from graphcat.settings import Settings
from graphcat.store.database import Database
from test_evaluation import MASS, _count, cat, local  # noqa: F401 (fixtures)

COND = {"sqrt_s_tev": 13.0, "generator": "pythia8", "pileup_mean": 0}


def _evidence(db: Database) -> None:
    catalog_service.register(db, {"graphcat_catalog": 1, "datasets": [{"id": "jets", "name": "Jets", "tasks": ["jet-tagging"],
                                                                       "versions": [{"version": "a", "conditions": COND}]}]})
    catalog_service.record_evaluation(db, MASS, {"dataset": "jets@a", "metric": "auc", "value": 0.9})


def test_about_gives_the_estimate_a_target_and_is_recorded(cat: Database, local: Settings, tmp_path: Path) -> None:
    _evidence(cat)
    path = factory.write(factory.jets(300, seed=21), tmp_path / "mine.csv")
    plain = service.evaluate(cat, local, MASS, path, label="label")
    assert plain.dataset_version_uid is None and plain.checked[0].estimate is None
    about = {"data_type": "simulation", "conditions": {**COND, "pileup_mean": 40}, "description": "my sample"}
    before = (_count(cat, "Evaluation"), _count(cat, "DatasetVersion"))
    told = service.evaluate(cat, local, MASS, path, label="label", about=about)
    c = told.checked[0]
    assert c.estimate_status == "estimated" and c.estimate is not None and c.estimate_low <= c.estimate <= c.estimate_high
    assert c.gap == pytest.approx(c.value - c.estimate)
    assert (_count(cat, "Evaluation"), _count(cat, "DatasetVersion")) == before  # nothing written without record
    recorded = service.evaluate(cat, local, MASS, path, label="label", about=about, record=True)
    dsv = catalog_service.get_by_uid(cat, recorded.dataset_version_uid)
    assert dsv.conditions.pileup_mean == 40 and dsv.conditions.sqrt_s_tev == 13.0 and dsv.data_type == "simulation"
    # What was estimated against is what is stored: the catalog's estimate for the recorded version agrees.
    again = transferability.transferability(cat, MASS, recorded.dataset_version_uid, "auc")
    assert again.value == pytest.approx(recorded.checked[0].estimate)
    stored = cat.read("evaluation/leaderboard", dataset=recorded.dataset_version_uid, metric="auc")[0]
    assert stored["estimate_gap"] == pytest.approx(recorded.checked[0].gap)


@pytest.mark.parametrize(("about", "path", "text"), [
    ({"colour": "red"}, "about.colour", "unknown key"),
    ({"conditions": {"sqrt_s_tev": -1}}, "about.conditions.sqrt_s_tev", "-1"),
    ({"data_type": "mc"}, "about.data_type", "'mc'"),
    ({"simulated_with": ["no-such-detector"]}, "about.simulated_with[0]", "no-such-detector"),
    ("13 TeV", "about", "object"),
])
def test_bad_about_is_a_typed_error_and_writes_nothing(cat: Database, local: Settings, tmp_path: Path,
                                                       about: object, path: str, text: str) -> None:
    _evidence(cat)
    file = factory.write(factory.jets(100, seed=22), tmp_path / "mine.parquet")
    before = (_count(cat, "Evaluation"), _count(cat, "DatasetVersion"))
    with pytest.raises(InvalidInput) as caught:
        service.evaluate(cat, local, MASS, file, label="label", about=about, record=True)  # type: ignore[arg-type]
    assert caught.value.path == path and text in str(caught.value), (caught.value.path, str(caught.value))
    assert (_count(cat, "Evaluation"), _count(cat, "DatasetVersion")) == before


def test_about_and_a_dataset_version_are_not_both_given(cat: Database, local: Settings, tmp_path: Path) -> None:
    _evidence(cat)
    file = factory.write(factory.jets(100, seed=23), tmp_path / "mine.csv")
    with pytest.raises(InvalidInput, match="not both"):
        service.evaluate(cat, local, MASS, file, label="label", dataset="dataset_version:jets@a", about={"data_type": "data"})


def test_cli_about_file(cat: Database, local: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    from graphcat import cli

    _evidence(cat)
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", local.artifact_root)
    path = factory.write(factory.jets(200, seed=24), tmp_path / "mine.csv")
    about = tmp_path / "about.yaml"
    about.write_text("data_type: simulation\nconditions: {sqrt_s_tev: 13, generator: pythia8, pileup_mean: 40}\n")
    assert cli.main(["evaluate", "mass-tagger@1", str(path), "--label", "label", "--about", str(about)]) == 0
    assert "estimated" in capsys.readouterr().out
    about.write_text("conditions: [\n")
    assert cli.main(["evaluate", "mass-tagger@1", str(path), "--label", "label", "--about", str(about)]) == 2
    assert "invalid YAML" in capsys.readouterr().err
