"""Quality monitoring on the real Neo4j: metric histories across dataset versions, alert states
against a configured threshold or the recorded transferability interval."""

from __future__ import annotations

from typing import Any

import pytest

from graphcat.errors import InvalidInput, NotFound
from graphcat.monitoring import service
from graphcat.service import catalog
from graphcat.store.database import Database

FEATURES = [{"name": "jet_mass", "dtype": "float32", "shape": []}]


def _dataset(ident: str, periods: list[str]) -> dict[str, Any]:
    return {"id": ident, "name": ident, "tasks": ["w-tagging"], "description": f"jets {ident}",
            "versions": [{"version": p, "data_type": "data", "features": FEATURES,
                          "conditions": {"sqrt_s_tev": 13.6, "run_period": p}} for p in periods]}


def _version(version: str, evaluations: list[tuple[str, str, float, str]], aliases: list[str]) -> dict[str, Any]:
    return {"version": version, "framework": "pytorch", "format": "onnx", "inputs": FEATURES,
            "outputs": [{"name": "p", "dtype": "float32", "shape": [1]}], "aliases": aliases,
            "evaluations": [{"dataset": d, "metric": m, "value": v, "date": t} for d, m, v, t in evaluations]}


def catalog_doc(newest_auc: float = 0.86) -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "tasks": [{"id": "w-tagging", "name": "W tagging"}],
        "datasets": [_dataset("run3-jets", ["2022", "2023", "2024"]), _dataset("mc-jets", ["1"])],
        "models": [{"id": "tagger", "name": "tagger", "tasks": ["w-tagging"], "versions": [
            # Dates are not in dataset-version order: the history follows the dates.
            _version("1.0.0", [("run3-jets@2022", "auc", 0.93, "2024-01-10"),
                               ("run3-jets@2024", "auc", newest_auc, "2025-02-01T08:00:00Z"),
                               ("run3-jets@2023", "auc", 0.92, "2024-06-01"),
                               ("mc-jets@1", "auc", 0.95, "2023-05-01"),
                               ("run3-jets@2024", "accuracy", 0.80, "2025-02-01")], ["production"]),
            _version("0.9.0", [("run3-jets@2024", "auc", 0.50, "2025-02-02")], []),
        ]}],
    }


@pytest.fixture()
def cat(db: Database) -> Database:
    catalog.register(db, catalog_doc())
    return db


def test_history_is_one_series_per_dataset_oldest_first(cat: Database) -> None:
    series = service.history(cat, alias="tagger@production", metric="auc")
    assert [s.dataset_uid for s in series] == ["dataset:mc-jets", "dataset:run3-jets"]
    run3 = series[1]
    assert run3.model_version_uid == "model_version:tagger@1.0.0" and run3.aliases == ("production",)
    assert [p.dataset_version_uid for p in run3.points] == [
        "dataset_version:run3-jets@2022", "dataset_version:run3-jets@2023", "dataset_version:run3-jets@2024"]
    assert [p.value for p in run3.points] == pytest.approx([0.93, 0.92, 0.86])
    assert run3.points[-1].run_period == "2024"
    same = service.history(cat, model_version="tagger@1.0.0", metric="auc", dataset="run3-jets")
    assert [s.points for s in same] == [run3.points]


def test_history_needs_one_subject_and_a_known_alias(cat: Database) -> None:
    with pytest.raises(InvalidInput, match="exactly one"):
        service.history(cat, metric="auc")
    with pytest.raises(InvalidInput, match="MODEL@ALIAS"):
        service.history(cat, alias="production", metric="auc")
    with pytest.raises(NotFound, match="staging"):
        service.history(cat, alias="tagger@staging", metric="auc")
    with pytest.raises(NotFound, match="no model version 'model_version:tagger@9'"):
        service.history(cat, model_version="tagger@9", metric="auc")


