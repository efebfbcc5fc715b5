"""The search's second look (index.search.rerank): features, ordering, training, and its place in search,
on the real base index (real model, FAISS, SQLite)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from index.search import rerank
from index.search.periods import days_outside
from index.search.query import DateWindow
from index.search.rerank import FEATURES, Candidate, Look, Reranker, RerankModelError
from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401

QUESTIONS = [
    ("When was the Huawei MOU signed?", "en", "train"),
    ("ลงนาม MOU กับหัวเว่ยวันไหน", "th", "train"),
    ("Which company signed the cloud MOU with the digital ministry?", "en", "validation"),
    ("หัวเว่ยลงนามความร่วมมือกับกระทรวงอะไร", "th", "validation"),
]


def test_features_measure_each_release_against_the_question() -> None:
    q = np.array([1.0, 0.0])
    vectors = {"a": np.array([[0.0, 1.0], [1.0, 0.0]]), "b": np.array([[0.6, 0.8]])}
    lists = {"lexical": rerank.list_hits([(11, 4.0), (12, 8.0), (13, 2.0)], {11: "a", 12: "b", 13: "a"})}
    look = Look("en", q, None, frozenset({"huawei", "mou"}), frozenset(), lists)
    candidates = [Candidate("a", 2.0, "th", frozenset({"huawei"})), Candidate("b", 1.0, "en")]
    rows = rerank.features(candidates, vectors, look)
    assert rows.shape == (2, len(FEATURES))
    a, b = (dict(zip(FEATURES, row, strict=True)) for row in rows)
    assert a["score_share"] == 1.0 and b["score_share"] == 0.5  # fused score over the top one's
    assert a["cos_question"] == 1.0 and a["cos_first"] == 0.0  # best passage vs the first passage
    assert b["cos_question"] == pytest.approx(0.6) and b["gap_question"] == pytest.approx(-0.4)
    assert (a["same_language"], b["same_language"]) == (0.0, 1.0)  # the question's language
    assert a["cos_rendering"] == a["cos_question"]  # no rendering: the question's own vector stands in
    # The lexical list: b's chunk scored best (rank 1, share 1); a's best chunk is second, at half the score.
    assert (b["lexical_rank"], b["lexical_share"], b["lexical_score"]) == (1.0, 1.0, 8.0)
    assert (a["lexical_rank"], a["lexical_share"]) == (0.5, 0.5)
    assert a["dense_rank"] == 0.0  # in no dense list
    assert a["title_question"] == 0.5 and b["title_question"] == 0.0  # half the question's words in a's title
    assert (a["vectors_held"], b["vectors_held"]) == (2.0, 1.0)


def test_date_features_say_how_far_a_release_strays_from_the_named_dates() -> None:
    """A question naming December 2022: a release of that month is inside, one of 21 November three
    weeks out, an undated one and every release of a question naming no date get -1."""
    q = np.array([1.0, 0.0])
    december = DateWindow(dt.date(2022, 12, 1), dt.date(2022, 12, 31), "month", "December 2022")
    named = Look("en", q, dates=(december,))
    candidates = [
        Candidate("in", 1.0, "th", date=dt.date(2022, 12, 22)),
        Candidate("after", 1.0, "th", date=dt.date(2023, 1, 2)),  # reports it two days after: inside
        Candidate("before", 1.0, "th", date=dt.date(2022, 11, 10)),
        Candidate("undated", 1.0, "th"),
    ]
    rows = rerank.features(candidates, {}, named)
    col = {name: FEATURES.index(name) for name in ("date_named", "date_outside")}
    assert rows[:, col["date_named"]].tolist() == [1.0] * 4
    assert rows[:, col["date_outside"]].tolist() == pytest.approx([0.0, 0.0, np.log1p(21), -1.0])
    plain = rerank.features(candidates, {}, Look("en", q))
    assert plain[:, col["date_named"]].tolist() == [0.0] * 4
    assert plain[:, col["date_outside"]].tolist() == [-1.0] * 4


def test_days_outside_takes_the_nearest_named_window() -> None:
    may = DateWindow(dt.date(2025, 5, 1), dt.date(2025, 5, 31), "month")
    year = DateWindow(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "year")
    assert days_outside(dt.date(2025, 6, 10), [may, year]) == 10
    assert days_outside(dt.date(2022, 1, 2), [may, year]) == 0  # within three days after the year
    assert days_outside(dt.date(2020, 12, 1), [year]) == 31
    assert days_outside(None, [may]) is None and days_outside(dt.date(2025, 5, 2), []) is None


def _stump(feature: str, leaf: float) -> dict[str, object]:
    """A one-split tree: ``leaf`` when the feature is above 0.5, 0 otherwise."""
    node = {"split_feature": FEATURES.index(feature), "threshold": 0.5}
    node |= {"left_child": {"leaf_value": 0.0}, "right_child": {"leaf_value": leaf}}
    return {"tree_info": [{"tree_structure": node}]}


def test_order_follows_the_model_and_keeps_ties() -> None:
    spec = {"features": list(FEATURES), "models": {"en": {"trees": _stump("same_language", 5.0)}}}
    model = Reranker.from_spec(spec)
    rows = np.zeros((3, len(FEATURES)))
    rows[2, FEATURES.index("same_language")] = 1.0
    assert model.order(rows, "en") == [2, 0, 1]
    assert model.order(rows, "th") == [0, 1, 2]  # no model for the language: the fused order
    with pytest.raises(RerankModelError):
        Reranker.from_spec({"features": ["other"], "models": {}})
    with pytest.raises(RerankModelError):  # the logistic file this format replaced
        Reranker.from_spec({"features": list(FEATURES), "models": {"en": {"coef": [0.0], "intercept": 0.0}}})


def test_train_is_deterministic_and_search_uses_the_model(base_index: BaseIndex, tmp_path: Path) -> None:  # noqa: F811
    from index.search.rerank_training import collect, train, write
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    searcher = Searcher.open(settings)
    questions = [
        {"question": text, "lang": lang, "fold": fold, "gold_urls": [HUAWEI_URL]}
        for text, lang, fold in QUESTIONS
    ]
    examples = collect(searcher, questions)
    assert len(examples) == 4 and all(e.gold.any() for e in examples)
    spec = train(examples)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write(spec, first)
    write(train(collect(searcher, questions)), second)
    assert first.read_bytes() == second.read_bytes()
    assert set(json.loads(first.read_text())["models"]) == {"en", "th"}
    assert Reranker.load(first) is not None  # the written file serves

    # A model that puts English releases first re-orders an English question's fused top.
    searcher.reranker = None
    fused = [h.lang for h in searcher.search("Huawei MOU", k=5)]
    english_first = {"features": list(FEATURES), "models": {"en": {"trees": _stump("same_language", 50.0)}}}
    searcher.reranker = Reranker.from_spec(english_first)
    got = [h.lang for h in searcher.search("Huawei MOU", k=5)]
    assert sorted(got) == sorted(fused) and got == sorted(fused, key=lambda lang: lang != "en")


def test_train_command_runs_when_the_shipped_file_has_other_features(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Adding a feature makes the shipped file unreadable for search (it names other features); retraining it
    must still work, without RERANK=false."""
    from index.cli.rerank import _train

    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"features": list(FEATURES[:-1]), "models": {"en": {"trees": {}}}}))
    monkeypatch.setattr(Reranker.load.__func__, "__defaults__", (stale,))
    with pytest.raises(RerankModelError):
        Reranker.load()
    qa = tmp_path / "qa.jsonl"
    rows = [
        {"qid": f"q{i}", "question": text, "lang": lang, "fold": fold, "gold_urls": [HUAWEI_URL]}
        for i, (text, lang, fold) in enumerate(QUESTIONS)
    ]
    qa.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "rerank.json"
    args = argparse.Namespace(qa=[str(qa)], output=str(out))
    assert _train(args, make_settings(base_index.data_dir)) == 0
    assert Reranker.load(out) is not None
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["questions"] == 4


