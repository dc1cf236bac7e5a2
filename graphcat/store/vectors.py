"""Model version embeddings in Neo4j's native vector index (`model_version_embedding`, HNSW, cosine).

The recommender's own index is FAISS (embeddings/index.py); this is the in-database alternative,
kept so that both can be measured on the same vectors (bench/vector_index.py) and so that a
deployment could drop the per-replica FAISS index for the database's. The index is created by
cypher/schema/0801_model_version_embedding.cypher (384 dimensions: all-MiniLM-L6-v2).
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from graphcat.errors import GraphcatError, InvalidInput
from graphcat.store.database import Database

DIMENSIONS = 384


def set_embeddings(db: Database, uids: Sequence[str], vectors: np.ndarray, batch: int = 1_000) -> int:
    """Store one embedding per model version uid (row i of `vectors` belongs to uids[i])."""
    if vectors.ndim != 2 or vectors.shape[1] != DIMENSIONS or vectors.shape[0] != len(uids):
        raise InvalidInput(f"expected {len(uids)} vectors of {DIMENSIONS} floats, got shape {vectors.shape}", path="vectors")
    written = 0
    for start in range(0, len(uids), batch):
        rows = [{"uid": u, "vector": v.tolist()} for u, v in zip(uids[start:start + batch], vectors[start:start + batch])]
        written += db.write("vector/set_embeddings", rows=rows)[0]["written"]
    return written


def clear_embeddings(db: Database, batch: int = 10_000) -> int:
    total = 0
    while True:
        cleared = db.write("vector/clear_embeddings", batch=batch)[0]["cleared"]
        total += cleared
        if cleared == 0:
            return total


def wait_until_online(db: Database, timeout: float = 600.0) -> float:
    """Wait for the vector index to finish populating; returns the seconds waited."""
    t0 = time.perf_counter()
    while True:
        rows = db.read("vector/index_state")
        if not rows:
            raise GraphcatError("the vector index model_version_embedding does not exist; run graphcat migrate")
        if rows[0]["state"] == "ONLINE":
            return time.perf_counter() - t0
        if rows[0]["state"] == "FAILED":
            raise GraphcatError("the vector index model_version_embedding failed to populate (see the Neo4j log)")
        if time.perf_counter() - t0 > timeout:
            raise GraphcatError(f"the vector index model_version_embedding is still {rows[0]['state']} "
                                f"({rows[0]['populationPercent']:.0f}%) after {timeout:.0f} s")
        time.sleep(0.2)


def nearest_model_versions(db: Database, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The k nearest model versions (uid, cosine score mapped to [0, 1] by Neo4j), best first."""
    rows = db.read("vector/query_model_versions", k=k, vector=[float(x) for x in vector])
    return [(row["uid"], row["score"]) for row in rows]
