"""`graphcat demo load`'s entries from other tools: the shipped model card and Croissant file, the MLflow registry
and the ONNX folder it builds."""

from __future__ import annotations

import hashlib
from pathlib import Path

from graphcat.catalog.commands import demo_catalog_path
from graphcat.catalog.exporter import export_document
from graphcat.catalog.importer import import_files
from graphcat.interop import demo
from graphcat.service import recommend
from graphcat.service.deploy import deployment, version_uid
from graphcat.service.vector_index import after_write
from graphcat.store.index_state import catalog_revision
from graphcat.userschema.model import SchemaFeature


def test_demo_card_and_mlflow_registry_land_beside_the_catalog(db, settings, tmp_path: Path) -> None:
    import_files(db, [demo_catalog_path()])
    done = dict(demo.load(db, settings, tmp_path / "mlflow", tmp_path / "onnx"))
    assert len(done) == 4  # card, Croissant, MLflow, ONNX folder
    models = {m["id"]: m for m in export_document(db)["models"]}
    (card_version,) = models["hls4ml-jet-tagger-qkeras"]["versions"]
    assert {(e["dataset"], e["metric"]) for e in card_version["evaluations"]} == {
        ("hls4ml-lhc-jets-hlf@1.0", "accuracy"), ("hls4ml-lhc-jets-hlf@1.0", "roc_auc")}
    assert "Level-1 trigger" in card_version["description"]
    datasets = {d["id"]: d for d in export_document(db)["datasets"]}
    (study,) = datasets["w-tagging-generalisation-study-base-sample"]["versions"]
    base = Path(__file__).resolve().parents[1] / "graphcat" / "study" / "data" / "base.npz"
    assert study["digest"] == "sha256:" + hashlib.sha256(base.read_bytes()).hexdigest()  # the shipped file itself
    assert [(f["name"], f["shape"]) for f in study["features"]] == [
        ("label", []), ("features", [5]), ("particles", [30, 3]), ("jet_pt", []), ("jet_eta", []), ("split", [])]
    bdt = models["jet-substructure-bdt"]
    v1, v2 = sorted(bdt["versions"], key=lambda v: v["version"])
    assert v2["aliases"] == ["champion"] and v1["framework"] == "xgboost"
    assert [c["name"] for c in v1["inputs"]] == list(demo.HLF)
    assert {e["metric"]: e["value"] for e in v2["evaluations"]} == {"accuracy": 0.752, "roc_auc": 0.936}
    # the ONNX folder: two versions with their sidecars, signature from the files, lineage, a smoke test
    onnx_v1, onnx_v2 = sorted(models["hlf-mlp"]["versions"], key=lambda v: v["version"])
    assert models["hlf-mlp"]["tasks"] == ["jet-tagging"] and onnx_v1["trained_on"] == ["hls4ml-lhc-jets-hlf@1.0"]
    assert [(c["name"], c["shape"]) for c in onnx_v1["inputs"]] == [("hlf", [16])]
    assert onnx_v1["inputs"][0]["description"].endswith("columns: " + ", ".join(demo.HLF))
    assert onnx_v2["lineage"] == [{"type": "FINE_TUNED_FROM", "from": "hlf-mlp@1.0"}]
    smoke = deployment(db, version_uid("hlf-mlp", "1.1"))["smoke_tests"]
    assert [s["ok"] for s in smoke] == [True]
    # a second load (what `make demo` does on every start) changes nothing
    revision = catalog_revision(db)
    again = demo.load(db, settings, tmp_path / "mlflow", tmp_path / "onnx")
    assert all(not r.created and not r.updated for _, r in again)
    assert catalog_revision(db) == revision


def test_demo_mlflow_model_is_recommended_for_hlf_columns(db, settings, tmp_path: Path) -> None:
    import_files(db, [demo_catalog_path()])
    demo.load(db, settings, tmp_path / "mlflow", tmp_path / "onnx")
    after_write(db)
    result = recommend.recommend(db, [SchemaFeature(n, "float32") for n in demo.HLF], first=5)
    top = [r.model_version.uid for r in result.recommendations]
    assert top[0].startswith("model_version:jet-substructure-bdt@"), top
