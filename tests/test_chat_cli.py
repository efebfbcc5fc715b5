"""The console chat and ``ask`` over the real test index: a pasted release link, the chat's own lines in
the user's language, and how far the releases reach for a question about now."""

from __future__ import annotations

import argparse
import io

from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401


def _chat(answerer, lines: str) -> str:  # noqa: ANN001
    from index.cli.ask import chat_loop

    out = io.StringIO()
    chat_loop(answerer, stdin=io.StringIO(lines), stdout=out)
    return out.getvalue()


def test_a_pasted_release_link_is_its_card_and_the_follow_up_reads_it(answerer) -> None:  # noqa: ANN001
    """Searched as a question, a link found the releases that link to it; now it is that release's card,
    and the conversation moves to the release (the follow-up opens "From the release of …")."""
    text = _chat(answerer, f"{HUAWEI_URL.replace('https://', '')}\nwho signed it?\n")
    first, second, rest = text.split("\n", 2)
    card, follow = rest.split("\n\nFrom the release of ")
    intro = [first, second]
    assert "Ask about Thai government" in intro[0] and "ถามคำถามเกี่ยวกับข่าว" in intro[1]  # both languages
    assert card.startswith("โฆษกรัฐบาลเผย") and HUAWEI_URL in card and "19 ธ.ค. 2566" in card
    assert "ถามคำถามเกี่ยวกับข่าวนี้ได้เลย" in card  # in the release's language: nobody has written yet
    assert follow.startswith("19 December 2023:") and follow.count("https://") == 1
    missing = _chat(answerer, HUAWEI_URL.rsplit("/", 1)[0] + "/1\n")
    assert "ไม่พบข่าวนี้ในดัชนี" in missing or "not in the index" in missing


def test_the_chat_speaks_the_language_of_its_user(answerer) -> None:  # noqa: ANN001
    """/help and an unknown command are answered in the language of the last reply (a Thai question's)."""
    text = _chat(answerer, "หัวเว่ยลงนามเมื่อไร\n/help\n/foo\n")
    assert "พิมพ์คำถาม (ไทยหรืออังกฤษ)" in text and "ไม่รู้จักคำสั่ง /foo" in text
    assert "Type a question" not in text and "Unknown command" not in text
    assert "Unknown command /foo" in _chat(answerer, "/foo\n")  # before any question: the default, English
    # A follow-up with nothing to follow asks for the whole question, in the question's language.
    assert "ช่วยพิมพ์คำถามให้ครบ" in _chat(answerer, "แล้วใครเป็นคนลงนาม\n")


def test_ask_with_a_release_link_prints_its_card(base_index: BaseIndex, capsys) -> None:  # noqa: ANN001, F811
    from index.cli.ask import _ask

    settings = make_settings(base_index.data_dir)
    assert _ask(argparse.Namespace(question=[f"<{HUAWEI_URL}>"], json=False), settings) == 0
    out = capsys.readouterr().out
    assert out.startswith("โฆษกรัฐบาลเผย") and HUAWEI_URL in out and "Sources" not in out


def test_a_question_about_now_is_told_how_far_the_releases_reach(answerer) -> None:  # noqa: ANN001
    """The test index ends in 2025 and the clock is later: "latest"/"now"/"today" questions say the newest
    release's date (reply and JSON); a dated question does not; nor does a current index."""
    import datetime as dt

    from index.answer.answerer import STALE_DAYS, reach
    from index.reply import render_html, render_text

    newest = answerer.searcher.newest
    assert newest is not None and newest < dt.date.today() - dt.timedelta(days=STALE_DAYS)
    latest = answerer.ask("What is the latest on the Huawei cloud MOU?")
    assert latest.newest == newest.isoformat() and latest.to_json()["newest_release_date"] == latest.newest
    note = "My newest release is of"
    assert note in render_text(latest) and note in render_html(latest)
    thai = answerer.ask("ราคาทองวันนี้เท่าไร")
    assert thai.newest and "ข่าวล่าสุดที่มีคือวันที่" in render_text(thai)
    dated = answerer.ask("When was the Huawei MOU signed?")
    assert dated.newest == "" and "newest_release_date" not in dated.to_json()
    assert reach(answerer.searcher, "What was the latest Huawei MOU in December 2023?") == ""  # its own time
    assert reach(answerer.searcher, "ปัจจุบันมีกี่โครงการ เมื่อพฤศจิกายน 2567") == ""
    soon = newest + dt.timedelta(days=STALE_DAYS)
    assert reach(answerer.searcher, "What is the latest on the Huawei cloud MOU?", today=soon) == ""
