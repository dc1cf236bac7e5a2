"""Search fused from Neo4j full text and embeddings, against the real Neo4j and the real encoder.

Lucene syntax in user text, Cypher-looking text, reciprocal rank fusion order, the similarity
cut-off, facets over the fused set, and meaning found where words differ (demo catalog).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from graphcat.catalog.importer import import_documents, import_files
from graphcat.errors import InvalidInput
from graphcat.service import search
from graphcat.service.fulltext_query import escape, lucene_query
from graphcat.service.fusion import RRF_K, reciprocal_rank_fusion
from graphcat.store import search as store
from graphcat.store.database import Database
from tests.web_catalog import small_catalog

DEMO = Path(__file__).resolve().parents[1] / "graphcat" / "demo" / "hep-catalog.yaml"
LUCENE_SPECIALS = ['+', '-', '&&', '||', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '\\', '/']


@pytest.fixture()
def small(db: Database) -> Database:
    import_documents(db, [("small", small_catalog())])
    return db


def uids(result: search.SearchResult) -> list[str]:
    return [h.uid for h in result.hits]


# -- reciprocal rank fusion ----------------------------------------------------------------------


def test_rrf_puts_what_both_rankings_found_above_what_one_found() -> None:
    fused = reciprocal_rank_fusion({"fulltext": ["a", "b", "c"], "embedding": ["c", "d"]})
    # b and d are both second in one ranking: a tie, kept in order of first appearance.
    assert [f.uid for f in fused] == ["c", "a", "b", "d"]
    assert fused[0].sources == ("fulltext", "embedding")
    assert fused[0].score == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused[1].score == pytest.approx(1 / (RRF_K + 1))


def test_fused_search_ranks_hits_of_both_rankings_first(small: Database) -> None:
    result = search.search(small, "jet classifier", first=100)
    both = [h for h in result.hits if set(h.sources) == {"fulltext", "embedding"}]
    one = [h for h in result.hits if len(h.sources) == 1]
    assert both and one, [(h.uid, h.sources) for h in result.hits]
    assert min(h.score for h in both) > max(h.score for h in one)
    assert result.hits[0].uid == "model:jetclassifier"
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


# -- Lucene syntax and Cypher-looking text ---------------------------------------------------------


def test_escape_backslashes_every_lucene_special_character() -> None:
    assert escape('pT > 500 && "b-tag') == 'pT > 500 \\&\\& \\"b\\-tag'
    assert escape("a:b/c") == "a\\:b\\/c"
    assert lucene_query("&& || !") is None  # nothing that could match: no full-text query at all
    assert lucene_query("AND OR NOT") == "+(and^3 and*^2 *and*) +(or^3 or*^2) +(not^3 not*^2 *not*)"


@pytest.mark.parametrize("text", ['pT > 500 && "b-tag', *LUCENE_SPECIALS, " ".join(LUCENE_SPECIALS),
                                  "".join(LUCENE_SPECIALS) + "tag", 'tag* ~2 title:x "unclosed', "AND", "OR NOT (",
                                  "b\\", "[1 TO 5}", "/regex.*/", "x^", "a~0.5"])
def test_lucene_syntax_in_the_text_never_fails(small: Database, text: str) -> None:
    result = search.search(small, text, first=100)  # a Lucene parse error would raise here
    assert result.total == len(result.hits)


def test_escaped_text_still_finds_its_words(small: Database) -> None:
    result = search.search(small, 'pT > 500 && "b-tag', kinds=["task"])
    assert "task:b-tagging" in uids(result)
    query = lucene_query('"b-tag')
    assert query is not None
    assert "task:b-tagging" in [uid for uid, _ in store.fulltext(small, query, ["task"], 10)]


@pytest.mark.parametrize("text", ["'}) MATCH (n) DETACH DELETE n //", '" OR 1=1 RETURN n //',
                                  "x' }) CREATE (:Catalog {uid: 'pwned'}) //", "$kinds", "${query}"])
def test_cypher_looking_text_is_just_text(small: Database, text: str) -> None:
    before = Counter(h.kind for h in search.search(small, "", first=1000).hits)
    result = search.search(small, text, first=100)
    assert all(h.uid != "pwned" for h in result.hits)
    assert Counter(h.kind for h in search.search(small, "", first=1000).hits) == before


def test_overlong_text_is_refused_naming_the_argument(small: Database) -> None:
    with pytest.raises(InvalidInput) as err:
        search.search(small, "x" * (search.MAX_TEXT_CHARS + 1))
    assert err.value.path == "text"


# -- the similarity cut-off ------------------------------------------------------------------------


def test_nonsense_finds_nothing_because_of_the_cut_off(small: Database) -> None:
    assert search.search(small, "no such thing anywhere").total == 0
    # Without the cut-off the same text gets embedding neighbours: the cut-off is what drops them.
    no_cutoff = Database(dataclasses.replace(small.settings, search_min_similarity=-1.0))
    try:
        loose = search.search(no_cutoff, "no such thing anywhere")
    finally:
        no_cutoff.close()
    assert loose.total > 0
    assert all(h.sources == ("embedding",) for h in loose.hits)


def test_embedding_matches_respect_the_cut_off(small: Database) -> None:
    similar = search.embedding_ranking(small, "boosted decision trees", ("model_version", "model"))
    assert similar, "the BDT card should be near its own description"
    assert all(s >= small.settings.search_min_similarity for _, s in similar)
    by_uid = dict(similar)
    # A family takes its best version's similarity.
    assert by_uid["model:btagger-bdt"] == by_uid["model_version:btagger-bdt@0.9.0"]


# -- facets over the fused result set -----------------------------------------------------------------


def test_facets_count_the_fused_hits_and_filters_narrow_them(small: Database) -> None:
    result = search.search(small, "jet", first=100)
    expected = Counter(v for h in result.hits for v in h.facets["framework"])
    assert {c.value: c.count for c in result.facets["framework"]} == dict(expected)
    assert expected["xgboost"] >= 1 and expected["pytorch"] >= 1
    narrowed = search.search(small, "jet", filters={"framework": "xgboost"}, first=100)
    assert narrowed.hits and all("xgboost" in h.facets["framework"] for h in narrowed.hits)
    assert narrowed.total < result.total
    # The framework facet still counts every framework (its own filter is not applied to it).
    assert {c.value: c.count for c in narrowed.facets["framework"]} == dict(expected)


def test_kinds_filter_applies_to_both_rankings(small: Database) -> None:
    result = search.search(small, "b-tagging", kinds=["task"], first=100)
    assert result.hits and {h.kind for h in result.hits} == {"task"}


# -- meaning: the embedding finds what the words do not ------------------------------------------------


def test_synonyms_find_top_taggers_described_with_pt(db: Database) -> None:
    import_files(db, [DEMO])
    text = "transverse momentum top tagger"
    # Full text alone cannot: no card says "transverse momentum" together with these words.
    query = lucene_query(text)
    assert query is not None and store.fulltext(db, query, list(search.SEARCHABLE_KINDS), 50) == []
    result = search.search(db, text, kinds=["model_version"], first=5)
    top = [h for h in result.hits if "top-tagging" in h.facets["task"]]
    assert len(top) >= 3, [(h.uid, h.facets["task"]) for h in result.hits]
    assert result.hits[0] in top
    assert all("embedding" in h.sources for h in result.hits)
    facet_tasks = {c.value for c in result.facets["task"]}
    assert "top-tagging" in facet_tasks
