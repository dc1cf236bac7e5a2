"""graphcat import-mlflow against real MLflow registries (sqlite backend in a tmp dir) and the real Neo4j."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.cli import main
from graphcat.interop.commands import import_mlflow
from graphcat.interop.mlflow import MlflowSourceError
from graphcat.store.index_state import catalog_revision
from tests.conftest import free_port
from tests.mlflow_factory import build_registry, column_signature, frames, log_version


@pytest.fixture()
def registry(tmp_path: Path) -> dict[str, Any]:
    return build_registry(tmp_path)


def _models(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in doc.get("models", [])}


def _version(doc: dict[str, Any], model: str, version: str) -> dict[str, Any]:
    return next(v for v in _models(doc)[model]["versions"] if v["version"] == version)


def test_registry_lands_in_the_graph(db, registry) -> None:
    report = import_mlflow(db, registry["uri"])
    assert report.created["model_version"] == 3 and report.created["dataset_version"] == 2
    doc = export_document(db)
    models = _models(doc)
    assert set(models) == {"top-tagger", "pnet-lite"}
    top = models["top-tagger"]
    assert top["name"] == "Top Tagger" and top["description"] == "Top Tagger: a test tagger"
    assert top["tags"] == ["domain=jets"]
    v1, v2 = _version(doc, "top-tagger", "1"), _version(doc, "top-tagger", "2")
    assert v2["aliases"] == ["champion"] and "aliases" not in v1
    assert v2["tags"] == ["reviewed=yes", "team=top"] and v2["description"] == "longer training"
    assert [(c["name"], c["dtype"], c["shape"]) for c in v1["inputs"]] == [
        ("jet_pt", "float64", []), ("jet_eta", "float64", []), ("n_constituents", "int64", []), ("label", "string", [])]
    assert v1["outputs"] == [{"name": "score", "dtype": "float64", "shape": []}]
    # params: known spellings normalised (lr -> learning_rate), numbers parsed, the rest under extra
    assert v1["hyperparameters"] == {"learning_rate": 0.001, "batch_size": 128, "epochs": 5, "optimizer": "adam",
                                     "extra": {"hidden": 64, "seed": 42}}
    repro = v1["reproducibility"]
    assert repro["commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert repro["code_repository"] == "https://example.org/hep/top-tagger.git"
    assert repro["entry_point"] == "train.py" and repro["seed"] == 42
    assert "# requirements.txt" in repro["environment"] and "pandas" in repro["environment"]
    # datasets: the training input as TRAINED_ON, the evaluation input carries the run's metrics
    (train_ref,) = v1["trained_on"]
    assert train_ref.startswith("qcd-top-train@")
    evals = {(e["dataset"].partition("@")[0], e["metric"]): e["value"] for e in v2["evaluations"]}
    assert evals == {("qcd-top-test", "auc"): 0.93, ("qcd-top-test", "accuracy"): 0.87}
    datasets = {d["id"]: d for d in doc["datasets"]}
    (train_v,) = datasets["qcd-top-train"]["versions"]
    assert train_v["num_events"] == 50 and train_v["format"] == "parquet"
    assert train_v["location"] == "file:///data/qcd_top_train.parquet"
    assert [(f["name"], f["dtype"]) for f in train_v["features"]] == [
        ("jet_pt", "float64"), ("jet_eta", "float64"), ("n_constituents", "int64"), ("is_top", "int64")]
    # tensor specs: MLflow's leading -1 (the batch) is the event axis, not a per-event dimension
    pnet = _version(doc, "pnet-lite", "1")
    assert [(c["name"], c["shape"]) for c in pnet["inputs"]] == [("part_features", [100, 4]), ("part_mask", [100])]
    assert pnet["outputs"][0]["shape"] == [2]
    assert "evaluations" not in pnet  # its run logged no evaluation dataset


def test_rerun_writes_nothing_and_then_only_what_changed(db, registry) -> None:
    import_mlflow(db, registry["uri"])
    revision, before = catalog_revision(db), export_document(db)
    again = import_mlflow(db, registry["uri"])
    assert again.created == {} and again.updated == {}
    assert catalog_revision(db) == revision and export_document(db) == before  # nothing written
    # a third version in MLflow, and the champion alias moved to it
    client, uri = registry["client"], registry["uri"]
    train, test = frames(seed=1)
    v3 = log_version(client, uri, "Top Tagger", signature=column_signature(), params={"lr": "0.0002"},
                     metrics={"auc": 0.95}, train=train, evaluation=test)
    client.set_registered_model_alias("Top Tagger", "champion", v3)
    report = import_mlflow(db, uri, ["Top Tagger"])
    assert report.created == {"model_version": 1, "dataset_version": 2, "feature": 13, "evaluation": 1}
    doc = export_document(db)
    assert _version(doc, "top-tagger", "3")["aliases"] == ["champion"]
    assert "aliases" not in _version(doc, "top-tagger", "2")
    assert _version(doc, "top-tagger", "1") == _version(before, "top-tagger", "1")


def test_changed_version_is_a_conflict_and_nothing_is_written(db, registry) -> None:
    import_mlflow(db, registry["uri"])
    before = export_document(db)
    client = registry["client"]
    client.set_model_version_tag("Top Tagger", "1", "team", "b-tagging")
    client.update_model_version("Top Tagger", "1", description="rewritten")
    client.set_registered_model_alias("Top Tagger", "champion", "1")  # a legal change, in the same run
    with pytest.raises(CatalogInvalid) as info:
        import_mlflow(db, registry["uri"])
    message = str(info.value)
    assert "MLflow model 'Top Tagger' version 1" in message  # the MLflow side
    assert "'top-tagger@1' is already registered with different content" in message  # the graphcat side
    assert "differing fields: description, tags" in message
    assert "version 2" not in message
    assert export_document(db) == before  # the alias move did not land either


def test_bad_sources_are_named_and_nothing_is_written(db, registry, tmp_path, capsys) -> None:
    with pytest.raises(MlflowSourceError, match="no registered model named 'nope'"):
        import_mlflow(db, registry["uri"], ["Top Tagger", "nope"])
    with pytest.raises(MlflowSourceError, match="no sqlite database"):
        import_mlflow(db, f"sqlite:///{tmp_path / 'missing.db'}")
    with pytest.raises(MlflowSourceError, match="no MLflow file store folder"):
        import_mlflow(db, str(tmp_path / "no-such-folder"))
    started = time.monotonic()
    with pytest.raises(MlflowSourceError, match="MLflow could not be read"):
        import_mlflow(db, f"http://127.0.0.1:{free_port()}")
    assert time.monotonic() - started < 60
    assert export_document(db).get("models") is None
    assert main(["import-mlflow", "--tracking-uri", registry["uri"], "--model", "nope"]) == 2
    assert "no registered model named 'nope'" in capsys.readouterr().err


def test_corrupt_mlmodel_is_named(db, registry, tmp_path) -> None:
    client = registry["client"]
    root = client.get_model_version_download_uri("pnet-lite", "1")
    Path(root.removeprefix("file://"), "MLmodel").write_text("flavors: [unclosed\n", encoding="utf-8")
    with pytest.raises(MlflowSourceError, match=r"model 'pnet-lite' version 1: MLmodel: not valid YAML"):
        import_mlflow(db, registry["uri"])
    assert export_document(db).get("models") is None


def test_cli_imports_and_reports(db, registry, capsys) -> None:
    assert main(["import-mlflow", "--tracking-uri", registry["uri"], "--model", "pnet-lite"]) == 0
    out = capsys.readouterr().out
    assert "model_version: 1 created" in out
    assert set(_models(export_document(db))) == {"pnet-lite"}


@pytest.fixture()
def onnx_registry(tmp_path: Path) -> dict[str, Any]:
    """One registered model whose version was logged with mlflow.onnx.log_model (external data, MLflow's default)."""
    from mlflow import MlflowClient

    from tests import onnx_factory
    from tests.mlflow_factory import log_onnx_version, tracking_uri

    uri = tracking_uri(tmp_path)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    source = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    version = log_onnx_version(client, uri, "ONNX MLP", source, params={"lr": "0.01", "epochs": "3"})
    return {"uri": uri, "client": client, "version": version, "source": source}


@pytest.fixture()
def store_settings(settings, tmp_path: Path):
    import dataclasses

    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifact-store"))


def test_onnx_flavour_goes_through_the_registration_path(db, onnx_registry, store_settings) -> None:
    import hashlib

    from graphcat.service import deploy

    root = onnx_registry["client"].get_model_version_download_uri("ONNX MLP", onnx_registry["version"])
    logged = {p.name for p in Path(root.removeprefix("file://")).iterdir()}
    assert "model.onnx" in logged and any(n.endswith(".data") for n in logged)  # weights in external data
    report = import_mlflow(db, onnx_registry["uri"], settings=store_settings)
    assert report.created["model_version"] == 1
    v1 = _version(export_document(db), "onnx-mlp", "1")
    assert v1["framework"] == "onnx" and v1["format"] == "onnx"
    # the signature read from the ONNX file (MLflow's inferred one has no tensor names)
    assert v1["inputs"] == [{"name": "features", "dtype": "float32", "shape": [8]}]
    assert v1["outputs"] == [{"name": "scores", "dtype": "float32", "shape": [3]}]
    assert v1["hyperparameters"] == {"learning_rate": 0.01, "epochs": 3}
    (stored,) = Path(store_settings.artifact_root).rglob("*.onnx")
    assert v1["artifact"] == {"uri": stored.as_uri(), "sha256": hashlib.sha256(stored.read_bytes()).hexdigest()}
    facts = deploy.deployment(db, deploy.version_uid("onnx-mlp", "1"))
    assert facts["onnx_opset"] == 17 and facts["artifact_size_bytes"] == stored.stat().st_size
    [smoke] = facts["smoke_tests"]
    assert smoke["ok"] is True
    # the stored copy is self-contained (external data folded in) and computes what the original does
    import numpy as np
    import onnxruntime as ort

    x = np.random.default_rng(5).standard_normal((3, 8)).astype("float32")
    def run(path: Path) -> np.ndarray:
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"features": x})[0]

    np.testing.assert_allclose(run(stored), run(onnx_registry["source"]), rtol=1e-6)
    # re-running writes nothing and measures nothing again
    revision = catalog_revision(db)
    again = import_mlflow(db, onnx_registry["uri"], settings=store_settings)
    assert again.created == {} and again.updated == {} and catalog_revision(db) == revision
    assert len(deploy.deployment(db, deploy.version_uid("onnx-mlp", "1"))["smoke_tests"]) == 1


