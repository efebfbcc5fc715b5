"""Odd input to the answer step: nothing to ask, junk, chat words, words no release writes, bytes that are
no text. Each gets a reply in the asker's language, never a traceback and never a claim."""

from __future__ import annotations

import time

import pytest

from index.reply import render_html, texts

pytestmark = pytest.mark.slow


def test_empty_and_junk_questions_get_a_reply(answerer) -> None:  # noqa: ANN001
    for q in ("", "   ", "???", "🙂🙂"):
        a = answerer.ask(q)
        assert not a.found and render_html(a)
    # Bytes that were not UTF-8 (a shell argument, a line read with surrogateescape) reached the tokenizer.
    clean = answerer.ask("When was the Huawei MOU signed?")
    stray = answerer.ask("When was the Huawei \udcff\udcfe MOU signed?")
    assert stray.sources and stray.sources[0].url == clean.sources[0].url
    assert answerer.searcher.search("Huawei \udcff MOU")
    started = time.monotonic()
    hits = answerer.searcher.search("ฯ " + "ก" * 50_000)  # cut before the Thai analysis: not minutes
    assert len(hits) <= 10 and time.monotonic() - started < 30
    # A question in neither language is told, in English, which languages are read (it got a Thai prompt).
    for q in ("你好吗？政府什么时候签署的", "متى تم التوقيع"):
        foreign = answerer.ask(q)
        assert not foreign.found and foreign.lang == "en" and "English or Thai" in render_html(foreign)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("asdkjh qwezxc?", ["asdkjh", "qwezxc"]),
        ("What is Xyzzyq?", ["Xyzzyq"]),
        ("ฆฌฆฌฆฌ ฑฒฑฒ", ["ฆฌฆฌฆฌ", "ฑฒฑฒ"]),
    ],
)
def test_a_question_no_release_has_a_word_of_is_told_so(answerer, question: str, words: list[str]) -> None:  # noqa: ANN001
    """Keys mashed or every word misspelt: the closest releases would be chance, so none are listed."""
    a = answerer.ask(question)
    assert not a.found and a.sources == [] and a.unknown_words == words
    html = render_html(a)
    assert all(f"“{w}”" in html for w in words) and "<a href=" not in html
    assert a.to_json()["unknown_words"] == words
    # One word the releases write is enough to search as before.
    assert answerer.searcher.unknown_words("asdkjh Huawei") == []
    assert answerer.ask("asdkjh Huawei MOU").sources


def test_chat_words_that_ask_nothing_are_not_answered(answerer) -> None:  # noqa: ANN001
    """Thanks once got the sentence "ผมขอขอบคุณ…" asserted as its answer: it holds the message's words."""
    for q in ("ขอบคุณครับ", "ok", "thanks", "สวัสดีครับ", "👍", "你好吗"):
        a = answerer.ask(q)
        assert not a.found and a.answer is None and a.evidence is None
        assert render_html(a) == texts(a.lang)["empty"]  # an invitation to ask, with an example


@pytest.mark.parametrize(
    "question",
    [
        "ครม. " * 40_000,  # 200 kB
        "\x00\x07 ลงนาม MOU กับหัวเว่ย \x1b[31m when?\x7f",  # control characters
        "Когда был подписан меморандум с Huawei?",  # neither Thai nor English
        "🙂" * 5_000,
    ],
)
def test_bad_input_gets_a_reply_not_a_traceback(answerer, question: str) -> None:  # noqa: ANN001
    a = answerer.ask(question)
    html = render_html(a)
    assert html and a.presentation in ("asserted", "hedged", "refused")
    assert a.found is (a.evidence is not None)
    assert "\x00" not in html and "\x1b" not in html
