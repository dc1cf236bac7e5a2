"""A FAISS vector index keyed by stable catalog ids, persisted with a fingerprint and a checksum.

Vectors are L2-normalised, so inner product (IndexFlatIP) is cosine similarity. Each string id
maps to an int64 FAISS id by hashing (blake2b, 63 bits): the same catalog id always gets the same
FAISS id, in any process, with no mapping table to keep in step; a collision is detected.

File layout (one file, written atomically):
    b"GCVI1\\n" + sha256(body).hexdigest() + b"\\n" + body
    body = 8-byte big-endian header length + header JSON + faiss.serialize_index bytes
The header holds the caller's fingerprint of the catalog state, the dimension and the ids.
`load` raises IndexMissing, IndexCorrupt (checksum/structure) or IndexStale (fingerprint).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import faiss
import numpy as np

from embeddings.errors import IndexCorrupt, IndexMissing, IndexStale, InvalidSchema

MAGIC = b"GCVI1\n"


def faiss_id(key: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


class VectorIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._keys: dict[int, str] = {}
        # prefix -> (flat index of that prefix's vectors, their int ids) or None when the prefix
        # covers the whole index; built on the first search, dropped on every change.
        self._subsets: dict[str, tuple[faiss.IndexFlatIP, np.ndarray] | None] = {}

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __contains__(self, key: str) -> bool:
        return self._keys.get(faiss_id(key)) == key

    @property
    def ids(self) -> list[str]:
        return sorted(self._keys.values())

    def upsert(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace the vectors of `keys` (row i of `vectors` belongs to keys[i])."""
        vectors = self._check(keys, vectors)
        if not keys:
            return
        ints = np.array([faiss_id(k) for k in keys], dtype=np.int64)
        if len(set(keys)) != len(keys):
            raise InvalidSchema("duplicate ids in one upsert", path="keys")
        for k, i in zip(keys, ints.tolist()):
            other = self._keys.get(i)
            if other is not None and other != k:
                raise InvalidSchema(f"id hash collision between {other!r} and {k!r}", path=k)
        self._subsets.clear()
        present = [i for i in ints.tolist() if i in self._keys]
        if present:
            self._index.remove_ids(np.array(present, dtype=np.int64))
        self._index.add_with_ids(vectors, ints)
        for k, i in zip(keys, ints.tolist()):
            self._keys[i] = k

    def remove(self, keys: Iterable[str]) -> int:
        """Remove the given ids; ids not in the index are ignored. Returns how many were removed."""
        ints = [faiss_id(k) for k in keys if k in self]
        if not ints:
            return 0
        self._subsets.clear()
        removed = int(self._index.remove_ids(np.array(ints, dtype=np.int64)))
        for i in ints:
            del self._keys[i]
        return removed

    def vector(self, key: str) -> np.ndarray:
        if key not in self:
            raise KeyError(key)
        return self._index.reconstruct(faiss_id(key))

    def search(self, query: np.ndarray, k: int, *, prefix: str | None = None) -> list[tuple[str, float]]:
        """The k nearest ids to one query vector, best first, with cosine similarity.

        `prefix` restricts the search to ids starting with it (e.g. "model:")."""
        return self.search_many(query.reshape(1, -1), k, prefix=prefix)[0]

    def search_many(self, queries: np.ndarray, k: int, *, prefix: str | None = None) -> list[list[tuple[str, float]]]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise InvalidSchema(f"query shape {queries.shape} does not match dimension {self.dim}", path="query")
        subset = self._subset(prefix) if prefix is not None else None
        k = min(k, len(self) if subset is None else len(subset[1]))
        if k <= 0:
            return [[] for _ in range(len(queries))]
        with _threads(1 if len(queries) < BATCH_QUERIES else None):
            if subset is None:
                scores, ints = self._index.search(queries, k)
            else:
                # A plain flat search over the prefix's own vectors: an ID selector on the whole
                # index checks every id one by one and cannot use the vectorised scan.
                scores, rows = subset[0].search(queries, k)
                ints = np.where(rows >= 0, subset[1][np.clip(rows, 0, None)], -1)
        return [[(self._keys[int(i)], float(s)) for s, i in zip(srow, irow) if i != -1]
                for srow, irow in zip(scores, ints)]

    def save(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        payload = faiss.serialize_index(self._index).tobytes()
        header = json.dumps({"fingerprint": fingerprint, "dim": self.dim,
                             "keys": [self._keys[i] for i in self._ordered_ints()]}).encode()
        body = struct.pack(">Q", len(header)) + header + payload
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # readers see the old file or the new one, never half of one

    @classmethod
    def load(cls, path: str | os.PathLike[str], fingerprint: str | None) -> "VectorIndex":
        """Load an index; with `fingerprint`, raise IndexStale unless it was saved with that one."""
        source = Path(path)
        header, payload = _read_verified(source)
        if fingerprint is not None and header["fingerprint"] != fingerprint:
            raise IndexStale(f"built for catalog state {header['fingerprint']!r}, current is {fingerprint!r}",
                             expected=fingerprint, found=header["fingerprint"], path=str(source))
        index = cls(int(header["dim"]))
        try:
            index._index = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8))
        except RuntimeError as exc:  # faiss reports a malformed payload as RuntimeError
            raise IndexCorrupt(f"FAISS cannot read the payload: {exc}", path=str(source)) from exc
        index._keys = {faiss_id(k): k for k in header["keys"]}
        if len(index._keys) != index._index.ntotal:
            raise IndexCorrupt(f"{len(index._keys)} ids for {index._index.ntotal} vectors", path=str(source))
        return index

    @staticmethod
    def read_fingerprint(path: str | os.PathLike[str]) -> str:
        """The fingerprint a saved index was built for (checks the checksum too)."""
        return str(_read_verified(Path(path))[0]["fingerprint"])

    def _subset(self, prefix: str) -> tuple[faiss.IndexFlatIP, np.ndarray] | None:
        """The vectors whose id starts with `prefix` as their own flat index (None: all of them).

        Costs a copy of those vectors (dim x 4 bytes each) for as long as the index is unchanged;
        a catalog is mostly models, so the copy is skipped when the prefix covers every id."""
        if prefix not in self._subsets:
            order = faiss.vector_to_array(self._index.id_map)
            wanted = np.array([i for i, k in self._keys.items() if k.startswith(prefix)], dtype=np.int64)
            if len(wanted) == len(order):
                self._subsets[prefix] = None
            else:
                rows = np.flatnonzero(np.isin(order, wanted))
                flat = faiss.IndexFlatIP(self.dim)
                if len(rows):
                    inner = faiss.downcast_index(self._index.index)
                    flat.add(inner.reconstruct_n(0, inner.ntotal)[rows])
                self._subsets[prefix] = (flat, order[rows].astype(np.int64))
        return self._subsets[prefix]

    def _ordered_ints(self) -> list[int]:
        return [int(i) for i in faiss.vector_to_array(self._index.id_map)]

    def _check(self, keys: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(keys), self.dim):
            raise InvalidSchema(f"expected vectors of shape ({len(keys)}, {self.dim}), got {vectors.shape}",
                                path="vectors")
        return vectors


