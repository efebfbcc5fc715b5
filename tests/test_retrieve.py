"""Retrieval: fusion arithmetic, glossary translation, and the right release for Thai and English questions
over a tiny real index (five small releases of ../shared/corpus/sample plus the seed, real e5 model)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from index.search.fusion import rrf
from index.search.glossary import Glossary, default_glossary
from index.search.names import phonetic, skeleton
from index.search.query import DateWindow
from index.search.ranking import Ranker
from index.search.retrieve import Searcher
from thaigov_qa.settings import Settings

U = "https://www.thaigov.go.th/news/contents/details/"

SAMPLE_FILES = [
    "data/2022/11/05/ด้านเศรษฐกิจ_2001_8732e9a8-d7f7-4591-81c8-03f1b76d62a5.txt",  # 48808 GH Bank SMS warning
    "data/2023/09/05/ด้านเศรษฐกิจ_25_b8745301-f747-451c-85a6-db0537ed63bc.txt",  # 71956 rural road, Surin
    "data/2022/11/05/ด้านความมั่นคง_795_2808eab6-a431-4ee2-8c13-5719276b602d.txt",  # 52172 Ukraine evacuees
    "data/2024/10/18/ทัน LINE ไทยคู่ฟ้า _1_d6e26a5b-4884-4602-9746-783629b13b18.txt",  # 89259 disabled jobs
    "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt",  # 66096 English, IP
]


def test_rrf_counts_distinct_releases_and_weights() -> None:
    a = [("u1", 1), ("u1", 2), ("u2", 3)]  # u1's second chunk must not push u2 to rank 3
    b = [("u2", 3), ("u3", 4)]
    rel, chunk = rrf([(1.0, a), (2.0, b)], k=10)
    assert rel["u1"] == pytest.approx(1 / 11)
    assert rel["u2"] == pytest.approx(1 / 12 + 2 / 11)
    assert rel["u3"] == pytest.approx(2 / 12)
    assert chunk[3] == pytest.approx(1 / 13 + 2 / 11)
    assert max(rel, key=rel.__getitem__) == "u2"


def test_phonetic_keys_tolerate_romanisation_variants() -> None:
    # English spellings vs royin output of the same Thai names.
    assert skeleton("Supamas") == skeleton("supmat")
    assert skeleton("Varawut") == skeleton("wrawut")
    assert skeleton("Chidchob") == skeleton("chitchop")
    assert phonetic("Roi Et") == phonetic("roiet")


def test_glossary_translates_government_vocabulary_and_names() -> None:
    g = default_glossary()
    if not g.entries:
        pytest.skip("no mined glossary shipped")
    thai = {t.thai for t in g.translate("cabinet minister")}
    assert thai & {"คณะรัฐมนตรี", "ครม", "รัฐมนตรี"}
    small = Glossary({"cabinet": [("ครม", 0.9)]}, [("ศุภมาส", "supmat", 40), ("ชัยภูมิ", "chaiyaphum", 90)])
    terms = {t.thai: t.kind for t in small.translate("The cabinet met Supamas in Chaiyaphum")}
    assert terms == {"ครม": "glossary", "ศุภมาส": "name", "ชัยภูมิ": "name"}
    # Name matches are cached per word (retrieval and the answer step ask for the same ones); callers get
    # copies, so changing one cannot change the next answer.
    first = small.match_name("chaiyaphum")
    first.append(("x", 0.0))
    assert small.match_name("chaiyaphum") == [("ชัยภูมิ", 1.0)]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, shared_dir: Path, model_path: Path):
    from index.build.pipeline import build_index

    root = tmp_path_factory.mktemp("retrieve")
    src = root / "src"
    src.mkdir()
    for rel in SAMPLE_FILES:
        shutil.copy(sample_dir / rel, src / Path(rel).name)
    shutil.copy(shared_dir / "corpus" / "seed" / "76362.txt", src / "76362.txt")
    settings = Settings(data_dir=root / "var", embedding_model=str(model_path), _env_file=None)
    build_index(settings, str(src), progress=False)
    return Searcher.open(settings)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "release"),
    [
        ("ธอส. เตือนประชาชนอย่าหลงเชื่อ SMS ชวนกู้เงิน", "48808"),
        ("แรงงานไทยที่อพยพจากยูเครนเดินทางถึงสุวรรณภูมิกี่คน", "52172"),
        ("Which company will the government work with on cloud and AI?", "76362"),
        ("Which Surin rural road was under maintenance?", "71956"),
        ("How many disabled people found jobs through the ministry's partnership?", "89259"),
        ("intellectual property applications 2020-2022", "66096"),
    ],
)
def test_right_release_first(searcher: Searcher, question: str, release: str) -> None:
    hits = searcher.search(question, k=3)
    assert hits, question
    assert hits[0].url == U + release, [(h.release_id, h.title[:40]) for h in hits]
    assert hits[0].passages and hits[0].passages[0].text
    assert hits[0].date and hits[0].title


@pytest.mark.slow
def test_dates_in_the_question_boost_releases_of_that_time(searcher: Searcher) -> None:
    q = "government news"
    plain = {h.url: h.score for h in searcher.search(q, k=6, mode="fusion")}
    dated = {h.url: h.score for h in searcher.search(q + " December 2023", k=6)}
    seed = U + "76362"  # published 19 December 2023
    assert seed in dated
    assert max(dated, key=dated.__getitem__) == seed or dated[seed] > plain.get(seed, 0)
    # "latest" counts from the newest release in the index, not from today.
    info = searcher.analyze("the latest news from yesterday", today=dt.date(2030, 1, 1))
    assert info.latest and info.dates[0].start == dt.date(2024, 10, 17)


@pytest.mark.slow
def test_modes_and_bad_mode(searcher: Searcher) -> None:
    for mode in ("bm25", "dense", "fusion", "hybrid"):
        hits = searcher.search("หัวเว่ย คลาวด์", k=2, mode=mode)
        assert len({h.url for h in hits}) == len(hits) <= 2
    with pytest.raises(ValueError, match="unknown search mode"):
        searcher.search("x", mode="magic")
    assert searcher.search("   ") == []


def test_periods_pick_the_crowded_days_and_months_and_their_chunks() -> None:
    """A named day or month, widened to when its reports come out, scopes a search only when it holds more
    releases than one list holds; its chunks are picked by their release's publication day."""
    import numpy as np

    from index.search.periods import AFTER_DAYS, BEFORE_DAYS, Periods
    from index.search.query import day_of

    a, b, c = day_of("2024-06-11"), day_of("2024-06-25"), day_of("2024-09-01")
    ids = np.array([1, 2, 5, 9, 7])
    periods = Periods(
        ids, np.array([a, a, b, c, day_of("")], dtype=np.int32), np.array([a, b, c, 0], np.int32)
    )
    day = DateWindow(dt.date(2024, 6, 11), dt.date(2024, 6, 11), "day")
    widened = (day.start.toordinal() - BEFORE_DAYS, day.end.toordinal() + AFTER_DAYS)
    assert periods.crowded([day], more_than=1) == [widened]  # the releases of a and b
    assert periods.crowded([day], more_than=2) == []  # a small index: no second search
    year = DateWindow(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "year")
    assert periods.crowded([year], more_than=0) == []  # a year is too wide to tell look-alikes apart
    hits = [(9, 3.0), (5, 2.0), (7, 1.5), (1, 1.0), (2, 0.5), (99, 0.1)]  # 7: no date; 99: unknown chunk
    assert periods.within(hits, [widened], n=2) == [(5, 2.0), (1, 1.0)]
    assert periods.within(hits, [widened], n=0) == []


