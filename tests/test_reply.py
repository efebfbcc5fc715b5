"""Reply formatting: Telegram HTML with every piece of release text escaped, and console text, TH and EN."""

from __future__ import annotations

import dataclasses
import html
import re

from index.answer import Answer, Source
from index.reply import render_html, render_text, texts

URL = "https://www.thaigov.go.th/news/contents/details/76362"


def _sources(n: int = 4) -> list[Source]:
    return [
        Source(
            f"{URL[:-5]}{76362 + i}",
            f"โฆษกรัฐบาลเผย <b>รัฐบาลร่วม</b> Huawei & AI #{i}",
            "2023-12-19",
            "passage <script>",
            1.0 / (i + 1),
        )
        for i in range(n)
    ]


def _answer(lang: str, found: bool = True, short: str | None = "18 December 2023 (18 ธ.ค. 2566)") -> Answer:
    return Answer(
        question="When was the <MOU> signed?",
        lang=lang,
        found=found,
        answer=short if found else None,
        evidence="ลงนาม MOU กับ <Huawei> & พันธมิตร ในวันที่ 18 ธ.ค. 2566" if found else None,
        sources=_sources(),
    )


def _visible(markup: str) -> str:
    """The text Telegram shows: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_html_escapes_release_text_and_keeps_only_our_tags() -> None:
    out = render_html(_answer("en"))
    tags = set(re.findall(r"</?([a-z]+)", out))
    assert tags <= {"b", "i", "a", "blockquote"}
    assert "<Huawei>" not in out and "&lt;Huawei&gt;" in out
    assert "<script>" not in out
    assert "&lt;b&gt;รัฐบาลร่วม&lt;/b&gt;" in out
    assert f'<a href="{URL}">' in out
    text = _visible(out)
    assert text.startswith("18 December 2023 (18 ธ.ค. 2566)")
    assert "ลงนาม MOU กับ <Huawei> & พันธมิตร" in text
    assert texts("en")["quoted_th"] in text
    assert "19 December 2023" in text  # source dates in the reply's language
    assert len(re.findall(r"<a href=", out)) == 3


def test_thai_reply_uses_thai_strings_and_dates() -> None:
    out = render_html(_answer("th", short="18 ธ.ค. 2566"))
    text = _visible(out)
    assert texts("th")["sources"] in text
    assert "19 ธ.ค. 2566" in text
    assert texts("th")["quoted_th"] not in text  # Thai question, Thai evidence: no note


def test_not_found_lists_closest_releases_in_both_languages() -> None:
    for lang in ("th", "en"):
        out = render_html(_answer(lang, found=False))
        text = _visible(out)
        assert text.startswith(texts(lang)["not_found"])
        assert texts(lang)["closest"] in text
        assert out.count("<a href=") == 3
        assert "<blockquote>" not in out


def test_a_refusal_shows_each_release_snippet_escaped_under_its_link() -> None:
    answer = _answer("en", found=False)
    answer.sources = [
        dataclasses.replace(s, snippet=f"ลงนาม <MOU> & ข้อ {i}") if i != 1 else s
        for i, s in enumerate(answer.sources)
    ]
    out = render_html(answer)
    assert "<i>“ลงนาม &lt;MOU&gt; &amp; ข้อ 0”</i>" in out and "ข้อ 2" in out
    assert "ข้อ 3" not in out  # only the listed releases
    lines = out.splitlines()
    assert lines[lines.index(next(ln for ln in lines if ln.startswith("1. "))) + 1].strip().startswith("<i>")
    text = render_text(answer)
    assert "“ลงนาม <MOU> & ข้อ 0”" in text and text.index("ข้อ 0") < text.index(answer.sources[0].url)
    found = _answer("en")
    found.sources = answer.sources
    # A found reply quotes its evidence: no snippets under its links.
    assert "ลงนาม" not in _visible(render_html(found)).split(texts("en")["sources"])[1]


def test_no_results_at_all() -> None:
    answer = Answer("xyz", "en", False, None, None, [])
    assert _visible(render_html(answer)) == texts("en")["no_results"]
    assert render_text(answer) == texts("en")["no_results"]


def test_console_text_is_plain() -> None:
    out = render_text(_answer("en"))
    assert not out.startswith("<b>") and "&lt;" not in out and "<blockquote>" not in out
    assert "<b>รัฐบาลร่วม</b>" in out  # release text shown as written, not interpreted
    assert "<Huawei>" in out
    assert URL in out
    assert out.splitlines()[0] == "18 December 2023 (18 ธ.ค. 2566)"


def test_generated_answer_is_marked() -> None:
    answer = _answer("en", short="It was signed on 18 December 2023 [1].")
    answer.generated = True
    out = render_html(answer)
    assert texts("en")["llm_note"] in _visible(out)
    assert "<b>It was signed" not in out


def test_a_hedged_reply_quotes_the_passage_without_a_bold_answer() -> None:
    from index.answer import HEDGED

    for lang in ("th", "en"):
        answer = _answer(lang, short=None)
        answer.presentation = HEDGED
        out = render_html(answer)
        assert "<b>" not in out.split("\n")[0]  # no bold claim on the first line
        assert _visible(out).startswith(texts(lang)["hedged"])
        assert "<blockquote>" in out
        assert render_text(answer).startswith(texts(lang)["hedged"])


def test_several_answering_releases_are_listed_dated_and_a_repeated_fact_once() -> None:
    from index.answer.types import ReleaseAnswer

    main = ReleaseAnswer(
        "18 ธ.ค. 2566", "ลงนาม MOU ในวันที่ 18 ธ.ค. 2566", URL, "MOU <Huawei>", "2023-12-19", 0.9
    )
    same = ReleaseAnswer(
        "18 ธ.ค. 2566", "ลงนามเมื่อ 18 ธ.ค. 2566", URL[:-1] + "2", "ดีอี & Huawei", "2023-12-18", 0.8
    )
    other = ReleaseAnswer(
        None, "ลงนาม MOU กับ สกมช. เมื่อ 2 ส.ค. 2565 <ข้อความยาว>", URL[:-1] + "3", "สกมช.", "2022-08-02", 0.6
    )
    for lang in ("en", "th"):
        answer = _answer(lang)
        answer.answers = [main, same, other]
        out = render_html(answer)
        assert texts(lang)["several"] in _visible(out)
        assert "<ข้อความยาว>" not in out and "&lt;ข้อความยาว&gt;" in out  # escaped
        assert out.count("• ") == 2  # the other value, and the repeated fact grouped under the top answer
        assert f'href="{URL[:-1]}3"' in out and f'href="{URL[:-1]}2"' in out
        assert ("2 August 2022" if lang == "en" else "2 ส.ค. 2565") in _visible(out)
        assert set(re.findall(r"</?([a-z]+)", out)) <= {"b", "i", "a", "blockquote"}
        text = render_text(answer)
        assert texts(lang)["several"] in text and f"{URL[:-1]}3" in text
    single = _answer("en")
    single.answers = [main]
    assert "Several releases" not in render_html(single)


def test_latest_words_are_recognised_in_both_languages() -> None:
    """What makes a reply lead with the newest release (its ordering: tests/test_answer.py)."""
    from index.search.query import asks_for_latest

    assert asks_for_latest("What is the latest policy rate?") and asks_for_latest("ดอกเบี้ยนโยบายล่าสุดเท่าไหร่")
    assert asks_for_latest("ค่าแรงขั้นต่ำตอนนี้เท่าไร") and not asks_for_latest("When was the Huawei MOU signed?")


def test_another_release_quoted_from_a_list_item_shows_one_bullet() -> None:
    """A release's own list dash is not repeated after the reply's bullet ("• - 1 มกราคม …")."""
    from index.answer.types import ReleaseAnswer

    main = ReleaseAnswer(None, "ค่าแรงขั้นต่ำ 400 บาท", URL, "ค่าแรง", "2024-05-02", 0.9)
    item = ReleaseAnswer(None, "- 1 มกราคม 2567 ปรับขึ้นค่าแรงขั้นต่ำ", URL[:-1] + "3", "ค่าแรง", "2024-09-23", 0.6)
    for lang in ("th", "en"):
        answer = _answer(lang)
        answer.answers = [main, item]
        gloss = " [1 January 2024]" if lang == "en" else ""  # an English reply glosses Thai dates
        for shown in (_visible(render_html(answer)), render_text(answer)):
            assert f"• 1 มกราคม 2567{gloss} ปรับขึ้นค่าแรงขั้นต่ำ (" in shown
            assert "• -" not in shown
    negative = ReleaseAnswer(None, "-5.2% จากปีก่อน", URL[:-1] + "4", "ส่งออก", "2024-09-23", 0.6)
    answer = _answer("en")
    answer.answers = [main, negative]
    assert "• -5.2% จากปีก่อน (" in render_text(answer)
