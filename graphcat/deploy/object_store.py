"""Artifacts in an S3-compatible object store (CERN S3, OCI Object Storage, AWS S3, MinIO, ...).

The same content addressing as the local store (graphcat.deploy.artifacts): an artifact lives at
`s3://<bucket>/<prefix>/sha256/<aa>/<sha256><suffix>` and carries its sha256 as object metadata.
Uploads go through boto3's transfer manager (multipart above MULTIPART_BYTES, in parallel parts);
credentials come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, profiles, ...).

Running an artifact needs a local file (onnxruntime reads paths), so every artifact used here is
also kept in a local, content-addressed cache (GRAPHCAT_ARTIFACT_CACHE). A cached copy is
re-hashed before it is handed out, and a download is hashed before it enters the cache: a copy
that does not match the sha256 the catalog recorded is never used.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from graphcat.deploy.artifacts import ArtifactStore, StoredArtifact, check_sha256, sha256_of
from graphcat.errors import GraphcatError, InvalidInput, NotFound

MULTIPART_BYTES = 8 * 1024 * 1024  # boto3's default threshold and part size
_SHA_META = "sha256"  # object metadata key (sent as x-amz-meta-sha256)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key or prefix without slashes at either end) of an s3:// URI."""
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise InvalidInput(f"{uri!r} is not an s3://BUCKET/... URI", path="uri")
    return parts.netloc, parts.path.strip("/")


class S3ArtifactStore:
    """The artifact store interface of graphcat.deploy.artifacts.ArtifactStore, over S3."""

    def __init__(self, root: str, cache_dir: str | Path, endpoint_url: str | None = None,
                 client: Any | None = None) -> None:
        self.bucket, self.prefix = parse_s3_uri(root)
        self.root = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.endpoint_url = endpoint_url or None
        self.cache = ArtifactStore(cache_dir)
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            # a few quick retries: an unreachable store should fail a registration in seconds, not minutes
            config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url, config=config)
        return self._client

    def key_for(self, sha256: str, suffix: str) -> str:
        relative = self.cache.path_for(sha256, suffix).relative_to(self.cache.root).as_posix()
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def put(self, source: str | Path) -> StoredArtifact:
        """Upload `source` under its sha256 (a no-op when the object is already there and intact)."""
        source = Path(source)
        if not source.is_file():
            raise InvalidInput("no such file", path=str(source))
        sha, size = sha256_of(source)
        key = self.key_for(sha, source.suffix.lower() or ".bin")
        uri = f"s3://{self.bucket}/{key}"
        stored = self._head(key)
        if stored is None:
            from boto3.s3.transfer import TransferConfig

            config = TransferConfig(multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES)
            with self._errors(f"uploading {source} to {uri}"):
                self.client.upload_file(str(source), self.bucket, key, Config=config,
                                        ExtraArgs={"Metadata": {_SHA_META: sha}})
        elif stored.get("Metadata", {}).get(_SHA_META) != sha or stored.get("ContentLength") != size:
            raise GraphcatError(
                f"object store copy {uri} does not match its name (metadata sha256 "
                f"{stored.get('Metadata', {}).get(_SHA_META)!r}, {stored.get('ContentLength')} bytes; expected "
                f"{sha}, {size} bytes); remove it and retry"
            )
        local = self.cache.put(source)
        if local.sha256 != sha:
            raise GraphcatError(f"{source} changed while it was being stored; retry")
        return StoredArtifact(uri, sha, size, local.path)

    def verify(self, uri: str, sha256: str) -> Path:
        """A local copy of the artifact at `uri`, checked against the recorded sha256."""
        bucket, key = parse_s3_uri(uri)
        if bucket != self.bucket or not (key.startswith(self.prefix + "/") or not self.prefix):
            raise InvalidInput(f"{uri!r} is outside the artifact store {self.root}", path="uri")
        cached = self.cache.path_for(sha256, Path(key).suffix or ".bin")
        if cached.is_file():
            return self.cache.verify(cached.as_uri(), sha256)
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=cached.parent, prefix=".download-")
        os.close(fd)
        try:
            with self._errors(f"downloading {uri}"):
                self.client.download_file(self.bucket, key, tmp_name)
            check_sha256(tmp_name, sha256, what=f"artifact {uri}")
            os.replace(tmp_name, cached)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return cached

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            with self._errors(f"reading s3://{self.bucket}/{key}", missing_ok=True):
                return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:  # raised again by _errors only for a missing object
            return None

    @contextmanager
    def _errors(self, doing: str, missing_ok: bool = False) -> Iterator[None]:
        """botocore's failures as graphcat errors that say what was being done, and where."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        where = self.endpoint_url or "the default S3 endpoint"
        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchKey", "NotFound"}:
                if missing_ok:
                    raise
                raise NotFound(f"{doing}: the object is missing from the object store ({where})", path="uri") from exc
            if code in {"NoSuchBucket"}:
                raise GraphcatError(f"{doing}: bucket {self.bucket!r} does not exist at {where}") from exc
            raise GraphcatError(f"{doing}: the object store at {where} refused ({code}): {exc}") from exc
        except S3UploadFailedError as exc:
            if "NoSuchBucket" in str(exc):  # the transfer manager wraps the ClientError in a message
                raise GraphcatError(f"{doing}: bucket {self.bucket!r} does not exist at {where}") from exc
            raise GraphcatError(f"{doing}: upload to the object store at {where} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise GraphcatError(f"{doing}: the object store at {where} could not be used: {exc}") from exc
