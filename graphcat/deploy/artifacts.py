"""A content-addressed local artifact store: files are kept under their sha256.

`open_artifact_store(settings)` picks this store or the S3 one (graphcat.deploy.object_store)
from GRAPHCAT_ARTIFACT_ROOT; both have put / verify and return the same StoredArtifact.

`put(path)` copies a file to `<root>/sha256/<aa>/<sha256><suffix>` and returns its `file://` URI,
sha256 and size. Storing the same bytes twice is a no-op that returns the same URI, so
registration can be retried safely; a partially written file is never visible (written to a
temporary name in the same folder, then renamed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from graphcat.errors import GraphcatError, InvalidInput, NotFound

if TYPE_CHECKING:
    from graphcat.settings import Settings

_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredArtifact:
    uri: str
    sha256: str
    size_bytes: int
    path: Path


def sha256_of(path: str | Path) -> tuple[str, int]:
    """The file's sha256 (hex) and size in bytes, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_sha256(path: str | Path, expected: str, *, what: str) -> None:
    """Raise when the file at `path` does not have the sha256 the catalog recorded."""
    actual, _ = sha256_of(path)
    if actual != expected:
        raise GraphcatError(f"{what} has sha256 {actual}, the catalog recorded {expected}")


class Artifacts(Protocol):
    """What registration and deployment need of an artifact store (local folder or S3)."""

    def put(self, source: str | Path) -> StoredArtifact: ...

    def verify(self, uri: str, sha256: str) -> Path: ...


def open_artifact_store(settings: "Settings") -> Artifacts:
    """The store GRAPHCAT_ARTIFACT_ROOT names: a local folder, or s3://BUCKET/PREFIX."""
    if settings.artifact_root.startswith("s3://"):
        from graphcat.deploy.object_store import S3ArtifactStore

        return S3ArtifactStore(settings.artifact_root, settings.artifact_cache, settings.s3_endpoint_url)
    return ArtifactStore(settings.artifact_root)


class ArtifactStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def path_for(self, sha256: str, suffix: str = ".onnx") -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise InvalidInput(f"{sha256!r} is not a lowercase hex sha256", path="sha256")
        return self.root / "sha256" / sha256[:2] / f"{sha256}{suffix}"

    def put(self, source: str | Path) -> StoredArtifact:
        source = Path(source)
        if not source.is_file():
            raise InvalidInput("no such file", path=str(source))
        sha, size = sha256_of(source)
        target = self.path_for(sha, source.suffix.lower() or ".bin")
        if target.is_file():
            # Same name means same content, unless the stored copy was damaged: check, don't trust.
            stored_sha, stored_size = sha256_of(target)
            if stored_sha != sha:
                raise GraphcatError(
                    f"artifact store copy {target} is corrupt (sha256 {stored_sha}, expected {sha}); remove it and retry"
                )
            return StoredArtifact(target.as_uri(), sha, stored_size, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, _CHUNK)
            copied_sha, _ = sha256_of(tmp_name)
            if copied_sha != sha:
                raise GraphcatError(f"{source} changed while it was being stored; retry")
            os.replace(tmp_name, target)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return StoredArtifact(target.as_uri(), sha, size, target)

    def resolve(self, uri: str) -> Path:
        """The local path of a `file://` URI of this store; NotFound when the file is gone."""
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise InvalidInput(f"{uri!r} is not a file:// URI of the local artifact store", path="uri")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInput(f"{uri!r} is outside the artifact store {self.root}", path="uri")
        if not path.is_file():
            raise NotFound(f"artifact {uri} is missing from the artifact store", path="uri")
        return path

    def verify(self, uri: str, sha256: str) -> Path:
        """Resolve the URI and check the file still has the recorded sha256."""
        path = self.resolve(uri)
        check_sha256(path, sha256, what=f"artifact {uri}")
        return path
