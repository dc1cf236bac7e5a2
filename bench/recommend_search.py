"""Recommend and search latency, index build time and memory at 1k / 10k / 100k model versions.

    .venv/bin/python -m bench.recommend_search [--sizes 1000 10000 100000] [--queries 200]

A synthetic catalog generator makes plausible HEP model versions (particle-level taggers with
30..150 constituents or variable length, jet-level DNNs, calorimeter generators with 368..40500
voxels, event classifiers, tracking GNNs) with random subsets of inputs and templated
descriptions. File parsing is excluded: queries are already column lists.

Encoding cost: every distinct model text up to --max-encode (2k) is encoded for real (ONNX
backend, batch 64) and timed; beyond that, vectors are re-used from the encoded pool with a small
perturbation and the encoding part of the build time is extrapolated from the measured throughput
(marked "extrapolated"). Search and recommend always run against a full-size index.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np

from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from embeddings.ranker import MODEL_PREFIX, Recommender
from embeddings.schema import Column, ModelCard
from embeddings.text import model_card_text, schema_text

PART = ["part_px", "part_py", "part_pz", "part_energy", "part_pt", "part_eta", "part_phi", "part_deta",
        "part_dphi", "part_logptrel", "part_logerel", "part_charge", "part_pid", "part_d0val", "part_dzval",
        "part_isElectron", "part_isMuon", "part_isPhoton"]
JET = ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "jet_energy", "jet_tau21", "jet_tau32", "jet_msd",
       "jet_btag", "jet_nconst", "jet_d2", "jet_c2"]
EVENT = ["lep_pt", "lep_eta", "lep_phi", "met", "met_phi", "ht", "njets", "nbjets", "jet1_pt", "jet2_pt",
         "jet3_pt", "jet4_pt", "mjj", "mbb", "mT"]
HITS = ["hit_x", "hit_y", "hit_z", "hit_r", "hit_phi", "hit_layer", "hit_energy"]
VOXELS = [368, 533, 6480, 40500]
PARTICLES: list[int | None] = [30, 50, 64, 100, 128, 150, None]
FAMILIES = ["particle", "jet", "calo", "event", "tracking"]
SYNONYMS = {"part_pt": "PT", "part_eta": "Eta", "part_phi": "Phi", "part_energy": "E", "part_pid": "pdgId",
            "jet_pt": "Jet_pT", "jet_mass": "jet_m", "jet_btag": "jet_btagDeepB", "met": "MET"}
WORDS = ["graph", "transformer", "deep sets", "boosted", "flow", "diffusion", "attention", "lorentz",
         "equivariant", "quantised", "FPGA", "fast", "robust", "calibrated", "domain adapted"]


def synthetic_cards(n: int, seed: int = 0) -> list[ModelCard]:
    rng = random.Random(seed)
    cards = []
    for i in range(n):
        family = FAMILIES[i % len(FAMILIES)]
        words = " ".join(rng.sample(WORDS, 3))
        if family == "particle":
            size = rng.choice(PARTICLES)
            inputs = [Column(c, shape=(size,)) for c in rng.sample(PART, rng.randint(4, 12))]
            desc, task = f"{words} jet tagger on up to {size or 'all'} constituents", "jet-tagging"
        elif family == "jet":
            inputs = [Column(c) for c in rng.sample(JET, rng.randint(3, 10))]
            desc, task = f"{words} network on jet substructure observables", rng.choice(["jet-tagging", "b-tagging"])
        elif family == "calo":
            voxels = rng.choice(VOXELS)
            inputs = [Column("energy", shape=(voxels,)), Column("incident_energy")]
            desc, task = f"{words} generative model for {voxels}-voxel calorimeter showers", "fast-simulation"
        elif family == "event":
            inputs = [Column(c, "int32" if c.startswith("n") else "float32") for c in rng.sample(EVENT, rng.randint(4, 12))]
            desc, task = f"{words} event classifier for ttH and ttbar", "event-classification"
        else:
            inputs = [Column(c, shape=(None,)) for c in rng.sample(HITS, rng.randint(3, 7))]
            desc, task = f"{words} graph network for track finding", "tracking"
        cards.append(ModelCard(id=f"synthetic-{family}-{i}@1.{i % 7}.0", name=f"{family} model {i}",
                               description=desc, tasks=(task,), inputs=tuple(inputs)))
    return cards


def synthetic_queries(cards: list[ModelCard], n: int, seed: int = 1) -> list[list[Column]]:
    """User schemas derived from random models: renamed by synonyms, plus a few unrelated columns."""
    rng = random.Random(seed)
    queries = []
    for card in rng.sample(cards, n):
        cols = [Column(SYNONYMS.get(c.name, c.name), c.dtype, (None,) if c.shape == (100,) else c.shape)
                for c in card.inputs]
        cols += [Column("run", "int64"), Column("event", "int64"), Column("weight")]
        rng.shuffle(cols)
        queries.append(cols)
    return queries


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(fn: Callable[[int], object], n: int) -> tuple[float, float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def run(size: int, encoder: Encoder, pool: dict[str, np.ndarray], max_encode: int, n_queries: int,
        pool_throughput: list[float]) -> dict[str, object]:
    gc.collect()
    rss0 = rss_mib()
    t0 = time.perf_counter()
    cards = synthetic_cards(size)
    texts = [model_card_text(c) for c in cards]
    t_cards = time.perf_counter() - t0
    todo = [t for t in dict.fromkeys(texts[:max_encode]) if t not in pool]
    t1 = time.perf_counter()
    if todo:
        pool.update(zip(todo, encoder.encode(todo)))
    t_encode = time.perf_counter() - t1
    if todo:  # measured on this size's new texts; later sizes re-use the first measurement
        pool_throughput.append(len(todo) / t_encode)
    throughput = pool_throughput[0]
    rng = np.random.default_rng(0)
    pooled = list(pool.values())
    vectors = np.empty((size, encoder.dim), dtype=np.float32)
    for i, text in enumerate(texts):
        if text in pool:
            vectors[i] = pool[text]
        else:  # beyond --max-encode: a perturbed neighbour of an encoded text
            v = pooled[i % len(pooled)] + rng.normal(scale=0.02, size=encoder.dim).astype(np.float32)
            vectors[i] = v / np.linalg.norm(v)
    t2 = time.perf_counter()
    index = VectorIndex(encoder.dim)
    index.upsert([MODEL_PREFIX + c.id for c in cards], vectors)
    t_faiss = time.perf_counter() - t2
    ranker = Recommender(encoder, index, {c.id: c for c in cards})
    rss1 = rss_mib()
    extrapolated = size > max_encode
    encode_total = size / throughput

    queries = synthetic_queries(cards, n_queries)
    qtexts = [schema_text(q) for q in queries]
    qvecs = encoder.encode(qtexts)
    ranker.recommend(queries[0])  # warm caches (selector, name memo) as a running server would have
    row = {
        "models": size,
        "build_s": t_cards + encode_total + t_faiss,
        "encode_s": encode_total,
        "extrapolated": extrapolated,
        "faiss_add_s": t_faiss,
        "rss_mib": rss1 - rss0,
        "encode_q": percentiles(lambda i: encoder.encode([qtexts[i]]), n_queries),
        "faiss_q": percentiles(lambda i: index.search(qvecs[i], 100, prefix=MODEL_PREFIX), n_queries),
        "search": percentiles(lambda i: ranker.search(qtexts[i], k=10), n_queries),
        "rescore": percentiles(lambda i: ranker.recommend_vector(qvecs[i], queries[i], k=10), n_queries),
        "recommend": percentiles(lambda i: ranker.recommend(queries[i], k=10), n_queries),
    }
    del ranker, index, vectors, cards
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recommend_search", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--max-encode", type=int, default=2000)
    parser.add_argument("--backend", choices=["torch", "onnx"], default="onnx")
    args = parser.parse_args(argv)
    encoder = Encoder(backend=args.backend, cache_dir=Path(".graphcat") / "embeddings-cache")
    encoder.encode(["warm up"])
    pool: dict[str, np.ndarray] = {}
    throughput: list[float] = []
    rows = [run(size, encoder, pool, args.max_encode, args.queries, throughput) for size in args.sizes]
    print(f"backend={args.backend}, {args.queries} queries per size, candidates=100, k=10; times in ms (p50 / p95)")
    header = ["models", "build s", "of which encode s", "FAISS add s", "RSS Δ MiB", "encode query",
              "FAISS top-100", "search (encode+FAISS)", "rescore 100", "recommend (all)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        cells = [f"{r['models']:,}", f"{r['build_s']:.1f}",
                 f"{r['encode_s']:.1f}{' (extrapolated)' if r['extrapolated'] else ''}",
                 f"{r['faiss_add_s']:.2f}", f"{r['rss_mib']:.0f}"]
        for key in ("encode_q", "faiss_q", "search", "rescore", "recommend"):
            p50, p95 = r[key]  # type: ignore[misc]
            cells.append(f"{p50:.1f} / {p95:.1f}")
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
