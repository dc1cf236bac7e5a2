"""The index file on disk damaged or deleted: detected when loaded, rebuilt, never a wrong answer.

Every single-byte change, every truncation point and foreign files are tried against the loader;
each either raises IndexCorrupt/IndexStale or loads the very same ids and vectors (a byte that
carries no information, such as the separator after the checksum). Then start-up
(embeddings.lifecycle.ensure_index, with the documents read back from Neo4j) rebuilds the damaged
file and answers searches exactly as an index built from scratch.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import Encoder
from embeddings.errors import IndexCorrupt, IndexMissing, IndexStale
from embeddings.index import VectorIndex
from embeddings.lifecycle import build_index, ensure_index, fingerprint
from embeddings.schema import catalog_from_dicts
from graphcat.catalog.exporter import export_document
from graphcat.catalog.importer import import_files
from graphcat.service import vector_index
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.reliability_support import Cases, cases  # noqa: F401  (fixture)

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.reliability("Faults", "index file: every byte flipped, every truncation, foreign files")
def test_every_damage_is_detected_or_harmless(tmp_path: Path, cases: Cases) -> None:
    keys = [f"model:m{i}@1" for i in range(40)]
    vectors = _unit(40, 16, 1)
    index = VectorIndex(16)
    index.upsert(keys, vectors)
    path = tmp_path / "catalog.gcvi"
    index.save(path, "state-1")
    original = path.read_bytes()
    damaged = tmp_path / "damaged.gcvi"
    outcomes = {"detected": 0, "harmless": 0}

    def check(data: bytes) -> None:
        damaged.write_bytes(data)
        try:
            loaded = VectorIndex.load(damaged, "state-1")
        except (IndexCorrupt, IndexStale):
            outcomes["detected"] += 1
        else:
            assert loaded.ids == index.ids
            assert all(np.array_equal(loaded.vector(k), index.vector(k)) for k in keys)
            outcomes["harmless"] += 1
        cases.add()

    step = max(1, len(original) // 400)
    for pos in range(0, len(original), step):
        flipped = bytearray(original)
        flipped[pos] ^= 0x41
        check(bytes(flipped))
    for cut in range(0, len(original), max(1, len(original) // 60)):
        check(original[:cut])
    check(b"")
    check(b"GCVI1\n" + b"0" * 64 + b"\n" + bytes(200))
    check(np.random.default_rng(0).bytes(len(original)))
    other = VectorIndex(16)
    other.upsert(["model:other@1"], _unit(1, 16, 2))
    other.save(damaged, "state-2")  # intact, but built for another catalog state
    with pytest.raises(IndexStale):
        VectorIndex.load(damaged, "state-1")
    damaged.unlink()
    with pytest.raises(IndexMissing):
        VectorIndex.load(damaged, "state-1")
    cases.add(2)
    cases.note(f"{outcomes['detected']} detected, {outcomes['harmless']} harmless (no information in the byte)")
    assert outcomes["detected"] > 0.95 * sum(outcomes.values())


@pytest.mark.reliability("Faults", "index file damaged or deleted before start-up: rebuilt from Neo4j")
def test_start_up_rebuilds_a_damaged_index_and_answers_like_a_fresh_one(db: Database, tmp_path: Path,
                                                                        cases: Cases) -> None:
    import_files(db, [SMALL])
    documents = catalog_from_dicts([export_document(db)]).documents
    encoder = Encoder()
    fresh = build_index(documents, encoder)
    queries = encoder.encode(["jet tagging graph network", "calorimeter shower", "top quark"])
    expected = [fresh.search(q, 5) for q in queries]
    path = tmp_path / "catalog.gcvi"
    assert ensure_index(path, documents, encoder).status == "built:missing"
    good = path.read_bytes()
    damages = {
        "built:corrupt": [good[: len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b""],
        "built:missing": [None],
    }
    for status, variants in damages.items():
        for data in variants:
            if data is None:
                path.unlink()
            else:
                path.write_bytes(data)
            ensured = ensure_index(path, documents, encoder)
            assert ensured.status == status
            assert ensured.index.ids == sorted(d.id for d in documents)
            got = [ensured.index.search(q, 5) for q in queries]
            assert [[k for k, _ in r] for r in got] == [[k for k, _ in r] for r in expected]
            # The rebuilt file is whole: the next start-up loads it.
            assert ensure_index(path, documents, encoder).status == "loaded"
            cases.add()
    assert VectorIndex.read_fingerprint(path) == fingerprint(documents, encoder)


@pytest.mark.reliability("Faults", "graphcat's own index file (service.vector_index) damaged or deleted: start-up rebuilds")
def test_graphcat_index_is_rebuilt_at_start_up_when_damaged(db: Database, neo4j_server: Settings, tmp_path: Path,
                                                            cases: Cases) -> None:
    settings = dataclasses.replace(neo4j_server, index_dir=str(tmp_path / "index"))
    import_files(db, [SMALL])
    encoder = Encoder()
    assert vector_index.CatalogIndex(settings, encoder).ensure(db) == "built:missing"
    path = vector_index.index_path(settings)
    truth = sorted(d.id for d in vector_index.read_catalog(db, encoder).view.documents)
    good = path.read_bytes()
    damages: list[tuple[str, bytes | None, set[str]]] = [
        ("truncated", good[: len(good) // 3], {"built:corrupt"}),
        ("last byte flipped", good[:-1] + bytes([good[-1] ^ 0xFF]), {"built:corrupt"}),
        ("empty", b"", {"built:corrupt"}),
        ("deleted", None, {"built:missing"}),
    ]
    for label, data, expected in damages:
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        status = vector_index.CatalogIndex(settings, encoder).ensure(db)  # a new process's start-up
        assert status in expected, (label, status)
        assert VectorIndex.load(path, None).ids == truth, label
        assert vector_index.CatalogIndex(settings, encoder).ensure(db) == "loaded", label
        cases.add()
    # A whole file from another catalog state (stale) is brought up to date, never served as it is.
    other = VectorIndex(encoder.dim)
    other.upsert(["model:ghost@1"], encoder.encode(["ghost"]))
    other.save(path, "sha256:another-state")
    assert vector_index.CatalogIndex(settings, encoder).ensure(db).startswith(("built:", "updated:"))
    assert VectorIndex.load(path, None).ids == truth
    cases.add()
