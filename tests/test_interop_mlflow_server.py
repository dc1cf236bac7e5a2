"""graphcat import-mlflow over HTTP: a real `mlflow server` on 127.0.0.1, filled through its REST API.

The server keeps its registry in sqlite and proxies artifacts (mlflow-artifacts:/), so the MLmodel
files, signatures and environment files the import reads all travel over HTTP. Nothing here skips:
a server that does not come up is a test error naming its log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from graphcat.catalog.exporter import export_document
from graphcat.cli import main
from graphcat.interop.commands import import_mlflow
from graphcat.store.index_state import catalog_revision
from tests.conftest import free_port
from tests.mlflow_factory import build_registry

START_TIMEOUT = 120.0


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {proc.returncode}; log {log}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"mlflow server at {url} did not answer /health in {START_TIMEOUT:.0f} s; log {log}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(mlflow_cli), "server", "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
             "--artifacts-destination", str(folder / "artifacts"), "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1"],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=dict(os.environ), start_new_session=True)
    try:
        _wait_healthy(url, proc, log)
        registry = build_registry(folder, uri=url)
        yield {"url": url, "folder": folder, **registry}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


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
