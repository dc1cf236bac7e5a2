"""Issue 20, latency: the encoder's bounded cache of recent texts, ranking side by side under a
shared lock, and a recommendation's one round trip (its versions read with the revision token).
On the real Neo4j and the real encoder."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import Encoder
from graphcat.catalog.importer import import_documents
from graphcat.service import recommend, vector_index
from graphcat.service.recent import SharedLock
from graphcat.store.catalog import nodes_at_revision
from graphcat.store.database import Database, count_queries
from graphcat.store.index_state import catalog_revision
from graphcat.userschema import SchemaFeature
from tests.test_recommend import DIJET_COLUMNS, dijet_model, dijet_version
from tests.test_recommend import isolated  # noqa: F401  (the fixture: an index folder of its own)

COLUMNS = [SchemaFeature(c["name"], "float32", (), unit=c["unit"]) for c in DIJET_COLUMNS]


def _dijet(version: str = "1.0.0") -> tuple[str, dict[str, object]]:
    return ("dijet", {"graphcat_catalog": 1,
                      "models": [{"id": "dijet", **dijet_model(), "versions": [{**dijet_version(), "version": version}]}]})


def test_the_encoder_cache_is_bounded_and_gives_what_encoding_gives(db: Database) -> None:
    cached = Encoder(backend="onnx", cache_dir=Path(db.settings.encoder_dir), cache_size=3)
    plain = Encoder(backend="onnx", cache_dir=Path(db.settings.encoder_dir), cache_size=0)
    texts = ["jet pt", "muon eta", "calorimeter cells", "track hits", "jet pt"]
    for text in texts:
        assert float(cached.encode_one(text) @ plain.encode_one(text)) > 0.99999
    assert cached.cached_texts == 3 and plain.cached_texts == 0
    # A batch mixing cached and new texts (and a repeat) keeps the callers' order.
    batch = cached.encode(["new one", "jet pt", "new one"])
    assert np.allclose(batch, plain.encode(["new one", "jet pt", "new one"]), atol=1e-5)
    assert cached.cached_texts == 3
    # What a caller does to its answer never reaches the cache.
    batch[:] = 0
    assert float(np.linalg.norm(cached.encode_one("jet pt"))) == pytest.approx(1.0, abs=1e-5)
    # Larger calls (an index build) go around the cache.
    cached.encode([f"text {i}" for i in range(cached.batch_size + 1)])
    assert cached.cached_texts == 3
    with pytest.raises(ValueError, match="cache_size"):
        Encoder(cache_size=-1)


def test_the_shared_lock_lets_readers_in_together_and_a_writer_alone() -> None:
    lock = SharedLock()
    both_in = threading.Barrier(2, timeout=10)

    def reader() -> None:
        with lock.shared():
            both_in.wait()  # times out (BrokenBarrierError) unless two readers hold it at once

    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(reader), pool.submit(reader)]:
            f.result()
    events: list[str] = []
    with lock.exclusive():
        with lock.exclusive(), lock.shared():  # the writer may re-enter, and read
            events.append("writer")
        t = threading.Thread(target=lambda: lock.shared().__enter__() or events.append("reader"))
        t.start()
        time.sleep(0.2)
        assert events == ["writer"]  # the reader waits for the writer
    t.join(5)
    assert events == ["writer", "reader"]


def test_a_recommendation_is_one_round_trip_and_reranks_when_the_token_moved(isolated: Database) -> None:
    recommend.recommend(isolated, COLUMNS, first=5)  # loads the index
    with count_queries() as box:
        first = recommend.recommend(isolated, COLUMNS, first=5)
    assert box[0] == 1  # the versions and the revision token together; no probe before ranking
    # Another process's index (nothing cached, not told of writes) after another writer's import.
    other = vector_index.CatalogIndex(isolated.settings)
    other.recommend(isolated, recommend.columns_from_schema(COLUMNS), task=None, k=5)
    import_documents(isolated, [_dijet()])
    tokens: list[str | None] = []

    def read(ranking: list[object]) -> tuple[str | None, list[str]]:
        token, _ = nodes_at_revision(isolated, [])
        tokens.append(token)
        return token, [r.model_id for r in ranking]  # type: ignore[attr-defined]

    ranked, state, ids = other.recommend_read(isolated, recommend.columns_from_schema(COLUMNS), task=None, k=5,
                                             events=None, read=read)
    assert len(tokens) == 2  # the first ranking was of the old index: refreshed, ranked again
    assert ids[0] == "dijet@1.0.0" and [r.model_id for r in ranked] == ids
    assert state == other.fingerprint_value and tokens[-1] == catalog_revision(isolated)
    assert [r.model_version.id for r in first.recommendations] != ids


def test_rankings_side_by_side_with_writes_see_one_consistent_index(isolated: Database) -> None:
    index = vector_index.shared(isolated.settings)
    columns = recommend.columns_from_schema(COLUMNS)
    recommend.recommend(isolated, COLUMNS, first=5)
    stop = threading.Event()
    answers: list[tuple[str, tuple[str, ...]]] = []

    def rank() -> None:
        while not stop.is_set():
            ranked, state = index.recommend(isolated, columns, task=None, k=5)
            answers.append((state, tuple(r.model_id for r in ranked)))

    with ThreadPoolExecutor(3) as pool:
        running = [pool.submit(rank) for _ in range(3)]
        for i in range(3):  # writes through graphcat: each refreshes the shared index (exclusively)
            import_documents(isolated, [_dijet(f"1.0.{i}")])
        stop.set()
        for f in running:
            f.result()
    # Every state that answered ranked as a fresh index of the final catalog does, or as an
    # earlier state did: one ranking per fingerprint (never a mix of two states).
    per_state: dict[str, set[tuple[str, ...]]] = {}
    for state, ids in answers:
        per_state.setdefault(state, set()).add(ids)
    assert answers and all(len(rankings) == 1 for rankings in per_state.values())
    fresh = vector_index.CatalogIndex(isolated.settings)
    final, final_state = fresh.recommend(isolated, columns, task=None, k=5)
    assert index.recommend(isolated, columns, task=None, k=5)[1] == final_state
    assert per_state.get(final_state, {tuple(r.model_id for r in final)}) == {tuple(r.model_id for r in final)}
    assert "dijet@1.0.2" in {r.model_id for r in final}
