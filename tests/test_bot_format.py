"""Splitting Telegram HTML, escaping, the rate limiter and small-talk detection (no network, no index)."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from bot.asking import is_small_talk
from bot.format import (
    clean_text,
    esc,
    more_sources_keyboard,
    render_latest,
    render_more_sources,
    render_release_card,
    split_html,
)
from bot.ratelimit import RateLimiter
from bot.shared import MORE_SOURCES_PER_CHAT, keep_more_sources, more_sources_of
from index.answer import Source
from tests.fake_bot_api import html_plain_text, utf16_len
from thaigov_qa.messages import user_lang


def _check_parts(parts: list[str], limit: int) -> str:
    """Every part is valid Telegram HTML within the limit; returns the joined plain text."""
    plains = []
    for part in parts:
        plain = html_plain_text(part)
        assert 0 < utf16_len(plain) <= limit, (utf16_len(plain), part[:80])
        assert plain.strip()
        plains.append(plain)
    return "".join(plains)


def test_short_text_is_one_part() -> None:
    assert split_html("<b>hi</b> there") == ["<b>hi</b> there"]


def test_split_keeps_tags_balanced_and_loses_no_text() -> None:
    rng = random.Random(7)
    words = ["ภาษี", "รัฐบาล", "Huawei", "&amp;", "&lt;tag&gt;", "🇹🇭", "เกษตรกร", "MOU", "ก" * 30]
    paragraphs = []
    for n in range(60):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 40)))
        paragraphs.append(f'{n}. <b>{body}</b> <a href="https://x.th/?a=1&amp;b={n}">link {body}</a>')
    markup = "\n\n".join(paragraphs)
    parts = split_html(markup, limit=500)
    assert len(parts) > 5
    joined = _check_parts(parts, 500)
    # nothing lost but the whitespace at the cuts
    assert "".join(html_plain_text(markup).split()) == "".join(joined.split())


def test_split_inside_a_long_tag_reopens_it_with_attributes() -> None:
    markup = '<a href="https://example.org/x">' + "word " * 400 + "</a>"
    parts = split_html(markup, limit=300)
    assert len(parts) >= 6
    for part in parts:
        assert part.startswith('<a href="https://example.org/x">') and part.endswith("</a>")
    _check_parts(parts, 300)


def test_split_without_spaces_never_breaks_entities_or_surrogates() -> None:
    markup = "<i>" + ("&amp;😀ก" * 2000) + "</i>"
    parts = split_html(markup, limit=4096)
    assert len(parts) >= 2
    _check_parts(parts, 4096)


def test_split_prefers_paragraph_breaks() -> None:
    first = "a" * 3000
    second = "b" * 3000
    parts = split_html(f"{first}\n\n{second}")
    assert parts == [first, second]


def test_blank_parts_are_dropped() -> None:
    assert split_html("   \n\n  ") == []


def test_escaping_and_control_characters() -> None:
    hostile = "<script>alert('x')</script> & *bold* _it_ \x00\x07\u200b\ufeff"
    escaped = esc(hostile)
    assert html_plain_text(escaped) == "<script>alert('x')</script> & *bold* _it_ "
    assert clean_text("a\r\nb\x1bc") == "a\nbc"


def test_renderers_escape_release_text() -> None:
    release = SimpleNamespace(
        url='https://www.thaigov.go.th/news/contents/details/1?a="b"&c',
        title="<b>Title</b> & co",
        date="2023-12-19",
        body="<b>Title</b> & co\nLead <i>line</i>\nsecond line",
    )
    for markup in (
        render_latest([release, release], "en"),
        render_release_card(release, "th"),
        render_more_sources([SimpleNamespace(**vars(release), passage="<x> & y " * 100)], "en"),
    ):
        plain = html_plain_text(markup)
        assert "<b>Title</b> & co" in plain
    assert html_plain_text(render_more_sources([], "th"))
    # The "more sources" list continues the reply's numbering.
    more = render_more_sources([SimpleNamespace(**vars(release), passage="")] * 5, "en", start=3)
    assert "4. <a href=" in more and "1. <a href=" not in more
    keyboard = more_sources_keyboard("abc123", "th")
    assert keyboard.inline_keyboard[0][0].callback_data == "more:abc123"


def test_more_sources_payload_is_plain_data_bounded_per_chat_and_shown_once() -> None:
    """What a "more sources" button needs survives JSON (the persisted chat_data), the chat keeps its last
    MORE_SOURCES_PER_CHAT answers, and the kept passage gives the very excerpt the whole one gives."""
    passage = "คำ word " * 200 + "\x00 end"
    sources = [Source(f"https://x/{n}", f"T{n}", "2023-12-19", passage, 0.5) for n in range(6)]
    context = SimpleNamespace(chat_data={})
    keys = [keep_more_sources(context, f"<b>reply {n}</b>", "en", sources, 3) for n in range(25)]  # type: ignore[arg-type]
    assert all(k and len(f"more:{k}".encode()) <= 64 for k in keys) and len(set(keys)) == 25
    context.chat_data = json.loads(json.dumps(context.chat_data))  # as after a restart
    assert more_sources_of(context, keys[0]) is None  # type: ignore[arg-type]
    kept = [k for k in keys if more_sources_of(context, k) is not None]  # type: ignore[arg-type]
    assert kept == keys[-MORE_SOURCES_PER_CHAT:]
    entry = more_sources_of(context, keys[-1], drop=True)  # type: ignore[arg-type]
    assert entry is not None and entry.html == "<b>reply 24</b>" and entry.lang == "en"
    assert render_more_sources(entry.sources, "en", start=3) == render_more_sources(sources, "en", start=3)
    assert more_sources_of(context, keys[-1]) is None  # type: ignore[arg-type]  # shown once
    assert more_sources_of(SimpleNamespace(chat_data=None), "x") is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "small"),
    [
        ("สวัสดีครับ", True),
        ("hello!", True),
        ("Thank you 🙏", True),
        ("😀😀😀", True),
        ("", True),
        ("?!...", True),
        ("รัฐบาลลงนาม MOU กับ Huawei เรื่องอะไร", False),
        ("What did the cabinet approve?", False),
        ("สวัสดีครับ ขอถามเรื่องภาษีที่ดิน", False),
        # the bot addressed by name, and Thai chat words the word splitter cuts into other words
        ("thanks bot", True),
        ("ขอบคุณครับบอท", True),
        ("หวัดดีจ้า", True),
        ("ok got it", True),
        ("ไข้หวัดใหญ่", False),
        ("คะแนน", False),
        ("bot uptime", False),
    ],
)
def test_small_talk(value: str, small: bool) -> None:
    assert is_small_talk(value) is small


def test_user_lang() -> None:
    assert user_lang("en-US") == "en"
    assert user_lang("th") == "th"
    assert user_lang(None) == "th"
    assert user_lang("de") == "th"


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.check(1)
    assert 59 < wait <= 60
    assert limiter.check(2) == 0.0  # other users are not affected
    assert limiter.should_notify(1, wait) and not limiter.should_notify(1, wait)
    now[0] = 30.0
    assert limiter.check(1) == pytest.approx(30.0)
    now[0] = 60.5
    assert limiter.check(1) == 0.0


def test_inline_release_cards_quote_the_snippet_before_the_first_passage() -> None:
    from bot.inline import results_for
    from index.answer import Answer

    url = "https://www.thaigov.go.th/news/contents/details/76362"
    sources = [
        Source(url, "Huawei <MOU>", "2023-12-19", "ย่อหน้าแรกของข่าว", 1.0, "ลงนาม MOU ในวันที่ 18 ธ.ค. 2566"),
        Source(url + "1", "อื่น", "2023-12-18", "ย่อหน้าแรก", 0.5),
    ]
    answer = Answer("When was the MOU signed?", "en", False, None, None, sources)
    results = results_for("When was the MOU signed?", answer, "en")
    first, second = (r.input_message_content.message_text for r in results[1:3])
    assert "ลงนาม MOU ในวันที่ 18 ธ.ค. 2566" in first and "ย่อหน้าแรกของข่าว" not in first
    assert "ลงนาม MOU" in results[1].description
    assert "18 ธ.ค. 2566 [18 December 2023]" in first  # an English card glosses the Thai date
    assert "ย่อหน้าแรก" in second  # no snippet: the passage
    thai = results_for("ลงนามเมื่อไร", Answer("ลงนามเมื่อไร", "th", False, None, None, sources), "th")
    assert "[18 December 2023]" not in thai[1].input_message_content.message_text


def test_more_sources_show_each_release_snippet_glossed_for_english() -> None:
    sources = [
        Source(f"https://x/{n}", f"T{n}", "2023-12-19", "ย่อหน้าแรก", 0.5, f"ลงนาม {n} ในวันที่ 18 ธ.ค. 2566")
        for n in range(5)
    ]
    context = SimpleNamespace(chat_data={})
    key = keep_more_sources(context, "<b>reply</b>", "en", sources, 3)  # type: ignore[arg-type]
    entry = more_sources_of(context, key or "", drop=True)  # type: ignore[arg-type]
    assert entry is not None
    shown = render_more_sources(entry.sources, "en", start=3)
    assert "ลงนาม 3 ในวันที่ 18 ธ.ค. 2566 [18 December 2023]" in shown and "ย่อหน้าแรก" not in shown
    assert "[18 December 2023]" not in render_more_sources(entry.sources, "th", start=3)


def test_a_cut_excerpt_never_cuts_a_gloss_in_half() -> None:
    """The excerpt was glossed whole and then cut, so a cut could fall inside a bracket ("[35,408 mil…")."""
    from bot.inline import results_for
    from index.answer import Answer

    for pad in range(200, 290, 3):
        snippet = "ข่าว " * (pad // 5) + "กองทุนมีหนี้ 35,408 ล้านบาท ณ วันที่ 18 ธ.ค. 2566 " + "รายละเอียด " * 40
        source = Source("https://x/1", "T", "2023-12-19", snippet, 0.5)
        shown = render_more_sources([source], "en", start=0)
        assert shown.count("[") == shown.count("]"), shown
        cards = results_for("debt?", Answer("debt?", "en", False, None, None, [source]), "en")
        text_ = cards[1].input_message_content.message_text
        assert text_.count("[") == text_.count("]"), text_
