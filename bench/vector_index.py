"""FAISS (the recommender's index) against Neo4j's native vector index, on the same embeddings.

Run by `python -m bench` on the catalog bench.import_rate loaded: every model version gets an
embedding of its text (model name, description, inputs; all-MiniLM-L6-v2, 384 dimensions). Up to
--max-encode distinct texts are encoded for real; beyond that a version re-uses an encoded vector
plus small Gaussian noise (re-normalised), as bench/recommend_search.py does — so large sizes
hold clusters of near-duplicates, which is what version families look like and is hard for an
approximate index. Queries: held-out encoded texts with noise. Ground truth: exact top-10 by
brute-force numpy (inner product of normalised vectors = cosine). Both indexes answer the same
queries in one run: recall@10 against the exact top-10, latency p50 / p95 (FAISS in process;
Neo4j over Bolt, round trip included) and build time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.common import ROOT, p50_p95, table, timed_ms
from bench.synthetic import Manifest
from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from graphcat.store import vectors as neo4j_vectors
from graphcat.store.database import Database

K = 10


def model_version_texts(folder: Path, manifest: Manifest) -> tuple[list[str], list[str]]:
    uids, texts = [], []
    for name in manifest.files:
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        for m in doc.get("models") or []:
            for v in m["versions"]:
                uids.append(f"model_version:{m['id']}@{v['version']}")
                inputs = ", ".join(f["name"] for f in v.get("inputs") or [])
                texts.append(f"{m['name']}. {v.get('description') or m.get('description') or ''}. "
                             f"tasks: {', '.join(m.get('tasks') or [])}. inputs: {inputs}")
    return uids, texts


def encoder() -> Encoder:
    return Encoder(backend="onnx", cache_dir=ROOT / ".graphcat" / "embeddings-cache")


def embed(enc: Encoder, texts: list[str], max_encode: int, seed: int = 0) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    distinct = list(dict.fromkeys(texts))[:max_encode]
    pool = dict(zip(distinct, enc.encode(distinct)))
    pooled = np.stack(list(pool.values()))
    out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
    for i, text in enumerate(texts):
        if text in pool:
            out[i] = pool[text]
        else:
            v = pooled[i % len(pooled)] + rng.normal(scale=0.02, size=pooled.shape[1]).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
    return out, len(pool)


def run(db: Database, folder: Path, manifest: Manifest, enc: Encoder, max_encode: int = 2_000,
        queries: int = 200, seed: int = 0) -> dict[str, Any]:
    uids, texts = model_version_texts(folder, manifest)
    # One query at a time on a shared 2-core machine: FAISS's OpenMP threads only contend
    # (ad hoc, 10k random vectors: p95 56 ms with the default threads, 7.6 ms with one).
    faiss.omp_set_num_threads(1)
    t0 = time.perf_counter()
    vecs, encoded = embed(enc, texts, max_encode, seed)
    t_embed = time.perf_counter() - t0
    rng = np.random.default_rng(seed + 1)
    picks = rng.choice(len(uids), size=queries, replace=False)
    q = vecs[picks] + rng.normal(scale=0.05, size=(queries, vecs.shape[1])).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    # Exact ground truth.
    exact = [set(np.array(uids)[np.argsort(-(vecs @ qi))[:K]]) for qi in q]

    t1 = time.perf_counter()
    faiss_index = VectorIndex(vecs.shape[1])
    faiss_index.upsert(uids, vecs)
    faiss_build = time.perf_counter() - t1
    faiss_times, faiss_hits = [], 0
    for qi, truth in zip(q, exact):
        ms, found = timed_ms(lambda: faiss_index.search(qi, K))
        faiss_times.append(ms)
        faiss_hits += len(truth & {u for u, _ in found})

    t2 = time.perf_counter()
    neo4j_vectors.clear_embeddings(db)
    neo4j_vectors.set_embeddings(db, uids, vecs)
    t_write = time.perf_counter() - t2
    t_populate = neo4j_vectors.wait_until_online(db)
    neo4j_vectors.nearest_model_versions(db, q[0], K)  # plan cache warm
    neo4j_times, neo4j_hits = [], 0
    for qi, truth in zip(q, exact):
        ms, found = timed_ms(lambda: neo4j_vectors.nearest_model_versions(db, qi, K))
        neo4j_times.append(ms)
        neo4j_hits += len(truth & {u for u, _ in found})
    return {
        "vectors": len(uids), "encoded": encoded, "embed s": t_embed, "queries": queries,
        "faiss": {"recall": faiss_hits / (K * queries), "lat": p50_p95(faiss_times), "build s": faiss_build},
        "neo4j": {"recall": neo4j_hits / (K * queries), "lat": p50_p95(neo4j_times), "build s": t_write + t_populate,
                  "write s": t_write},
    }


def render(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        for name, label in (("faiss", "FAISS IndexFlatIP (exact, in process, 1 thread)"), ("neo4j", "Neo4j vector index (HNSW, over Bolt)")):
            x = r[name]
            out.append([f"{r['vectors']:,} ({r['encoded']:,} encoded)", label, f"{x['recall']:.3f}", f"{x['lat'][0]:.2f}",
                        f"{x['lat'][1]:.2f}", f"{x['build s']:.1f}"])
    return table(["model versions (really encoded)", "index", f"recall@{K} vs exact", "p50 ms", "p95 ms", "build s"], out)
