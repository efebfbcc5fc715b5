"""Extractive answers over a tiny real index (a few small releases of ../shared/corpus/sample, real model).

The index is the session's shared base index (tests/index_base.py), so it is embedded once for all tests.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from index.reply import quoted, render_html, texts
from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401
from thaigov_qa.errors import UserError
from thaigov_qa.markup import escape_html

pytestmark = pytest.mark.slow

IP_URL = "https://www.thaigov.go.th/news/contents/details/66096"
MERIT_URL = "https://www.thaigov.go.th/news/contents/details/91934"
GBDI_URL = "https://www.thaigov.go.th/news/contents/details/38225"
JSON_KEYS = [
    "question",
    "lang",
    "found",
    "answer",
    "evidence",
    "presentation",
    "probability",
    "sources",
    "ms",
]
CLI_KEYS = [*JSON_KEYS, "reply"]


def _body(url: str, answerer) -> str:  # noqa: ANN001
    release = answerer.searcher.release(url)
    assert release is not None
    return release.body


def test_english_when_question_quotes_the_release_and_bolds_only_a_date(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("When was the Huawei MOU signed?")
    assert a.found and a.lang == "en" and a.presentation in ("asserted", "hedged")
    assert a.sources[0].url == HUAWEI_URL
    assert a.evidence and len(a.evidence) <= 400
    assert a.evidence in _body(HUAWEI_URL, answerer)  # quoted verbatim
    if (
        a.answer is not None
    ):  # a bold answer only when the span model trusts it, and then a date in both calendars
        assert "December 2023" in a.answer and "ธ.ค. 2566" in a.answer
    html = render_html(a)
    assert f'href="{HUAWEI_URL}"' in html and "<blockquote>" in html


def test_thai_count_question(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("ความร่วมมือระหว่างรัฐบาลกับหัวเว่ยเรื่องคลาวด์และ AI ครอบคลุมกี่ด้าน")
    assert a.lang == "th" and a.sources[0].url == HUAWEI_URL
    assert a.answer in (None, "4 ด้าน")
    assert texts("th")["sources" if a.found else "closest"] in render_html(a)


def test_count_picks_the_number_of_the_thing_asked(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("ทำบุญขึ้นปีใหม่ 2568 ที่ทำเนียบรัฐบาล ตักบาตรพระสงฆ์กี่รูป")
    assert a.found and a.sources[0].url == MERIT_URL
    assert a.answer in (None, "68 รูป") and "68 รูป" in a.evidence
    assert a.evidence in _body(MERIT_URL, answerer)


def test_who_question_weighs_the_titled_name(answerer) -> None:  # noqa: ANN001
    # The chair's sentence competes with the release's other named people (with the whole pool of the
    # passages' sentences the model ranks it second, a close call): the reply quotes the right release
    # verbatim, and a bold name is only ever the chair's.
    question = "ใครเป็นประธานในพิธีลงนามความร่วมมือระหว่าง GBDi กับไปรษณีย์ไทย"
    a = answerer.ask(question)
    assert a.found and a.sources[0].url == GBDI_URL
    assert a.evidence and a.evidence in _body(GBDI_URL, answerer)
    assert a.answer in (None, "นางสาวอัจฉรินทร์ พัฒนพันธ์ชัย")
    analysis = answerer.analyse(question)
    assert analysis is not None
    chair = [i for i, c in enumerate(analysis.candidates) if "นางสาวอัจฉรินทร์ พัฒนพันธ์ชัย" in c.text]
    assert chair and chair[0] in answerer.model.scores(analysis.features).argsort()[::-1][:3].tolist()


def test_every_sentence_of_the_matching_passages_competes(answerer) -> None:  # noqa: ANN001
    # Not only the 3 lexically best sentences of each release: an answering sentence that shares few of
    # the question's words (an English question meets a Thai sentence only through what it can translate)
    # still reaches the model, up to the cap for the longest releases.
    from index.answer.answerer import SPAN_CANDIDATES

    question = "ใครเป็นประธานในพิธีลงนามความร่วมมือระหว่าง GBDi กับไปรษณีย์ไทย"
    analysis = answerer.analyse(question)
    assert analysis is not None
    built = answerer.builder.build(analysis.hits)
    assert len(analysis.candidates) == min(len(built), SPAN_CANDIDATES) > 15
    assert len(analysis.features) == len(analysis.candidates)


def test_english_release_answers_english_question(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("How many intellectual property applications were recorded in 2022?")
    assert a.found and a.sources[0].url == IP_URL
    assert "60,082" in (a.answer or "") + a.evidence
    assert texts("en")["quoted_th"] not in render_html(a)  # English evidence for an English question


def test_english_question_meets_the_thai_sentence_through_its_words(answerer) -> None:  # noqa: ANN001
    # Only the Thai release says it: the English words meet its Thai sentences through their Thai phrases
    # (glossary renderings: cooperation → ความร่วมมือ, cloud → คลาวด์) and the names written alike (Huawei, AI).
    question = "How many areas does the government's cooperation with Huawei on cloud and AI cover?"
    hits = answerer.searcher.search(question, k=10)
    assert hits[0].url == HUAWEI_URL
    words = answerer._question_words(question, "en")
    candidates = answerer.builder.build(hits)
    answerer.builder.measure(candidates, hits, words, "en")
    thai = [c for c in candidates if c.url == HUAWEI_URL and c.found]
    assert any({"cooperation", "cloud"} & c.found for c in thai), "Thai words matched through renderings"
    assert any("4 ด้าน" in c.text and "ai" in c.found for c in thai), "the answering sentence is a candidate"


def test_english_dates_are_matched_the_thai_way() -> None:
    from index.answer.crosslingual import date_phrases as _date_phrases
    from index.answer.crosslingual import translatable as _translatable

    assert _date_phrases("february") == ["กุมภาพันธ์", "ก.พ."]
    assert _date_phrases("Dec") == ["ธันวาคม", "ธ.ค."]
    assert _date_phrases("2025") == ["2568"]  # Buddhist era
    assert _date_phrases("decade") == [] and _date_phrases("123") == []
    # Words a Thai sentence can hold: those with a Thai phrase, names and numbers; not the rest.
    q = "How many beds did Siriraj hospital add in 2024?"
    words = {"beds": 2.0, "siriraj": 2.0, "hospital": 2.0, "add": 1.5, "2024": 2.0}
    assert set(_translatable(q, words, {"hospital": ["โรงพยาบาล"], "2024": ["2567"]})) == {
        "siriraj",
        "hospital",
        "2024",
    }


@pytest.mark.parametrize(
    "question", ["What is the recipe for green curry with chicken?", "สูตรแกงเขียวหวานไก่ใส่อะไรบ้าง"]
)
def test_unrelated_question_is_refused_with_closest_releases(answerer, question: str) -> None:  # noqa: ANN001
    a = answerer.ask(question)
    assert not a.found
    assert a.answer is None and a.evidence is None
    assert a.sources, "the closest releases are listed"
    assert texts(a.lang)["not_found"] in render_html(a) and "<a href=" in render_html(a)


def test_a_refusal_lists_each_release_with_a_verbatim_snippet(answerer) -> None:  # noqa: ANN001
    from index.answer.snippets import SNIPPET_CHARS

    a = answerer.ask("What is the recipe for green curry with chicken?")
    assert not a.found
    shown = a.sources[:3]
    assert all(s.snippet for s in shown)
    for s in shown:
        assert len(s.snippet) <= SNIPPET_CHARS + 2
        body = " ".join(_body(s.url, answerer).split())
        assert s.snippet.strip("…") in body  # the release's own words, only cut
        assert s.to_json()["snippet"] == s.snippet
    assert f"“{escape_html(quoted(shown[0].snippet, a.lang))}”" in render_html(a)


def test_a_latest_refusal_lists_the_releases_the_reader_read_newest_first(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("What is the latest number of countries whose citizens get visa-free entry now?")
    assert not a.found
    analysis = answerer.analyse(a.question)
    read = {c.url for c in analysis.candidates}
    lead = [s for s in a.sources if s.url in read]
    assert lead and a.sources[: len(lead)] == lead  # the releases the reader read come first
    assert [s.date for s in lead] == sorted((s.date for s in lead), reverse=True)


def test_json_has_exactly_the_contract_keys(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("When was the Huawei MOU signed?")
    data = json.loads(json.dumps(a.to_json(), ensure_ascii=False))
    assert list(data) == JSON_KEYS
    assert data["question"] == "When was the Huawei MOU signed?"
    assert 1 <= len(data["sources"]) <= 10
    assert set(data["sources"][0]) == {"url", "title", "date", "passage", "score", "snippet"}
    assert data["sources"][0]["date"] == "2023-12-19"
    if a.found:  # one entry per answering release; the first is the top-level answer
        first = a.answers[0]
        assert first.url == data["sources"][0]["url"] and first.evidence == data["evidence"]
        assert set(first.to_json()) == {"answer", "evidence", "url", "title", "date"} and len(a.answers) <= 3
    else:
        assert a.answers == []
    assert data["ms"] > 0


def _args(**kw: object) -> argparse.Namespace:
    return argparse.Namespace(**kw)


def test_ask_command_json_and_stdin_batch(
    base_index: BaseIndex,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index.cli.ask import _ask

    settings = make_settings(base_index.data_dir)
    assert _ask(_args(question=["When", "was", "the", "Huawei", "MOU", "signed?"], json=True), settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == CLI_KEYS and out["found"] and out["sources"][0]["url"] == HUAWEI_URL

    monkeypatch.setattr(
        "sys.stdin", io.StringIO("When was the Huawei MOU signed?\n\nสูตรแกงเขียวหวานไก่ใส่อะไรบ้าง\n")
    )
    assert _ask(_args(question=[], json=True), settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # one line out per line in (issue 17): the blank one gets an error
    first, blank, second = (json.loads(line) for line in lines)
    assert blank == {"error": "empty question", "line": 2}
    assert first["found"] and not second["found"] and second["lang"] == "th"


def test_chat_loop_renders_plain_text(answerer) -> None:  # noqa: ANN001
    from index.cli.ask import chat_loop

    out = io.StringIO()
    chat_loop(answerer, stdin=io.StringIO("When was the Huawei MOU signed?\n/quit\nnot asked\n"), stdout=out)
    text = out.getvalue()
    assert HUAWEI_URL in text and "<b>" not in text

    # A question that starts with "quit" or "exit" is a question; a bare "exit" ends the chat.
    def chat(lines: str) -> str:
        out = io.StringIO()
        chat_loop(answerer, stdin=io.StringIO(lines), stdout=out)
        return out.getvalue()

    assert "unknown language 'xx'" in chat("/lang xx\n") and "(/lang th" in chat("/lang\n")
    asked = chat("Exit polls on the Huawei MOU?\n")
    assert "thaigov.go.th" in asked
    assert chat("Exit polls on the Huawei MOU?\nexit\nWhen was the Huawei MOU signed?\n") == asked


def test_no_index_is_a_one_line_user_error(tmp_path: Path) -> None:
    from index.cli.ask import _ask

    with pytest.raises(UserError) as err:
        _ask(_args(question=["anything"], json=False), make_settings(tmp_path / "empty"))
    assert "index build" in str(err.value) and "\n" not in str(err.value)


def test_llm_answer_and_fallback_over_the_real_index(base_index: BaseIndex) -> None:  # noqa: F811
    """The LLM path end to end: it writes from the extractive answer's sources; a slow one is dropped."""
    import threading

    from index.answer import Answerer
    from index.search.retrieve import Searcher
    from tests.test_llm import ChatServer

    srv = ChatServer()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        settings = make_settings(
            base_index.data_dir,
            llm_base_url=srv.base_url,
            llm_model="test-model",
            llm_api_key="sk-secret",
            llm_timeout_seconds=0.5,
        )
        answerer = Answerer(Searcher.open(settings), settings)
        srv.reply = "The MOU was signed on 18 December 2023 [1] [12]."
        a = answerer.ask("When was the Huawei MOU signed?")
        assert a.found and a.generated
        assert a.answer == "The MOU was signed on 18 December 2023 [1]."
        assert a.sources[0].url == HUAWEI_URL and "18 ธ.ค. 2566" in a.evidence
        assert texts("en")["llm_note"] in render_html(a)
        assert "18 ธ.ค. 2566" in srv.requests[-1]["body"]["messages"][-1]["content"]

        srv.delay = 1.5  # slower than the timeout: the extractive answer stands
        a = answerer.ask("When was the Huawei MOU signed?")
        assert a.found and not a.generated
        assert a.answer is None or a.answer.startswith("18 December 2023")
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_question_within_one_release_answers_from_it_alone(answerer) -> None:  # noqa: ANN001
    a = answerer.ask("When was it signed?", within=HUAWEI_URL)
    assert a.found and [s.url for s in a.sources] == [HUAWEI_URL]
    assert "18 ธ.ค. 2566" in (a.answer or "") + a.evidence and a.evidence in _body(HUAWEI_URL, answerer)
    # The same rule refuses what the release does not say; an unknown release gives no sources.
    off = answerer.ask("How many monks received alms?", within=HUAWEI_URL)
    assert not off.found and [s.url for s in off.sources] == [HUAWEI_URL]
    assert answerer.ask("When was it signed?", within="https://example.org/none").sources == []


