"""Prefix-restricted search (`model:` among datasets and tasks) equals a brute-force search, and
stays right after upserts and removals."""

from __future__ import annotations

import numpy as np

from embeddings.index import VectorIndex


def _brute(keys: list[str], vectors: np.ndarray, query: np.ndarray, prefix: str, k: int) -> list[str]:
    sims = vectors @ query
    order = [i for i in np.argsort(-sims) if keys[i].startswith(prefix)]
    return [keys[i] for i in order[:k]]


def test_prefix_search_matches_brute_force_through_changes() -> None:
    rng = np.random.default_rng(3)
    keys = [f"{'model' if i % 3 else 'dataset'}:{i}" for i in range(300)]
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(16)
    index.upsert(keys, vectors)
    query = vectors[7]
    for prefix in ("model:", "dataset:"):
        assert [k for k, _ in index.search(query, 10, prefix=prefix)] == _brute(keys, vectors, query, prefix, 10)
    # Remove some models and replace a dataset's vector: the cached subsets must follow.
    index.remove(keys[1:60])
    kept = [0] + list(range(60, 300))
    vectors[0] = query
    index.upsert([keys[0]], vectors[:1])
    kk = [keys[i] for i in kept]
    vv = vectors[kept]
    assert [k for k, _ in index.search(query, 10, prefix="model:")] == _brute(kk, vv, query, "model:", 10)
    top = index.search(query, 5, prefix="dataset:")
    assert top[0][0] == keys[0] and abs(top[0][1] - 1.0) < 1e-5
    assert [k for k, _ in top] == _brute(kk, vv, query, "dataset:", 5)
    # Every id under the prefix (no copy) and an unknown prefix (nothing).
    everything = index.search(query, 1000, prefix="")
    assert len(everything) == len(kept)
    assert index.search(query, 5, prefix="task:") == []