def test_corrupt_onnx_artifact_is_named_and_nothing_is_written(db, onnx_registry, store_settings, capsys,
                                                               monkeypatch) -> None:
    root = onnx_registry["client"].get_model_version_download_uri("ONNX MLP", onnx_registry["version"])
    Path(root.removeprefix("file://"), "model.onnx").write_bytes(b"not an onnx model\x00\x01")
    with pytest.raises(MlflowSourceError) as info:
        import_mlflow(db, onnx_registry["uri"], settings=store_settings)
    message = str(info.value)
    assert "MLflow model 'ONNX MLP' version 1: ONNX artifact 'model.onnx': not a valid ONNX" in message
    assert export_document(db).get("models") is None
    assert not Path(store_settings.artifact_root).exists()
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", store_settings.artifact_root)
    assert main(["import-mlflow", "--tracking-uri", onnx_registry["uri"]]) == 2
    assert "ONNX artifact 'model.onnx'" in capsys.readouterr().err


def test_cli_reports_the_onnx_registration(db, onnx_registry, store_settings, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", store_settings.artifact_root)
    assert main(["import-mlflow", "--tracking-uri", onnx_registry["uri"]]) == 0
    out = capsys.readouterr().out
    assert "MLflow model 'ONNX MLP' version 1: ONNX artifact 'model.onnx': onnx-mlp@1 smoke test ok" in out
    assert main(["import-mlflow", "--tracking-uri", onnx_registry["uri"]]) == 0
    assert "onnx-mlp@1 unchanged" in capsys.readouterr().out


def test_changed_onnx_file_under_the_same_version_is_a_conflict(db, onnx_registry, store_settings, tmp_path) -> None:
    from tests import onnx_factory

    import_mlflow(db, onnx_registry["uri"], settings=store_settings)
    before = export_document(db)
    old_sha = _version(before, "onnx-mlp", "1")["artifact"]["sha256"]
    root = onnx_registry["client"].get_model_version_download_uri("ONNX MLP", onnx_registry["version"])
    onnx_factory.mlp_classifier(Path(root.removeprefix("file://")) / "model.onnx", hidden=16)  # other weights
    with pytest.raises(MlflowSourceError) as info:
        import_mlflow(db, onnx_registry["uri"], settings=store_settings)
    message = str(info.value)
    assert "MLflow model 'ONNX MLP' version 1: ONNX artifact 'model.onnx': onnx-mlp@1 is already registered" in message
    assert f"(sha256 {old_sha}); this file has sha256 " in message
    assert export_document(db) == before


def test_onnx_model_failing_its_smoke_test_is_written_with_the_failure(db, tmp_path, store_settings, capsys,
                                                                       monkeypatch) -> None:
    from mlflow import MlflowClient

    from graphcat.service import deploy
    from tests import onnx_factory
    from tests.mlflow_factory import log_onnx_version, tracking_uri

    uri = tracking_uri(tmp_path)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    log_onnx_version(client, uri, "Reshaper", onnx_factory.failing_model(tmp_path / "fails.onnx"), example=False)
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", store_settings.artifact_root)
    assert main(["import-mlflow", "--tracking-uri", uri]) == 1  # like register-onnx: written, exit code says so
    assert "MLflow model 'Reshaper' version 1: ONNX artifact 'model.onnx': reshaper@1 smoke test FAILED" in \
        capsys.readouterr().out
    [smoke] = deploy.deployment(db, deploy.version_uid("reshaper", "1"))["smoke_tests"]
    assert smoke["ok"] is False and "Reshape" in smoke["error"]


def test_a_variable_axis_keeps_its_minus_one_through_import_export_and_back(db, registry, tmp_path) -> None:
    """MLflow writes any length as -1: kept as written (shown and exported back as -1), matched as
    null, and the graphcat export imported back is the same version (the spelling is not content)."""
    import numpy as np
    from mlflow.models import ModelSignature
    from mlflow.types import Schema, TensorSpec

    from graphcat.catalog.files import write_document
    from graphcat.catalog.importer import import_files
    from graphcat.store import catalog as store

    jagged = ModelSignature(inputs=Schema([TensorSpec(np.dtype("float32"), (-1, -1, 4), "part_p4")]),
                            outputs=Schema([TensorSpec(np.dtype("float32"), (-1, 2), "probs")]))
    train, _ = frames()
    log_version(registry["client"], registry["uri"], "jagged-net", signature=jagged, params={"lr": "0.01"},
                metrics={"loss": 0.2}, train=train)
    import_mlflow(db, registry["uri"])
    doc = export_document(db)
    assert _version(doc, "jagged-net", "1")["inputs"] == [{"name": "part_p4", "dtype": "float32", "shape": [-1, 4]}]
    stored = next(n for n in store.export_nodes(db) if n.get("kind") == "feature" and n.get("name") == "part_p4")
    assert stored["shape_given"] == "[-1, 4]" and stored["shape"] != [4]  # the spelling kept; matched as any length
    out = tmp_path / "exported.yaml"
    write_document(doc, out)
    again = import_files(db, [out])
    assert not again.created and not again.updated
    rerun = import_mlflow(db, registry["uri"])
    assert rerun.created == {} and rerun.updated == {}
    assert export_document(db) == doc