def test_a_reply_from_a_release_that_never_names_the_asked_province_is_refused(answerer) -> None:  # noqa: ANN001
    """The release dates the signing but names no province: asked where it never reports, it refuses
    (index.answer.places) and still links the release."""
    assert answerer.ask("When was it signed?", within=HUAWEI_URL).found
    for question in ("When was it signed in Phuket?", "ลงนามที่ภูเก็ตเมื่อไหร่"):
        a = answerer.ask(question, within=HUAWEI_URL)
        assert not a.found and a.presentation == "refused" and [s.url for s in a.sources] == [HUAWEI_URL]


def test_dense_confidence_uses_the_index_vectors(answerer) -> None:  # noqa: ANN001
    """Searcher.similarity: the question's vector (kept from its search) against stored chunk vectors
    equals embedding the question anew against the cached passage vectors."""
    import numpy as np

    searcher = answerer.searcher
    question = "When was the Huawei MOU signed?"
    hits = searcher.search(question, k=3)
    ids = [h.passages[0].chunk_id for h in hits]
    held = searcher.similarity(question, ids)
    got = [held[i] for i in ids]
    q = searcher.embedder.encode_queries([question])[0]
    want = searcher.reader.vectors(ids) @ q
    assert np.allclose(got, want, atol=1e-5)
    assert got[0] == max(got)  # the top hit's passage is the nearest
    # A chunk without a vector (past DENSE_PASSAGES, or gone from the index) is left out, not an error.
    assert searcher.similarity(question, [ids[0], 10**9]) == {ids[0]: held[ids[0]]}


