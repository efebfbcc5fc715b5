"""The question's concepts a release holds (index.search.concepts): grouping, weights and coverage on real
compiled BM25 arrays, and the reader and the second look reading them from a real index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.build.postings import compile_generation
from index.search import concepts
from index.search.concepts import NONE, Coverage
from index.search.glossary import Term
from index.search.query import analyze
from tests import index_base
from tests.index_base import EXTRA_FILES, HUAWEI_URL, BaseIndex, fts_table, make_settings
from tests.test_postings import ROWS  # real chunks: หัวเว่ย in 1, cloud in 1-2, policy in 2, งบประมาณ in 3

base_index = index_base.base_index  # the shared session fixture


@pytest.fixture(scope="module")
def postings():  # type: ignore[no-untyped-def]
    return compile_generation(fts_table(ROWS), 1)


def test_concepts_keep_known_rare_words_weighed_by_their_rarest(postings) -> None:  # type: ignore[no-untyped-def]
    ids = postings.term_ids
    found = concepts.concepts(
        [
            [{"หัวเว่ย"}, {"cloud"}],  # two ways of saying one thing
            [{"ไม่มีในดัชนี"}],  # a word the generation never saw: nothing can hold it
            [{"the", "และ"}],  # words in half the chunks or more tell nothing
            [
                {"งบประมาณ", "the"},
                {"งบประมาณ", "ไม่มีในดัชนี"},
            ],  # the common word goes, the unknown one drops its way
        ],
        postings,
    )
    assert [c.alternatives for c in found] == [
        ((ids["หัวเว่ย"],), (ids["cloud"],)),
        ((ids["งบประมาณ"],),),
    ]
    # Weighed by the rarer way (หัวเว่ย in one chunk, cloud in two).
    assert found[0].weight == pytest.approx(postings.idf(ids["หัวเว่ย"]))
    assert found[0].weight > postings.idf(ids["cloud"])


def test_a_word_an_update_removed_everywhere_holds_no_concept(postings) -> None:  # type: ignore[no-untyped-def]
    """After an update removes chunk 1, หัวเว่ย has no postings: its way of saying the concept is dropped, and
    the concept weighs what its other way weighs (not the largest idf a word with no chunks would get)."""
    updated = postings.updated([1], [])
    assert updated.doc_freq("หัวเว่ย") == 0
    assert concepts.concepts([[{"หัวเว่ย"}]], updated) == []
    (left,) = concepts.concepts([[{"หัวเว่ย"}, {"policy"}]], updated)
    assert left.alternatives == ((updated.term_ids["policy"],),)
    assert left.weight == pytest.approx(updated.idf(updated.term_ids["policy"]))


def test_coverage_per_release_anywhere_best_chunk_and_count(postings) -> None:  # type: ignore[no-untyped-def]
    found = concepts.concepts([[{"หัวเว่ย"}], [{"policy"}], [{"งบประมาณ"}]], postings)
    w_huawei, w_policy, w_budget = (c.weight for c in found)
    total = w_huawei + w_policy + w_budget
    got = concepts.coverage(postings, {"a": [1, 2], "b": [3], "none": [], "gone": [999]}, found)
    # Release a: หัวเว่ย in chunk 1, policy in chunk 2: both anywhere, the better single chunk holds one.
    assert got["a"].release == pytest.approx((w_huawei + w_policy) / total)
    assert got["a"].chunk == pytest.approx(max(w_huawei, w_policy) / total)
    assert got["a"].count == pytest.approx(2 / 3)
    # Its first chunk (the lead) holds หัวเว่ย only; it has two chunks.
    assert got["a"].lead == pytest.approx(w_huawei / total) and got["a"].chunks == 2
    b = got["b"]
    assert (b.release, b.chunk, b.count) == pytest.approx((w_budget / total, w_budget / total, 1 / 3))
    # No chunks, or chunk ids the generation does not hold: nothing covered, no chunks counted.
    assert got["none"] == NONE and got["gone"] == NONE
    # A question without concepts still says how long each release is.
    assert concepts.coverage(postings, {"a": [1, 2], "gone": [999]}, []) == {
        "a": Coverage(chunks=2),
        "gone": NONE,
    }


def test_a_way_of_saying_a_concept_needs_all_its_words_in_one_chunk(postings) -> None:  # type: ignore[no-untyped-def]
    # หัวเว่ย and cloud share chunk 1; หัวเว่ย and policy are in chunks 1 and 2 of one release, never together.
    together, apart = concepts.concepts([[{"หัวเว่ย", "cloud"}], [{"หัวเว่ย", "policy"}]], postings)
    got = concepts.coverage(postings, {"a": [1, 2]}, [together, apart])["a"]
    assert got.count == pytest.approx(0.5)
    assert got.release == pytest.approx(together.weight / (together.weight + apart.weight))


def test_english_groups_join_a_words_renderings_its_english_and_a_numbers_forms() -> None:
    info = analyze("Did the prime minister sign the Huawei MOU worth 10000 baht?")
    terms = [
        Term("นายกรัฐมนตรี", 0.9, "prime minister", "glossary"),
        Term("หัวเว่ย", 0.9, "huawei", "name"),
        Term("บันทึกความเข้าใจ", 0.4, "mou", "glossary"),
        Term("บันทึกข้อตกลงความร่วมมือ", 0.4, "mou", "glossary"),
    ]
    groups = [set(g) for g in concepts.question_groups(info, terms)]
    assert {
        frozenset({"นายกรัฐมนตรี"}),
        frozenset({"prime", "minister"}),
    } in groups  # a phrase's words together
    assert {frozenset({"หัวเว่ย"}), frozenset({"huawei"})} in groups
    mou = next(g for g in groups if frozenset({"mou"}) in g)
    assert frozenset({"บันทึก", "ความเข้าใจ"}) in mou and len(mou) == 3  # one concept, however many renderings
    assert {frozenset({"10000"}), frozenset({"10,000"})} in groups  # a number as releases write it
    assert not any(frozenset({"prime"}) in g or frozenset({"minister"}) in g for g in groups)
    # A Thai question: each distinct content word is its own concept; question words and particles are not.
    thai = concepts.question_groups(analyze("หัวเว่ย ลงนาม MOU เมื่อไหร่คะ หัวเว่ย"), [])
    assert thai == [[frozenset({"หัวเว่ย"})], [frozenset({"ลงนาม"})], [frozenset({"mou"})]]


def test_reader_and_second_look_read_coverage_from_a_real_index(base_index: BaseIndex) -> None:
    from index.search.rerank import FEATURES
    from index.search.retrieve import Searcher

    searcher = Searcher.open(make_settings(base_index.data_dir))
    hits, rows, lang = searcher.second_look_rows("When was the Huawei MOU signed?")
    assert lang == "en" and rows.shape == (len(hits), len(FEATURES))
    at = FEATURES.index("concepts_release")
    by_url = {h.url: row[at : at + 3] for h, row in zip(hits, rows, strict=True)}
    # The Huawei MOU release holds every concept of the question; no release holds more.
    assert np.allclose(by_url[HUAWEI_URL], 1.0)
    assert all(0.0 <= v <= 1.0 for row in by_url.values() for v in row)
    assert any(row[0] < 1.0 for row in by_url.values())  # others miss some
    # A question without concepts: nothing covered, but the release's length is known.
    (alone,) = searcher.reader.second_look_reads([], [HUAWEI_URL])[1].values()
    assert alone.release == alone.lead == 0.0
    assert alone.chunks == len(searcher.reader.release_chunks(HUAWEI_URL)) > 0


@pytest.mark.slow
def test_coverage_reads_the_generation_an_update_wrote(base_index: BaseIndex, tmp_path: Path) -> None:
    """A release added by an update (as the feed poller adds one) is read from the new generation's arrays:
    the concepts of its title are all in it, and its chunks are counted."""
    from corpus.sources import read_releases
    from index.search.reader import IndexReader

    settings, _ = base_index.clone_with_extra(tmp_path, EXTRA_FILES[1])
    (added,) = list(read_releases(tmp_path / "extra"))
    groups = [[frozenset({w})] for w in ("transition", "endemic", "phase")]
    reader = IndexReader.open(settings)
    try:
        _, got = reader.second_look_reads(groups, [added.url, HUAWEI_URL])
        assert got[added.url].release == pytest.approx(1.0) and got[added.url].lead == pytest.approx(1.0)
        assert got[added.url].chunks == len(reader.release_chunks(added.url)) > 0
        assert got[HUAWEI_URL].release < 1.0
    finally:
        reader.close()
