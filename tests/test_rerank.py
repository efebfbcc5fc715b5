"""The search's second look (index.search.rerank): features, ordering, training, and its place in search,
on the real base index (real model, FAISS, SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.search import rerank
from index.search.rerank import FEATURES, Candidate, Reranker, RerankModelError
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
    rows = rerank.features([Candidate("a", 2.0, "th"), Candidate("b", 1.0, "en")], vectors, q, None, "en")
    assert rows.shape == (2, len(FEATURES))
    a, b = rows
    assert a[0] == 1.0 and b[0] == 0.5  # fused score over the top one's
    assert a[2] == 1.0 and a[7] == 0.0  # best passage vs the first passage
    assert b[2] == pytest.approx(0.6) and b[4] == pytest.approx(-0.4)  # gap to the best release
    assert (a[6], b[6]) == (0.0, 1.0)  # the question's language
    assert a[3] == a[2]  # no rendering: the question's own vector stands in


def test_order_follows_the_model_and_keeps_ties() -> None:
    spec = {"features": list(FEATURES), "models": {"en": {"coef": [0, 0, 0, 0, 0, 0, 5, 0], "intercept": 0}}}
    model = Reranker.from_spec(spec)
    rows = np.zeros((3, len(FEATURES)))
    rows[2, 6] = 1.0
    assert model.order(rows, "en") == [2, 0, 1]
    assert model.order(rows, "th") == [0, 1, 2]  # no model for the language: the fused order
    with pytest.raises(RerankModelError):
        Reranker.from_spec({"features": ["other"], "models": {}})


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

    # A model that puts English releases first re-orders an English question's fused top.
    searcher.reranker = None
    fused = [h.lang for h in searcher.search("Huawei MOU", k=5)]
    english_first = {
        "features": list(FEATURES),
        "models": {"en": {"coef": [0] * 6 + [50, 0], "intercept": 0}},
    }
    searcher.reranker = Reranker.from_spec(english_first)
    got = [h.lang for h in searcher.search("Huawei MOU", k=5)]
    assert sorted(got) == sorted(fused) and got == sorted(fused, key=lambda lang: lang != "en")