BATCH_QUERIES = 16  # fewer queries than this are searched on one thread


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Run FAISS on `n` OpenMP threads for one call (None: leave as is).

    One query over 100k vectors is a few ms of one core; splitting it across OpenMP threads on a
    busy 2-core machine made it 5x slower (threads wait for each other's time slices: 105 ms vs
    17 ms p50 at load 14, bench notes in docs/benchmarks.md)."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _read_verified(source: Path) -> tuple[dict[str, Any], bytes]:
    try:
        data = source.read_bytes()
    except FileNotFoundError as exc:
        raise IndexMissing("no index file", path=str(source)) from exc
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 65 + 8:
        raise IndexCorrupt("not a graphcat vector index (bad magic or truncated)", path=str(source))
    checksum = data[len(MAGIC):len(MAGIC) + 64].decode("ascii", "replace")
    body = data[len(MAGIC) + 65:]
    if hashlib.sha256(body).hexdigest() != checksum:
        raise IndexCorrupt("checksum mismatch: the file is damaged or was partly written", path=str(source))
    (hlen,) = struct.unpack(">Q", body[:8])
    try:
        header = json.loads(body[8:8 + hlen])
    except ValueError as exc:
        raise IndexCorrupt(f"unreadable header: {exc}", path=str(source)) from exc
    return header, body[8 + hlen:]
