"""Artifacts in an S3-compatible object store: a real S3 server process on 127.0.0.1, spoken to over HTTP.

The server is moto's standalone S3 server (`python -m moto.server`, from PyPI): it implements the S3
REST API (buckets, object metadata, multipart uploads) over HTTP, so boto3 here does exactly what it
does against CERN S3 or OCI Object Storage. docs/scaling.md says why this server. Nothing skips: a
server that does not come up is a test error naming its log.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

import onnx_factory
from graphcat.catalog.importer import import_documents
from graphcat.deploy.artifacts import ArtifactStore, open_artifact_store, sha256_of
from graphcat.deploy.object_store import MULTIPART_BYTES, S3ArtifactStore
from graphcat.errors import GraphcatError, InvalidInput, InvalidSetting, NotFound
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.conftest import free_port
from tests.server_process import server_process

BUCKET = "graphcat-artifacts"
START_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("s3-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with server_process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], folder,
                        name="S3 server", ready_url=f"{url}/", timeout=START_TIMEOUT, any_status=True):
        client = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id="graphcat-test", aws_secret_access_key="graphcat-test-secret")
        client.create_bucket(Bucket=BUCKET)
        yield {"url": url, "client": client}


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # boto3 reads credentials from the environment, as it does in production
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "graphcat-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "graphcat-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def _store(s3: dict[str, Any], tmp_path: Path, prefix: str = "site-a") -> S3ArtifactStore:
    return S3ArtifactStore(f"s3://{BUCKET}/{prefix}", tmp_path / "cache", endpoint_url=s3["url"])


def test_put_is_content_addressed_with_sha256_metadata(s3: dict[str, Any], tmp_path: Path) -> None:
    source = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    sha, size = sha256_of(source)
    stored = _store(s3, tmp_path).put(source)
    key = f"site-a/sha256/{sha[:2]}/{sha}.onnx"
    assert stored.uri == f"s3://{BUCKET}/{key}" and stored.sha256 == sha and stored.size_bytes == size
    head = s3["client"].head_object(Bucket=BUCKET, Key=key)
    assert head["Metadata"]["sha256"] == sha and head["ContentLength"] == size
    assert sha256_of(stored.path) == (sha, size)  # the local copy onnxruntime reads

    again = _store(s3, tmp_path / "other").put(source)  # same bytes from another replica: no second object
    assert again.uri == stored.uri
    listed = s3["client"].list_objects_v2(Bucket=BUCKET, Prefix="site-a/")["Contents"]
    assert [o["Key"] for o in listed].count(key) == 1


def test_big_files_go_up_in_parts_and_come_back_verified(s3: dict[str, Any], tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * MULTIPART_BYTES + 12345))
    stored = _store(s3, tmp_path, prefix="multipart").put(big)
    _, key = stored.uri.split(f"s3://{BUCKET}/")
    etag = s3["client"].head_object(Bucket=BUCKET, Key=key)["ETag"].strip('"')
    assert etag.endswith("-3"), f"expected a 3-part multipart upload, ETag {etag}"

    fresh = _store(s3, tmp_path / "replica-b", prefix="multipart")  # empty cache: downloads
    path = fresh.verify(stored.uri, stored.sha256)
    assert path.read_bytes() == big.read_bytes() and path.is_relative_to(tmp_path / "replica-b")


def test_a_tampered_object_is_never_used(s3: dict[str, Any], tmp_path: Path) -> None:
    source = onnx_factory.mlp_classifier(tmp_path / "t.onnx")
    stored = _store(s3, tmp_path, prefix="tamper").put(source)
    _, key = stored.uri.split(f"s3://{BUCKET}/")
    s3["client"].put_object(Bucket=BUCKET, Key=key, Body=b"not the model", Metadata={"sha256": stored.sha256})

    fresh = _store(s3, tmp_path / "b", prefix="tamper")
    with pytest.raises(GraphcatError, match="the catalog recorded " + stored.sha256):
        fresh.verify(stored.uri, stored.sha256)
    assert not [p for p in (tmp_path / "b" / "cache").rglob("*") if p.is_file()], "a bad download entered the cache"
    # and uploading the real bytes again refuses to trust the damaged object
    with pytest.raises(GraphcatError, match="does not match its name"):
        fresh.put(source)

    # a cached copy damaged on disk is caught too
    stored.path.write_bytes(b"damaged")
    with pytest.raises(GraphcatError, match="the catalog recorded"):
        _store(s3, tmp_path, prefix="tamper").verify(stored.uri, stored.sha256)


def test_bad_uris_and_missing_objects_say_what_and_where(s3: dict[str, Any], tmp_path: Path) -> None:
    store = _store(s3, tmp_path)
    missing = "0" * 64
    with pytest.raises(NotFound, match="missing from the object store"):
        store.verify(f"s3://{BUCKET}/site-a/sha256/00/{missing}.onnx", missing)
    with pytest.raises(InvalidInput, match="outside the artifact store"):
        store.verify(f"s3://another-bucket/site-a/sha256/00/{missing}.onnx", missing)
    with pytest.raises(InvalidInput, match="outside the artifact store"):
        store.verify(f"s3://{BUCKET}/site-b/sha256/00/{missing}.onnx", missing)
    with pytest.raises(InvalidInput, match="not an s3://"):
        store.verify(f"file:///tmp/{missing}.onnx", missing)

    source = onnx_factory.mlp_classifier(tmp_path / "m.onnx")
    with pytest.raises(GraphcatError, match="bucket 'no-such-bucket' does not exist"):
        S3ArtifactStore("s3://no-such-bucket/x", tmp_path / "c2", endpoint_url=s3["url"]).put(source)
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GraphcatError, match=f"object store at {closed}"):
        S3ArtifactStore(f"s3://{BUCKET}/x", tmp_path / "c3", endpoint_url=closed).put(source)


def test_settings_choose_the_store(s3: dict[str, Any], tmp_path: Path) -> None:
    env = {"GRAPHCAT_ARTIFACT_ROOT": f"s3://{BUCKET}/sel", "GRAPHCAT_S3_ENDPOINT_URL": s3["url"],
           "GRAPHCAT_ARTIFACT_CACHE": str(tmp_path / "cache")}
    chosen = open_artifact_store(Settings.from_env(env, env_file=tmp_path / "none"))
    assert isinstance(chosen, S3ArtifactStore) and chosen.root == f"s3://{BUCKET}/sel"
    local = open_artifact_store(Settings.from_env({"GRAPHCAT_ARTIFACT_ROOT": str(tmp_path / "a")},
                                                  env_file=tmp_path / "none"))
    assert isinstance(local, ArtifactStore)
    with pytest.raises(InvalidSetting, match="GRAPHCAT_ARTIFACT_ROOT"):
        Settings.from_env({"GRAPHCAT_ARTIFACT_ROOT": "gs://bucket/x"}, env_file=tmp_path / "none")


def test_registration_and_deployment_through_the_object_store(db: Database, settings: Settings,
                                                              s3: dict[str, Any], tmp_path: Path) -> None:
    """register-onnx with an s3:// artifact root: the catalog records the s3:// URI, and another
    replica with an empty cache runs the model after fetching and checking it."""
    import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
    site = dataclasses.replace(settings, artifact_root=f"s3://{BUCKET}/catalog", s3_endpoint_url=s3["url"],
                               artifact_cache=str(tmp_path / "replica-a"), bench_runs=10, bench_warmup=1)
    path = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    reg = deploy.register_onnx(db, site, path, model_id="s3-tagger", version="1.0", task="jet-tagging")
    facts = deploy.deployment(db, reg.version_uid)
    assert facts["artifact_uri"].startswith(f"s3://{BUCKET}/catalog/sha256/")
    assert facts["artifact_sha256"] == sha256_of(path)[0]

    other = dataclasses.replace(site, artifact_cache=str(tmp_path / "replica-b"))
    report = deploy.benchmark_version(db, other, reg.version_uid)
    assert report.results, "the benchmark ran on the fetched artifact"
    assert list((tmp_path / "replica-b").rglob("*.onnx")), "replica b fetched its own verified copy"