def test_reader_reads_the_fused_order_and_the_reply_lists_the_second_looks(base_index: BaseIndex) -> None:  # noqa: F811
    from index.answer import Answerer
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    searcher = Searcher.open(settings, reranker=None)
    searcher.reranker = None
    fused = searcher.search("Huawei MOU", k=5)
    assert searcher.search_views("Huawei MOU", k=5) == (fused, fused)  # no model: one order
    assert {h.lang for h in fused} == {"th", "en"} and fused[0].lang == "th"
    # A model that puts releases in the question's language first changes who leads.
    searcher.reranker = Reranker.from_spec(
        {"features": list(FEATURES), "models": {"en": {"trees": _stump("same_language", 50.0)}}}
    )
    read, shown = searcher.search_views("Huawei MOU", k=5)
    assert [h.url for h in read] == [h.url for h in fused]
    assert sorted(h.url for h in shown) == sorted(h.url for h in fused)
    assert [h.lang for h in shown] == sorted((h.lang for h in fused), key=lambda lang: lang != "en")
    assert searcher.search("Huawei MOU", k=5) == shown

    analysis = Answerer(searcher, settings).analyse("When was the Huawei MOU signed?")
    assert analysis is not None
    assert [h.url for h in analysis.hits] == [h.url for h in searcher.search_views(analysis.question, 10)[0]]
    reply = Answerer(searcher, settings).ask("When was the Huawei MOU signed?")
    # The answering (or, refused, the closest) release first, the others in the second look's order.
    listed = [s.url for s in reply.sources]
    others = [h.url for h in analysis.shown if h.url != listed[0]]
    assert len(listed) > 1 and listed[1:] == others[: len(listed) - 1]
