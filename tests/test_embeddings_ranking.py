"""Ranking on a small catalog with the real model; evaluation metrics; package independence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from embeddings.encoder import Encoder
from embeddings.errors import InvalidSchema
from embeddings.evaluate import evaluate, load_cases, report, summary
from embeddings.lifecycle import build_index
from embeddings.ranker import Recommender
from embeddings.schema import Column, catalog_from_dicts
from tests.embeddings_fixtures import CATALOG, cols

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ranker() -> Recommender:
    view = catalog_from_dicts([CATALOG])
    encoder = Encoder()
    return Recommender(encoder, build_index(view.documents, encoder), {c.id: c for c in view.models},
                       dict(view.task_parents))


def test_shape_decides_between_otherwise_identical_models(ranker: Recommender) -> None:
    top = ranker.recommend(cols(["PT", "Eta", "Phi"], (30,)), k=3)
    assert top[0].model_id == "pfn-30@1.0.0"
    assert top[0].compatibility.score >= 0.9  # PT has no object prefix: a synonym match, not exact
    other = next(r for r in ranker.recommend(cols(["PT", "Eta", "Phi"], (30,)), k=10) if r.model_id == "pfn-150@1.0.0")
    assert other.compatibility.score == 0.0 and len(other.compatibility.unsatisfied) == 3


def test_voxel_count_picks_the_calorimeter_model(ranker: Recommender) -> None:
    small = ranker.recommend([Column(f"E_{i}") for i in range(368)] + [Column("E_inc")], k=1)[0]
    large = ranker.recommend([Column("voxels", shape=(6480,)), Column("incident energy")], k=1)[0]
    assert small.model_id == "calo-368@1.0.0"
    assert large.model_id == "calo-6480@1.0.0"
    assert any("reshape (6480,) → (45, 16, 9)" in t for t in large.compatibility.transformations)


def test_task_breaks_the_tie_and_explanation_says_why(ranker: Recommender) -> None:
    user = cols(["part_pT", "part_eta", "part_phi", "part_E"], (None,))
    best = ranker.recommend(user, task="top-tagging", k=1)[0]
    assert best.model_id == "particlenet-top@1.0.0" and best.task_match == 1.0
    text = "\n".join(best.explanation())
    assert "part_pT → part_logpt" in text and "log(part_pT)" in text and "pad/truncate axis 0 to 100" in text
    as_dict = best.to_dict()
    assert {p["input"] for p in as_dict["pairs"]} == {"part_etarel", "part_phirel", "part_logpt", "part_loge"}


def test_event_level_schema_with_unused_columns(ranker: Recommender) -> None:
    user = [Column("Lepton_pT"), Column("lepton_eta"), Column("MET"), Column("n_jets", "int32"), Column("HT"),
            Column("nbjets", "int64"), Column("run", "int64")]
    best = ranker.recommend(user, k=1)[0]
    assert best.model_id == "ttbar-bdt@1.0.0"
    assert best.compatibility.unused == ("run",)


def test_search_finds_models_and_datasets(ranker: Recommender) -> None:
    assert ranker.search("generate photon showers in a calorimeter", k=1, kind="model")[0][0] == "model:calo-368@1.0.0"
    assert ranker.search("dataset of ten jet classes", k=1, kind="dataset")[0][0] == "dataset:jetclass@1.0"


def test_evaluation_metrics_on_a_few_cases() -> None:
    cases = load_cases({"cases": [
        {"id": "delphes-30", "columns": [{"name": n, "shape": [30]} for n in ("PT", "Eta", "Phi")],
         "expected": ["pfn-30@1.0.0"]},
        {"id": "calo", "columns": [{"name": "voxels", "shape": [6480]}, "incident energy"],
         "expected": ["calo-6480@1.0.0"]},
        {"id": "jets", "columns": ["jet_pt", "jet_eta", "jet_mass", "jet_tau21"], "task": "jet-tagging",
         "expected": ["hlf-dnn@1.0.0"]},
    ]})
    results = evaluate(catalog_from_dicts([CATALOG]), cases, Encoder())
    full, names = summary(results["full"]), summary(results["name-overlap"])
    assert full["recall@1"] == 1.0 and full["mrr"] == 1.0
    assert names["recall@1"] < 1.0  # PT/Eta/Phi and voxels share no name with any input
    assert "| full | 1.000 |" in report(results, command="test")


def test_cases_must_name_known_models() -> None:
    cases = load_cases([{"id": "x", "columns": ["pt"], "expected": "nope@1"}])
    with pytest.raises(InvalidSchema, match="nope@1"):
        evaluate(catalog_from_dicts([CATALOG]), cases, Encoder())
    with pytest.raises(InvalidSchema, match=r"cases\[0\]"):
        load_cases([{"id": "y", "columns": ["pt"]}])


def test_embeddings_imports_nothing_from_graphcat() -> None:
    for path in (ROOT / "embeddings").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "graphcat" or n.startswith("graphcat.") for n in names), path


def test_generators_are_matched_on_their_outputs_and_deprecated_versions_rank_lower() -> None:
    gen = {"graphcat_catalog": 1, "models": [
        {"id": f"gen-{n}", "name": f"shower generator {n}", "tasks": ["fast-simulation"], "versions": [
            {"version": "1.0.0", "inputs": [{"name": "incident_energies", "dtype": "float32", "shape": [1]}],
             "outputs": [{"name": "showers", "dtype": "float32", "shape": [n]}]},
            {"version": "0.9.0", "deprecated": {"reason": "superseded"},
             "inputs": [{"name": "incident_energies", "dtype": "float32", "shape": [1]}],
             "outputs": [{"name": "showers", "dtype": "float32", "shape": [n]}]}]}
        for n in (368, 533)]}
    view = catalog_from_dicts([gen])
    encoder = Encoder()
    ranker = Recommender(encoder, build_index(view.documents, encoder), {c.id: c for c in view.models})
    ranking = ranker.recommend([Column(f"E_{i}") for i in range(533)] + [Column("incident_energy")], k=4)
    assert [r.model_id for r in ranking][:2] == ["gen-533@1.0.0", "gen-533@0.9.0"]
    assert any("matches model output showers" in line for line in ranking[0].explanation())
    assert ranking[1].deprecated and "this version is deprecated" in ranking[1].explanation()


def test_a_packed_array_is_split_for_the_model_and_the_explanation_says_so(ranker: Recommender) -> None:
    user = [Column("constituents", shape=(30, 3), description="per constituent (pT [GeV], eta, phi), zero-padded"),
            Column("label", "int64")]
    best = ranker.recommend(user, k=3)[0]
    assert best.model_id == "pfn-30@1.0.0"
    assert {(p.column, p.input) for p in best.compatibility.pairs} == {
        ("constituents[..., 0]", "part_pt"), ("constituents[..., 1]", "part_eta"), ("constituents[..., 2]", "part_phi")}
    text = "\n".join(best.explanation())
    assert "split column constituents[..., 0] (pt)" in text and "unused columns: label" in text
    assert "1/1 of your columns used (not counting 1 label/weight/id column)" in text
