"""FAISS index: stable ids, upsert/remove, save/load, corruption and staleness detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import Encoder
from embeddings.errors import IndexCorrupt, IndexMissing, IndexStale
from embeddings.index import VectorIndex, faiss_id
from embeddings.lifecycle import apply_changes, ensure_index, fingerprint
from embeddings.schema import Document


def _unit(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_ids_are_stable_across_processes() -> None:
    # A fixed value: blake2b is not salted per process, unlike Python's hash().
    assert faiss_id("model:particlenet@1.0.0") == faiss_id("model:particlenet@1.0.0") >= 0
    assert faiss_id("a") != faiss_id("b")


def test_upsert_replace_remove_search() -> None:
    vecs = _unit(3)
    index = VectorIndex(8)
    index.upsert(["model:a", "model:b", "dataset:c"], vecs)
    assert index.search(vecs[1], 1) == [("model:b", pytest.approx(1.0, abs=1e-5))]
    index.upsert(["model:b"], vecs[2:3])  # replace b's vector
    assert len(index) == 3
    assert [k for k, _ in index.search(vecs[2], 2)] in (["model:b", "dataset:c"], ["dataset:c", "model:b"])
    assert [k for k, _ in index.search(vecs[2], 5, prefix="model:")] == ["model:b", "model:a"]
    assert index.remove(["model:b", "nope"]) == 1
    assert "model:b" not in index and len(index) == 2
    assert [k for k, _ in index.search(vecs[2], 5, prefix="model:")] == ["model:a"]


def test_round_trip(tmp_path: Path) -> None:
    vecs = _unit(5)
    index = VectorIndex(8)
    index.upsert([f"k{i}" for i in range(5)], vecs)
    index.save(tmp_path / "i.gcvi", "state-1")
    loaded = VectorIndex.load(tmp_path / "i.gcvi", "state-1")
    assert loaded.ids == index.ids
    assert np.allclose(loaded.vector("k3"), vecs[3])
    assert VectorIndex.read_fingerprint(tmp_path / "i.gcvi") == "state-1"


def test_stale_missing_and_corrupt_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "i.gcvi"
    with pytest.raises(IndexMissing):
        VectorIndex.load(path, "x")
    index = VectorIndex(8)
    index.upsert(["k"], _unit(1))
    index.save(path, "state-1")
    with pytest.raises(IndexStale) as stale:
        VectorIndex.load(path, "state-2")
    assert (stale.value.expected, stale.value.found) == ("state-2", "state-1")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # flip one byte of the FAISS payload
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="checksum"):
        VectorIndex.load(path, "state-1")
    path.write_bytes(b"not an index")
    with pytest.raises(IndexCorrupt):
        VectorIndex.load(path, None)


def test_ensure_index_rebuilds_missing_stale_and_corrupt(tmp_path: Path) -> None:
    encoder = Encoder()
    path = tmp_path / "catalog.gcvi"
    docs = [Document("model:a@1", "model", "jet tagger on particles"),
            Document("model:b@1", "model", "calorimeter shower generator")]
    first = ensure_index(path, docs, encoder)
    assert first.status == "built:missing" and len(first.index) == 2
    assert ensure_index(path, docs, encoder).status == "loaded"
    # A catalog write changes the documents: the saved index is stale and gets rebuilt.
    changed = docs + [Document("model:c@1", "model", "b-tagging with tracks")]
    rebuilt = ensure_index(path, changed, encoder)
    assert rebuilt.status == "built:stale" and "model:c@1" in rebuilt.index
    path.write_bytes(path.read_bytes()[:-5])
    assert ensure_index(path, changed, encoder).status == "built:corrupt"


def test_apply_changes_keeps_the_index_in_step_with_the_fingerprint(tmp_path: Path) -> None:
    encoder = Encoder()
    docs = [Document("model:a@1", "model", "jet tagger"), Document("model:b@1", "model", "shower generator")]
    path = tmp_path / "i.gcvi"
    ensured = ensure_index(path, docs, encoder)
    new = Document("model:c@1", "model", "top quark tagger")
    apply_changes(ensured.index, encoder, upserted=[new], removed=["model:a@1"])
    current = [docs[1], new]
    ensured.index.save(path, fingerprint(current, encoder))
    reloaded = ensure_index(path, current, encoder)
    assert reloaded.status == "loaded"
    assert reloaded.index.ids == ["model:b@1", "model:c@1"]