def test_warm_up_loads_what_first_questions_would_pay_for(answerer) -> None:  # noqa: ANN001
    from index import lexical

    lexical._nlpo3_dict.cache_clear()
    lexical._nlpo3_segment.cache_clear()  # the splitter bound to the dictionary
    lexical._piece_tokens.cache_clear()  # an earlier test may have split warm_up's own words already
    embedder = answerer.searcher.embedder
    # As a bot's fresh answerer has them (questions use the passages' encoder when the backends agree).
    answerer._model, embedder._query_encoder, embedder._encoder = None, None, None
    answerer.warm_up()
    assert lexical._nlpo3_dict.cache_info().currsize == 1  # the splitter's dictionary is loaded at start-up
    assert lexical._nlpo3_segment.cache_info().currsize == 1
    assert answerer._model is not None  # the reader
    assert (embedder._query_encoder or embedder._encoder) is not None  # the question model


def test_a_rate_s_unit_comes_before_a_closing_per() -> None:
    from index.answer import span_values

    assert span_values._last_thai_word("ครัวเรือนละ") == 2  # "ละ" ends the text: the rate's unit comes before


def test_a_follow_up_within_the_previous_release_answers_with_the_asked_kind(answerer) -> None:  # noqa: ANN001
    """A follow-up within its release answers from a sentence holding the asked kind; the prior that the
    chosen release answers makes it at least as likely to be answered as the same question cold, but the
    reply reports, and is presented by, the reader's own probability: no bolder than the cold one."""
    cold = answerer.ask("who signed it?", within=HUAWEI_URL)
    follow = answerer.ask("who signed it?", within=HUAWEI_URL, follow_up=True)
    assert follow.found and [s.url for s in follow.sources] == [HUAWEI_URL]
    assert follow.found >= cold.found and follow.probability == cold.probability
    assert follow.presentation == (
        "asserted" if follow.probability >= answerer.model.thresholds.asserting(follow.lang) else "hedged"
    )
    assert follow.evidence in _body(HUAWEI_URL, answerer)


