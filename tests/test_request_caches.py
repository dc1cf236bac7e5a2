"""Per-request work kept between requests (issue 20, bench/http_latency.py): recent rankings and
query vectors in the catalog index, the full-text query run beside the embedding ranking, and the
encoder's thread setting. On the real Neo4j and the real encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.encoder import Encoder
from graphcat.catalog.importer import import_documents
from graphcat.errors import InvalidSetting
from graphcat.service import recommend, search, vector_index
from graphcat.service.recent import Recent
from graphcat.settings import Settings
from graphcat.store.database import Database, count_queries
from graphcat.userschema import SchemaFeature
from tests.test_recommend import DIJET_COLUMNS, dijet_model, dijet_version
from tests.test_recommend import isolated  # noqa: F401  (the fixture: an index folder of its own)


def test_recent_keeps_the_most_recently_used() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # "a" is now the most recent
    recent.put("c", 3)
    assert recent.get("b") is None and recent.get("a") == 1 and recent.get("c") == 3
    assert len(recent) == 2


def answer(result: recommend.RecommendResult) -> list[tuple[str, float, tuple[str, ...]]]:
    return [(r.model_version.id, r.score, r.explanation) for r in result.recommendations]


def test_a_repeated_ranking_equals_a_fresh_one_and_follows_writes(isolated: Database) -> None:
    columns = [SchemaFeature(c["name"], "float32", (), unit=c["unit"]) for c in DIJET_COLUMNS]
    first = recommend.recommend(isolated, columns, first=5)
    again = recommend.recommend(isolated, columns, first=5)
    assert answer(again) == answer(first)
    # A process with nothing cached ranks the same.
    fresh = vector_index.CatalogIndex(isolated.settings)
    ranked, _ = fresh.recommend(isolated, recommend.columns_from_schema(columns), task=None, k=5)
    assert [(r.model_id, r.score) for r in ranked] == [(r.model_version.id, r.score) for r in first.recommendations]
    # Another writer adds a model that fits these columns: the kept ranking is not served.
    import_documents(isolated, [("dijet", {"graphcat_catalog": 1,
                                           "models": [{"id": "dijet", **dijet_model(), "versions": [dijet_version()]}]})])
    after = recommend.recommend(isolated, columns, first=5)
    assert after.recommendations[0].model_version.id == "dijet@1.0.0"
    assert answer(after) != answer(first)


def test_search_counts_the_full_text_query_run_beside_the_embedding_ranking(isolated: Database) -> None:
    search.search(isolated, "top tagger")  # loads the index (its own queries)
    with count_queries() as box:
        found = search.search(isolated, "top tagger")
    # revision probe, full text (in the worker thread), the hits' rows
    assert box[0] == 3
    assert found.hits[0].uid.startswith(("model:deepsets-top", "model_version:deepsets-top"))
    assert set(found.hits[0].sources) == {"fulltext", "embedding"}


def test_thread_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="threads"):
        Encoder(threads=0)
    with pytest.raises(InvalidSetting, match="GRAPHCAT_EMBEDDING_THREADS"):
        Settings.from_env({"GRAPHCAT_EMBEDDING_THREADS": "0"}, env_file=tmp_path / "none")
    assert Settings.from_env({}, env_file=tmp_path / "none").embedding_backend == "onnx"
