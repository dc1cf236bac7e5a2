"""The recommender evaluation set (embeddings/eval/cases.yaml) is consistent with the demo catalog:
every expected model version exists, acceptable first answers are expected ones, and the
structural traps the set is built on really hold in the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from embeddings.evaluate import DEFAULT_CASES, load_cases
from embeddings.eventaxis import split_event_axis
from embeddings.schema import columns_from_dicts

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "graphcat" / "demo" / "hep-catalog.yaml"


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    return yaml.safe_load(DEFAULT_CASES.read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def versions() -> dict[str, dict[str, Any]]:
    catalog = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    tasks = {t["id"] for t in catalog["tasks"]}
    found = {}
    for model in catalog["models"]:
        assert set(model["tasks"]) <= tasks
        for v in model["versions"]:
            found[f"{model['id']}@{v['version']}"] = {**v, "tasks": model["tasks"], "_tasks_known": tasks}
    return found


def test_the_evaluator_reads_every_case(cases: list[dict[str, Any]]) -> None:
    loaded = load_cases({"cases": cases}, source=str(DEFAULT_CASES))
    assert len(loaded) == len(cases) >= 30
    assert len({c.id for c in loaded}) == len(loaded)


def test_expected_models_exist_and_top1_answers_are_expected(cases: list[dict[str, Any]],
                                                            versions: dict[str, dict[str, Any]]) -> None:
    for case in cases:
        expected, top1 = case["expected"], case["acceptable_top1"]
        assert expected and len(expected) == len(set(expected)), case["id"]
        assert [e for e in expected if e not in versions] == [], case["id"]
        assert expected[0] in top1 and set(top1) <= set(expected), case["id"]


def test_case_tasks_are_catalog_tasks(cases: list[dict[str, Any]], versions: dict[str, dict[str, Any]]) -> None:
    known = next(iter(versions.values()))["_tasks_known"]
    assert {c["task"] for c in cases if c.get("task")} <= known
    assert any(not c.get("task") for c in cases), "some cases must rely on the schema alone"


def _output_shape(version: dict[str, Any], name: str) -> list[Any] | None:
    return next((o["shape"] for o in version.get("outputs", []) if o["name"] == name), None)


def test_calorimeter_traps_hold_in_the_catalog(cases: list[dict[str, Any]], versions: dict[str, dict[str, Any]]) -> None:
    # A voxel schema's acceptable models generate exactly that many voxels; the other voxel
    # counts of the set are present in the catalog, so the trap is real.
    # Whole-file cases (h5py's (events, voxels)) are compared per event, as the ranker does.
    seen = set()
    for case in cases:
        columns, _ = split_event_axis(columns_from_dicts(case["columns"]))
        showers = next((c for c in columns if c.name == "showers"), None)
        if showers is None:
            continue
        seen.add(showers.shape[0])
        for model in case["acceptable_top1"]:
            assert _output_shape(versions[model], "showers") == list(showers.shape), (case["id"], model)
    assert seen == {368, 533, 6480, 40500}


def test_particle_multiplicity_traps_hold_in_the_catalog(cases: list[dict[str, Any]],
                                                         versions: dict[str, dict[str, Any]]) -> None:
    for case in cases:
        etarel = next((c for c in case["columns"] if c["name"] == "etarel"), None)
        if etarel is None:
            continue
        for model in case["acceptable_top1"]:
            assert _output_shape(versions[model], "etarel") == etarel["shape"], (case["id"], model)
