"""Errors of the embeddings package. graphcat maps them onto its own hierarchy at the boundary."""

from __future__ import annotations


class EmbeddingsError(Exception):
    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidSchema(EmbeddingsError):
    """A column, model card or catalog entry is malformed; `path` says where."""


class ModelUnavailable(EmbeddingsError):
    """The sentence-transformers model folder cannot be found or loaded (offline)."""


class IndexMissing(EmbeddingsError):
    """No index file at the given path."""


class IndexCorrupt(EmbeddingsError):
    """The index file exists but its checksum or structure is wrong."""


class IndexStale(EmbeddingsError):
    """The index file is intact but was built for another catalog state (fingerprint mismatch)."""

    def __init__(self, message: str, *, expected: str, found: str, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.expected = expected
        self.found = found