def test_follow_up_helpers() -> None:
    from types import SimpleNamespace

    import numpy as np

    from index.answer.answerer import _with_prior, asked_kind_first

    cands = [SimpleNamespace(span="x"), SimpleNamespace(span=None), SimpleNamespace(span="y")]
    kind = SimpleNamespace(qt=SimpleNamespace(kind="person"), candidates=cands)
    raw = np.array([0.0, 2.0, 1.0])
    assert int(np.argmax(asked_kind_first(kind, raw))) == 2  # type: ignore[arg-type]
    no_kind = SimpleNamespace(qt=SimpleNamespace(kind=None), candidates=cands)
    assert int(np.argmax(asked_kind_first(no_kind, raw))) == 1  # type: ignore[arg-type]
    # When every sentence or none holds the asked kind, the reader's own order stands.
    for spans in (["x", "y", "z"], [None, None, None]):
        same = SimpleNamespace(qt=kind.qt, candidates=[SimpleNamespace(span=v) for v in spans])
        assert asked_kind_first(same, raw) is raw  # type: ignore[arg-type]
    assert _with_prior(0.5, 0.0) == 0.5 and 0.5 < _with_prior(0.5, 2.0) < 1.0


def test_a_hedged_reply_within_one_release_also_quotes_the_runner_up(answerer) -> None:  # noqa: ANN001
    """Within one release (a follow-up) a hedged reply quotes a second passage of that release that is not
    part of the first; an asserted reply, a refusal and a question over all releases quote one."""
    from index.answer.evidence import MORE_EVIDENCE_CHARS
    from index.reply import render_html, render_text

    body = _body(HUAWEI_URL, answerer)
    questions = ("who signed it?", "where?", "what will they build?", "how many people?", "why?", "แล้วที่ไหน")
    replies = [answerer.ask(q, within=HUAWEI_URL, follow_up=True) for q in questions]
    hedged = [a for a in replies if a.presentation == "hedged"]
    assert hedged, [(a.question, a.presentation) for a in replies]
    for a in hedged:
        more = a.more_evidence or ""
        assert more and more not in (a.evidence or "") and (a.evidence or "") not in more
        first, second = a.evidence or "", more.rstrip("…")
        start, stop = body.index(first), body.index(second)
        assert stop >= start + len(first) or start >= stop + len(second)  # no sentence quoted twice
        assert len(more) <= MORE_EVIDENCE_CHARS and more.rstrip("…") in body
        assert render_html(a).count("<blockquote>") == 2 and quoted(more, a.lang)[:40] in render_text(a)
        assert a.to_json()["more_evidence"] == more
    assert all(a.more_evidence is None for a in replies if a.presentation != "hedged")
    assert answerer.ask("When was the Huawei MOU signed?").more_evidence is None
