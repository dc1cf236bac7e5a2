"""`registerOnnxModel` over HTTP with the GraphQL multipart request spec, against the real Neo4j:
a good MLP registered with benchmark + quantisation, a broken file refused on `file` with nothing
written, the same version with another file a ConflictError, and no token a 401."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

import onnx_factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store import catalog as catalog_store
from graphcat.store.database import Database
from graphql_helpers import payload, post_upload, token

TASKS = {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]}

REGISTER = """mutation ($file: Upload!, $model: String!, $version: String!, $task: String, $name: String,
                    $license: String, $benchmark: Boolean, $quantize: Boolean) {
  registerOnnxModel(file: $file, model: $model, version: $version, task: $task, name: $name, license: $license,
                    benchmark: $benchmark, quantize: $quantize) {
    __typename
    ... on UserError { message code field }
    ... on ModelVersion {
      id version framework format license
      model { id name }
      tasks { id }
      artifact { uri sha256 sizeBytes }
      inputs { name dtype shape }
      outputs { name dtype shape }
      deployment {
        onnxOpset
        smokeTests { ok }
        benchmarks { batch p50Ms p99Ms runs }
        quantizedVersions {
          id
          deployment { smokeTests { ok } benchmarks { batch } quantizedFrom { weightType maxAbsDiff original { id } } }
        }
      }
    }
  }
}"""


@pytest.fixture()
def upload_settings(db: Database, settings: Settings, tmp_path: Path) -> Settings:
    import_documents(db, [("tasks", TASKS)])
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), bench_runs=20, bench_warmup=2,
                               index_dir=str(tmp_path / "index"))


@pytest.fixture()
def client(upload_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(upload_settings)) as c:
        yield c


def post_onnx(client: TestClient, path: Path, bearer: str | None, **variables: Any) -> Any:
    return post_upload(client, REGISTER, variables, path, bearer)


def register(client: TestClient, path: Path, bearer: str, **variables: Any) -> dict[str, Any]:
    return payload(post_onnx(client, path, bearer, **variables), "registerOnnxModel")  # type: ignore[no-any-return]


def test_upload_with_benchmark_and_quantize(db: Database, client: TestClient, upload_settings: Settings,
                                            tmp_path: Path) -> None:
    path = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    mv = register(client, path, token(db, "writer"), model="mlp-tagger", version="1.0.0", task="jet-tagging",
                  name="MLP tagger", license="MIT", benchmark=True, quantize=True)
    assert mv["__typename"] == "ModelVersion", mv
    assert mv["id"] == "model_version:mlp-tagger@1.0.0"
    assert (mv["framework"], mv["format"], mv["license"]) == ("onnx", "onnx", "MIT")
    assert mv["model"] == {"id": "model:mlp-tagger", "name": "MLP tagger"}
    assert mv["tasks"] == [{"id": "task:jet-tagging"}]
    # The signature read from the file.
    assert mv["inputs"] == [{"name": "features", "dtype": "float32", "shape": [8]}]
    assert len(mv["outputs"]) == 1 and mv["outputs"][0]["shape"] == [3]
    assert mv["artifact"]["sizeBytes"] == path.stat().st_size
    assert mv["artifact"]["uri"].startswith("file://") and len(mv["artifact"]["sha256"]) == 64
    assert Path(upload_settings.artifact_root).is_dir()

    d = mv["deployment"]
    assert d["onnxOpset"] == onnx_factory.OPSET
    assert [s["ok"] for s in d["smokeTests"]] == [True]
    benches = sorted(d["benchmarks"], key=lambda b: b["batch"])
    assert [b["batch"] for b in benches] == [1, 64]
    assert all(0 < b["p50Ms"] <= b["p99Ms"] and b["runs"] == 20 for b in benches)

    [quantized] = d["quantizedVersions"]
    assert quantized["id"] == "model_version:mlp-tagger@1.0.0-int8"
    q = quantized["deployment"]
    assert [s["ok"] for s in q["smokeTests"]] == [True]
    assert sorted(b["batch"] for b in q["benchmarks"]) == [1, 64]
    assert q["quantizedFrom"]["weightType"] == "int8" and q["quantizedFrom"]["maxAbsDiff"] > 0
    assert q["quantizedFrom"]["original"] == {"id": mv["id"]}


def test_broken_file_is_typed_error_and_writes_nothing(db: Database, client: TestClient, upload_settings: Settings,
                                                       tmp_path: Path) -> None:
    bad = onnx_factory.broken_file(tmp_path / "broken.onnx")
    error = register(client, bad, token(db, "writer"), model="broken", version="1", benchmark=True, quantize=True)
    assert error["__typename"] == "InvalidInputError", error
    assert error["field"] == "file"
    assert error["message"].startswith("broken.onnx: ")
    assert "not a valid ONNX" in error["message"]
    # No temporary server path leaks into the message.
    assert "graphcat-upload-" not in error["message"]
    assert catalog_store.nodes_by_uid(db, ["model:broken", "model_version:broken@1"]) == {}
    assert not Path(upload_settings.artifact_root).exists()


def test_same_version_with_another_file_is_a_conflict(db: Database, client: TestClient, tmp_path: Path) -> None:
    writer = token(db, "writer")
    first = onnx_factory.mlp_classifier(tmp_path / "a.onnx")
    other = onnx_factory.per_object_model(tmp_path / "b.onnx")
    assert register(client, first, writer, model="m", version="1", task="jet-tagging", name="M")["__typename"] == "ModelVersion"
    # Re-registering the same file is idempotent.
    again = register(client, first, writer, model="m", version="1")
    assert again["__typename"] == "ModelVersion" and again["inputs"][0]["name"] == "features"
    clash = register(client, other, writer, model="m", version="1")
    assert clash["__typename"] == "ConflictError", clash
    assert clash["field"] == "version" and "immutable" in clash["message"]
    # The version still holds the first file's signature.
    kept = catalog_store.neighbours(db, ["model_version:m@1"], ["HAS_INPUT"])["model_version:m@1"]
    assert [f.name for _, _, f in kept] == ["features"]


def test_empty_file_and_bad_model_id_name_their_argument(db: Database, client: TestClient, tmp_path: Path) -> None:
    writer = token(db, "writer")
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    error = register(client, empty, writer, model="e", version="1")
    assert (error["__typename"], error["field"]) == ("InvalidInputError", "file")
    assert "empty" in error["message"]

    good = onnx_factory.mlp_classifier(tmp_path / "good.onnx")
    bad_id = register(client, good, writer, model="Not A Slug!", version="1")
    assert (bad_id["__typename"], bad_id["field"]) == ("InvalidInputError", "model"), bad_id
    assert catalog_store.nodes_by_uid(db, ["model:Not A Slug!"]) == {}


def test_no_token_is_401(db: Database, client: TestClient, tmp_path: Path) -> None:
    path = onnx_factory.mlp_classifier(tmp_path / "m.onnx")
    response = post_onnx(client, path, None, model="anon", version="1")
    assert response.status_code == 401, response.text
    assert catalog_store.nodes_by_uid(db, ["model:anon"]) == {}
    reader = post_onnx(client, path, token(db, "reader"), model="anon", version="1")
    assert reader.status_code == 403, reader.text


def test_a_string_in_place_of_the_file_is_a_typed_error(db: Database, client: TestClient) -> None:
    """Over a JSON body `file` can only be a literal; it must be refused, not crash the resolver."""
    query = ('mutation { registerOnnxModel(file: "/etc/passwd", model: "lit", version: "1") '
             '{ __typename ... on InvalidInputError { field message } } }')
    response = client.post("/graphql", json={"query": query},
                           headers={"Authorization": f"Bearer {token(db, 'writer')}"})
    assert response.status_code == 200, response.text
    result = response.json()["data"]["registerOnnxModel"]
    assert result["__typename"] == "InvalidInputError" and result["field"] == "file"
    assert "multipart" in result["message"]
    assert not [n for n in catalog_store.export_nodes(db) if n["kind"] in {"model", "model_version"}]
