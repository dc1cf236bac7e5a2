"""graphcat import-mlflow over HTTP: a real `mlflow server` on 127.0.0.1, filled through its REST API.

The server keeps its registry in sqlite and proxies artifacts (mlflow-artifacts:/), so the MLmodel
files, signatures and environment files the import reads all travel over HTTP. Nothing here skips:
a server that does not come up is a test error naming its log.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from graphcat.catalog.exporter import export_document
from graphcat.cli import main
from graphcat.interop.commands import import_mlflow
from graphcat.store.index_state import catalog_revision
from tests.conftest import free_port
from tests.mlflow_factory import build_registry
from tests.server_process import server_process

START_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    with server_process(
        [str(mlflow_cli), "server", "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
         "--artifacts-destination", str(folder / "artifacts"), "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1"],
        folder, name="mlflow server", ready_url=f"{url}/health", timeout=START_TIMEOUT,
    ):
        registry = build_registry(folder, uri=url)
        yield {"url": url, "folder": folder, **registry}


def test_registry_imports_over_http(db, server) -> None:
    versions = server["client"].search_model_versions("name = 'Top Tagger'")
    assert all(v.source.startswith("models:/") or "mlflow-artifacts" in v.source or v.source.startswith("runs:/")
               for v in versions)
    # the model files live only in the server's artifact store: the client can reach them only over HTTP
    assert list((server["folder"] / "artifacts").rglob("MLmodel"))
    report = import_mlflow(db, server["url"])
    assert report.created["model_version"] == 3 and report.created["dataset_version"] == 2
    doc = export_document(db)
    models = {m["id"]: m for m in doc["models"]}
    assert set(models) == {"top-tagger", "pnet-lite"}
    v1, v2 = sorted(models["top-tagger"]["versions"], key=lambda v: v["version"])
    assert v2["aliases"] == ["champion"]
    assert [(c["name"], c["dtype"]) for c in v1["inputs"]] == [
        ("jet_pt", "float64"), ("jet_eta", "float64"), ("n_constituents", "int64"), ("label", "string")]
    (pnet,) = models["pnet-lite"]["versions"]
    assert [(c["name"], c["shape"]) for c in pnet["inputs"]] == [("part_features", [100, 4]), ("part_mask", [100])]
    assert "pandas" in v1["reproducibility"]["environment"]  # requirements.txt, downloaded through the server
    evals = {(e["dataset"].partition("@")[0], e["metric"]): e["value"] for e in v2["evaluations"]}
    assert evals == {("qcd-top-test", "auc"): 0.93, ("qcd-top-test", "accuracy"): 0.87}


def test_reimport_over_http_writes_nothing(db, server, capsys) -> None:
    assert main(["import-mlflow", "--tracking-uri", server["url"], "--model", "pnet-lite"]) == 0
    assert "imported from MLflow" in capsys.readouterr().out
    revision, before = catalog_revision(db), export_document(db)
    again = import_mlflow(db, server["url"], ["pnet-lite"])
    assert again.created == {} and again.updated == {}
    assert catalog_revision(db) == revision and export_document(db) == before
    assert {m["id"] for m in before["models"]} == {"pnet-lite"}


def test_onnx_flavour_over_http(db, server, settings, tmp_path) -> None:
    """Runs last: adds a model to the module's server, which the tests above import whole."""
    import dataclasses
    import hashlib

    from graphcat.service import deploy
    from tests import onnx_factory
    from tests.mlflow_factory import log_onnx_version

    source = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    log_onnx_version(server["client"], server["url"], "ONNX MLP", source)
    # model.onnx and its external data are only in the server's artifact store
    assert list((server["folder"] / "artifacts").rglob("model.onnx"))
    store = dataclasses.replace(settings, artifact_root=str(tmp_path / "store"))
    report = import_mlflow(db, server["url"], ["ONNX MLP"], settings=store)
    assert report.created["model_version"] == 1
    (v1,) = {m["id"]: m for m in export_document(db)["models"]}["onnx-mlp"]["versions"]
    (stored,) = Path(store.artifact_root).rglob("*.onnx")
    assert v1["artifact"] == {"uri": stored.as_uri(), "sha256": hashlib.sha256(stored.read_bytes()).hexdigest()}
    assert v1["inputs"] == [{"name": "features", "dtype": "float32", "shape": [8]}]
    [smoke] = deploy.deployment(db, deploy.version_uid("onnx-mlp", "1"))["smoke_tests"]
    assert smoke["ok"] is True