@pytest.mark.slow
def test_a_crowded_named_period_gets_lists_of_its_own(searcher: Searcher, monkeypatch) -> None:  # noqa: ANN001
    """Over an index whose named period holds more releases than a list holds, every list that reads the
    question is read again within that period, and those lists (of that period's chunks) join the fusion;
    where the period is not crowded the lists are exactly those of a search that knows no periods."""
    import dataclasses

    from index.search import periods

    seen: list[list[tuple[float, list[tuple[int, float]]]]] = []
    fuse = Ranker._fuse

    def recording(self, info, lists, k, url_of, use_dates):  # noqa: ANN001, ANN202
        seen.append(lists)
        return fuse(self, info, lists, k, url_of, use_dates)

    monkeypatch.setattr(Ranker, "_fuse", recording)
    # The fixture has a release a month at most: widen "March 2023" to the year's end (66096 of March,
    # 71956 of September, the seed of December) so that it holds more than a one-chunk list.
    monkeypatch.setattr(periods, "AFTER_DAYS", 280)
    question = "What did the government announce in March 2023?"
    searcher.search(question, k=3)  # the fixture's pool (100 chunks) is more than the period holds
    monkeypatch.setattr(periods, "KINDS", ())  # a search that knows no periods
    searcher.search(question, k=3)
    assert seen[0] == seen[1]
    monkeypatch.setattr(periods, "KINDS", ("day", "month"))
    tight = Searcher(
        searcher.reader, searcher.settings, weights=dataclasses.replace(searcher.weights, pool=1)
    )
    [window] = tight._ranker.crowded_periods(tight.analyze(question))
    assert tight.search(question, k=3)
    plain, scoped = seen[2][: len(seen[0])], seen[2][len(seen[0]) :]
    assert len(scoped) == len(plain) == 3  # BM25 of the rendering, dense of the question and of the rendering
    days = tight._ranker.periods_of_generation()
    for weight, lst in scoped:
        assert weight == tight.weights.date_scoped and len(lst) == 1
        assert all(window[0] <= int(days._day[cid]) <= window[1] for cid, _ in lst)
    # A new generation gets its own days: the cached ones are for the generation they were built for.
    monkeypatch.setattr(type(tight.reader), "generation", property(lambda self: -1))
    assert tight._ranker.periods_of_generation() is not days


def test_an_english_question_is_rendered_once_for_its_search_and_its_answer(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer step reads the rendering the search made moments before (kept for recent questions)."""
    glossary = searcher._ranker.glossary
    calls: list[str] = []
    translate = glossary.translate

    def counted(text: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - glossary.translate's own
        calls.append(text)
        return translate(text, *args, **kwargs)

    monkeypatch.setattr(glossary, "translate", counted)
    question = "How many flood victims did the ministry help in Surin this week?"
    searcher.search(question, k=3)
    first = searcher.translation(searcher.analyze(question))
    assert calls == [question] and first, "the search rendered it; the answer step reused that"
    assert searcher.translation(searcher.analyze(question)) == first
    searcher.search("A different English question about rice prices", k=3)
    assert len(calls) == 2