def test_no_band_is_unknown_then_a_threshold_decides(cat: Database) -> None:
    states = {(a.series.dataset_uid, a.series.metric): a for a in service.alerts(cat)}
    # Only the aliased version is monitored (0.9.0's 0.50 is no series).
    assert {a.series.model_version_uid for a in states.values()} == {"model_version:tagger@1.0.0"}
    assert set(states) == {("dataset:run3-jets", "auc"), ("dataset:run3-jets", "accuracy"), ("dataset:mc-jets", "auc")}
    assert all(a.state == service.UNKNOWN and a.band is None for a in states.values())

    service.set_threshold(cat, alias="tagger@production", metric="auc", low=0.9, high=None)
    got = service.alerts(cat)
    assert [a.state for a in got][:1] == [service.ALERT]  # alerts first
    by = {(a.series.dataset_uid, a.series.metric): a for a in got}
    run3 = by[("dataset:run3-jets", "auc")]
    assert run3.state == service.ALERT and run3.newest.dataset_version_uid == "dataset_version:run3-jets@2024"
    assert run3.band is not None and run3.band.low == 0.9 and run3.band.high is None
    assert "below" in run3.reason and "threshold tagger@production" in run3.reason
    assert by[("dataset:mc-jets", "auc")].state == service.OK
    assert by[("dataset:run3-jets", "accuracy")].state == service.UNKNOWN  # the threshold is for auc

    # The band follows the alias: moved to 0.9.0, whose newest auc is 0.50, still below.
    catalog.set_alias(cat, "model_version:tagger@0.9.0", "production")
    moved = [a for a in service.alerts(cat) if a.series.metric == "auc"]
    assert [(a.series.model_version_uid, a.state) for a in moved] == [("model_version:tagger@0.9.0", service.ALERT)]

    assert service.delete_threshold(cat, alias="tagger@production", metric="auc")
    assert all(a.state == service.UNKNOWN for a in service.alerts(cat))


def test_the_recorded_transferability_interval_is_the_band(cat: Database) -> None:
    cat.write("evaluation/record_measured", uid="evaluation:tagger@1.0.0/run3-jets@2024/auc", data_sha256="sha256:0",
              data_rows=100, mapping="{}", graphcat_version="test", label="label", ci_low=0.85, ci_high=0.87,
              estimate=0.91, estimate_low=0.88, estimate_high=0.94, estimate_gap=-0.05)
    run3 = next(a for a in service.alerts(cat) if a.series.dataset_uid == "dataset:run3-jets" and a.series.metric == "auc")
    assert run3.state == service.ALERT and run3.band is not None
    assert (run3.band.low, run3.band.high, run3.band.source) == (0.88, 0.94, "transferability interval")
    assert run3.newest.measured and run3.newest.low == 0.85
    # A threshold, when configured, wins over the recorded interval.
    service.set_threshold(cat, alias="tagger@production", metric="auc", low=0.8, high=1.0)
    run3 = next(a for a in service.alerts(cat) if a.key == run3.key)
    assert run3.state == service.OK and run3.band is not None and run3.band.source == "threshold tagger@production"


def test_threshold_input_is_checked(cat: Database) -> None:
    with pytest.raises(InvalidInput, match="min, max or both"):
        service.set_threshold(cat, alias="tagger@production", metric="auc", low=None, high=None)
    with pytest.raises(InvalidInput, match="above max"):
        service.set_threshold(cat, alias="tagger@production", metric="auc", low=0.9, high=0.8)


def test_a_restated_evaluation_moves_to_its_new_date(cat: Database) -> None:
    # Same dataset version re-measured later: its point is restated (one point), now the newest.
    catalog.record_evaluation(cat, "model_version:tagger@1.0.0",
                              {"dataset": "run3-jets@2022", "metric": "auc", "value": 0.7, "date": "2026-01-01"})
    run3 = service.history(cat, alias="tagger@production", metric="auc", dataset="dataset:run3-jets")[0]
    assert [p.dataset_version_uid.rsplit("@", 1)[1] for p in run3.points] == ["2023", "2024", "2022"]
    assert run3.points[-1].value == pytest.approx(0.7)


def test_times_as_the_catalog_accepts_them_are_ordered() -> None:
    times = ["2024-01-10T10:00:00+0100", "2024-01-10", "2024-01-10T1", "2024-01-10T09:30:00.123456789Z", None]
    points = [service.Point(f"e{i}", f"d{i}", 0.5, t) for i, t in enumerate(times)]
    ordered = [p.time for p in sorted(points, key=service._time_key)]
    # No time first; then by instant (10:00+01:00 is 09:00 UTC, before 09:30 UTC); a bad hour counts as its day.
    assert ordered == [None, "2024-01-10", "2024-01-10T1", "2024-01-10T10:00:00+0100", "2024-01-10T09:30:00.123456789Z"]
