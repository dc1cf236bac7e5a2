"""Build, persist, check and update the catalog's vector index.

graphcat calls:
- `ensure_index(path, documents, encoder)` at start-up: loads the saved index when its
  fingerprint matches the current documents, otherwise (missing, stale, corrupt) rebuilds and
  saves it, logging why — an out-of-date index is never served silently;
- `build_index(documents, encoder, progress=True)` for `graphcat index rebuild`;
- `apply_changes(index, encoder, upserted=[...], removed=[...])` after every catalog write, then
  `index.save(path, fingerprint(all_documents, encoder))`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

from embeddings.encoder import Encoder
from embeddings.errors import IndexCorrupt, IndexMissing, IndexStale
from embeddings.index import VectorIndex
from embeddings.schema import Document

log = logging.getLogger(__name__)

Status = Literal["loaded", "built:missing", "built:stale", "built:corrupt"]


def fingerprint(documents: Iterable[Document], encoder: Encoder) -> str:
    """A digest of what the index holds: every id with its text, and the encoder that embedded it."""
    h = hashlib.sha256(encoder.name.encode())
    for doc in sorted(documents, key=lambda d: d.id):
        h.update(b"\0" + doc.id.encode() + b"\1" + doc.text.encode())
    return "sha256:" + h.hexdigest()


def build_index(documents: Sequence[Document], encoder: Encoder, *, progress: bool = False) -> VectorIndex:
    index = VectorIndex(encoder.dim)
    if documents:
        index.upsert([d.id for d in documents], encoder.encode([d.text for d in documents], progress=progress))
    return index


def apply_changes(index: VectorIndex, encoder: Encoder, *, upserted: Sequence[Document] = (),
                  removed: Iterable[str] = ()) -> None:
    index.remove(removed)
    if upserted:
        index.upsert([d.id for d in upserted], encoder.encode([d.text for d in upserted]))


@dataclass(frozen=True)
class Ensured:
    index: VectorIndex
    fingerprint: str
    status: Status


def ensure_index(path: str | os.PathLike[str], documents: Sequence[Document], encoder: Encoder, *,
                 progress: bool = False) -> Ensured:
    current = fingerprint(documents, encoder)
    try:
        return Ensured(VectorIndex.load(path, current), current, "loaded")
    except IndexMissing:
        status: Status = "built:missing"
        log.info("no vector index at %s; building it for %d documents", path, len(documents))
    except IndexStale as exc:
        status = "built:stale"
        log.warning("vector index %s is stale (%s); rebuilding", path, exc.message)
    except IndexCorrupt as exc:
        status = "built:corrupt"
        log.warning("vector index %s is corrupt (%s); rebuilding", path, exc.message)
    index = build_index(documents, encoder, progress=progress)
    index.save(path, current)
    return Ensured(index, current, status)
