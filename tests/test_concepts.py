"""The question's concepts a release holds (index.search.concepts): grouping, weights and coverage on real
compiled BM25 arrays, and the reader and the second look reading them from a real index."""

from __future__ import annotations

import numpy as np
import pytest

from index.build.postings import compile_generation
from index.search import concepts
from index.search.concepts import NONE, Coverage
from index.search.glossary import Term
from index.search.query import analyze
from tests import index_base
from tests.index_base import HUAWEI_URL, BaseIndex, fts_table, make_settings
from tests.test_postings import ROWS  # real chunks: หัวเว่ย in 1, cloud in 1-2, policy in 2, งบประมาณ in 3

base_index = index_base.base_index  # the shared session fixture


@pytest.fixture(scope="module")
def postings():  # type: ignore[no-untyped-def]
    return compile_generation(fts_table(ROWS), 1)


def test_concepts_keep_known_words_weighed_by_their_rarest_term(postings) -> None:  # type: ignore[no-untyped-def]
    found = concepts.concepts([{"หัวเว่ย", "cloud"}, {"ไม่มีในดัชนี"}, {"the", "และ"}, {"งบประมาณ"}], postings)
    # The unknown word's group and the group of words in every chunk are left out.
    assert len(found) == 2
    huawei_or_cloud, budget = found
    ids = {postings.term_ids[t] for t in ("หัวเว่ย", "cloud")}
    assert set(huawei_or_cloud.terms) == ids
    # Weighed by the rarer of the two (หัวเว่ย in one chunk, cloud in two).
    assert huawei_or_cloud.weight == pytest.approx(postings.idf(postings.term_ids["หัวเว่ย"]))
    assert huawei_or_cloud.weight > postings.idf(postings.term_ids["cloud"])
    assert budget.weight == pytest.approx(postings.idf(postings.term_ids["งบประมาณ"]))


def test_coverage_per_release_anywhere_best_chunk_and_count(postings) -> None:  # type: ignore[no-untyped-def]
    found = concepts.concepts([{"หัวเว่ย"}, {"policy"}, {"งบประมาณ"}], postings)
    w_huawei, w_policy, w_budget = (c.weight for c in found)
    total = w_huawei + w_policy + w_budget
    got = concepts.coverage(postings, {"a": [1, 2], "b": [3], "none": [], "gone": [999]}, found)
    # Release a: หัวเว่ย in chunk 1, policy in chunk 2: both anywhere, the better single chunk holds one.
    assert got["a"].release == pytest.approx((w_huawei + w_policy) / total)
    assert got["a"].chunk == pytest.approx(max(w_huawei, w_policy) / total)
    assert got["a"].count == pytest.approx(2 / 3)
    b = got["b"]
    assert (b.release, b.chunk, b.count) == pytest.approx((w_budget / total, w_budget / total, 1 / 3))
    # No chunks, or chunk ids the generation does not hold: nothing covered.
    assert got["none"] == NONE and got["gone"] == Coverage(0.0, 0.0, 0.0)
    assert concepts.coverage(postings, {"a": [1]}, []) == {"a": NONE}


def test_english_groups_join_a_words_renderings_its_latin_form_and_a_numbers_forms() -> None:
    info = analyze("Did Huawei sign the MOU worth 10000 baht?")
    terms = [
        Term("หัวเว่ย", 0.9, "huawei", "name"),
        Term("บันทึกความเข้าใจ", 0.4, "mou", "glossary"),
        Term("บันทึกข้อตกลงความร่วมมือ", 0.4, "mou", "glossary"),
    ]
    groups = concepts.question_groups(info, terms)
    huawei = next(g for g in groups if "หัวเว่ย" in g)
    mou = next(g for g in groups if "mou" in g)
    assert huawei == {"หัวเว่ย", "huawei"}
    assert {"บันทึก", "ความเข้าใจ", "ข้อตกลง", "ความร่วมมือ"} <= mou  # one concept, however many renderings
    assert {"10000", "10,000"} in groups  # a number as releases write it
    # A Thai question: each distinct word is its own concept.
    thai = concepts.question_groups(analyze("หัวเว่ย ลงนาม MOU หัวเว่ย"), [])
    assert thai == [{"หัวเว่ย"}, {"ลงนาม"}, {"mou"}]


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
    assert searcher.reader.coverage([], [HUAWEI_URL]) == {HUAWEI_URL: NONE}  # a question without concepts
