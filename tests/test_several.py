"""Several answering releases: the other-release model's pieces (values two releases can share, the
listing rule, the spec round trip) and its wiring into the reply over the real base index."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from index.answer.several_model import MAX_OTHERS, OTHER_FEATURES, OtherModel, fit, listed
from index.answer.span_values import Span
from index.answer.values import value_key
from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401


def test_values_two_releases_can_share() -> None:
    day = dt.date(2023, 12, 18)
    assert value_key(Span(0, 5, "18 ธ.ค. 2566", "date", date=day)) == value_key(
        Span(0, 5, "18 December 2023", "date", date=day)
    )
    assert (
        value_key(Span(0, 5, "1,234 คน", "number"))
        == value_key(Span(0, 5, "1234 people", "number"))
        == "1234"
    )
    assert value_key(Span(0, 5, "Huawei  Technologies", "org")) == "huawei  technologies"
    assert value_key(None) is None


def test_the_spec_round_trip_folds_the_scaling_in_and_refuses_other_features() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(OTHER_FEATURES))) * 5 + 3
    y = (x[:, OTHER_FEATURES.index("same_value")] > 3).astype(float)
    spec = fit(x, y, threshold=0.4)
    model = OtherModel.from_spec(spec)
    assert model is not None and model.threshold == 0.4
    p = model.probabilities(x)
    assert ((p > 0.5) == (y > 0.5)).mean() > 0.9, "the raw-input coefficients reproduce the fitted model"
    assert OtherModel.from_spec({**spec, "features": ["x"]}) is None and OtherModel.from_spec(None) is None


def test_a_reply_lists_the_most_probable_others_from_the_threshold_up() -> None:
    assert listed(np.asarray([0.2, 0.9, 0.5, 0.7]), 0.4) == [1, 3][:MAX_OTHERS]
    assert listed(np.asarray([0.2, 0.3]), 0.4) == []


@pytest.mark.slow
def test_the_model_file_entry_decides_which_releases_are_listed(base_index: BaseIndex) -> None:  # noqa: F811
    from index.answer import Answerer
    from index.answer.model import ReaderModel, shipped_model
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    searcher = Searcher.open(settings)

    def answers(intercept: float) -> list[str]:
        several = {"features": list(OTHER_FEATURES), "coef": [0.0] * len(OTHER_FEATURES)}
        model = ReaderModel(
            {**shipped_model().spec, "several": {**several, "intercept": intercept, "threshold": 0.5}}
        )
        reply = Answerer(searcher, settings, model=model).ask("When was the Huawei MOU signed?")
        assert reply.found and reply.sources[0].url == HUAWEI_URL
        listed = [a.url for a in reply.answers]
        assert [s.url for s in reply.sources[: len(listed)]] == listed, "the answering releases link first"
        return listed

    assert answers(-40.0) == [HUAWEI_URL], "no other release is likely enough: the shown one alone"
    listed_all = answers(40.0)
    assert listed_all[0] == HUAWEI_URL and 1 < len(listed_all) <= 1 + MAX_OTHERS
    assert len(set(listed_all)) == len(listed_all), "one entry per release"


def test_links_list_the_answering_releases_after_the_lead() -> None:
    """A reply that says several releases answer links them right after its own (stop 35): what a reader of
    ``ask --json`` takes from ``sources[:3]`` then agrees with the reply's text; the rest keep their order."""
    from index.answer.evidence import sources
    from index.search.hits import ReleaseHit

    def hit(n: int) -> ReleaseHit:
        url = f"https://www.thaigov.go.th/news/contents/details/{n}"
        return ReleaseHit(url, str(n), f"title {n}", "2024-01-0" + str(n), "", "th", 1.0 / n, [])

    hits = [hit(n) for n in range(1, 8)]
    urls = [s.url for s in sources(hits, hits[2].url, [hits[5].url, hits[4].url])]
    assert urls == [hits[i].url for i in (2, 5, 4, 0, 1, 3, 6)]
    assert [s.url for s in sources(hits, hits[2].url)] == [hits[i].url for i in (2, 0, 1, 3, 4, 5, 6)]
    assert [s.url for s in sources(hits, None)] == [h.url for h in hits]


def test_a_latest_refusal_lists_the_newest_of_the_read_releases_first() -> None:
    from index.answer import Source
    from index.answer.evidence import newest_first

    def src(n: int, date: str) -> Source:
        return Source(f"https://www.thaigov.go.th/news/contents/details/{n}", f"r{n}", date, "", 1.0)

    listed = [src(1, "2021-06-30"), src(2, "2025-01-02"), src(3, "2023-06-20"), src(4, "2024-06-18")]
    read = {listed[0].url, listed[2].url, listed[3].url}  # the reader did not read the 2nd (the newest)
    assert [s.url[-1] for s in newest_first(listed, read)] == ["4", "3", "1", "2"]
    same_day = [src(5, "2024-06-18"), src(6, "2024-06-18")]
    assert newest_first(same_day, {s.url for s in same_day}) == same_day  # ties keep the relevance order
