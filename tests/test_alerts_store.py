"""bot.alerts_store and bot.alerts_message: subscriptions, the outbox's guarantees, filters, the message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.alerts import parse_filters
from bot.alerts_message import ReleaseText, lead, matches, render_alert, start_link
from bot.alerts_store import AlertStore
from corpus.release import Release
from tests.fake_bot_api import html_plain_text


def _release(url_id: str, title: str, body: str, category: str = "ด้านเศรษฐกิจ", lang: str = "th") -> Release:
    return Release(
        url=f"https://www.thaigov.go.th/news/contents/details/{url_id}",
        release_id=url_id,
        title=title,
        date="2023-12-19",
        category=category,
        lang=lang,
        body=body,
    )


RUBBER = _release("1", "รัฐบาลพยายามแก้ปัญหายางพาราราคาตก", "นายกรัฐมนตรีสั่งการให้เร่งแก้ปัญหายางพารา")
MEDICINE = _release("2", "สาธารณสุขจัดหายาให้ผู้ป่วย", "กระทรวงสาธารณสุขจัดหายาให้ผู้ป่วยเพิ่มเติม", "ด้านสังคม")
HUAWEI = _release(
    "3",
    "Thailand signs MOU with HUAWEI",
    "The government signed an MOU to promote the digital economy. Training follows in 2024.",
    "Government News",
    "en",
)


@pytest.fixture
def store(tmp_path: Path) -> AlertStore:
    with AlertStore(tmp_path / "thaigov.sqlite") as s:
        yield s  # type: ignore[misc]


def test_subscribe_update_pause_resume_unsubscribe(store: AlertStore) -> None:
    chat = -1001234567890
    sub, created = store.subscribe(chat, kind="channel", title="Team", keywords=["ยา"], created_by=7)
    assert created and sub.keywords == ("ยา",) and sub.kind == "channel" and sub.created_by == 7
    assert store.enqueue(sub, "u1", "h1")
    assert store.pause(sub.chat_id, "Forbidden: bot was kicked")
    assert not store.pause(sub.chat_id, "again")  # already paused: reported once
    assert store.subscriptions(active_only=True) == []
    again, created = store.subscribe(-1001234567890, categories=["Government News"])
    assert not created and not again.paused
    assert again.keywords == () and again.categories == ("Government News",)
    assert again.kind == "channel" and again.title == "Team"  # kept when not given
    assert store.unsubscribe(-1001234567890)
    assert store.outbox_row(-1001234567890, "u1").status == "dropped"  # type: ignore[union-attr]
    assert not store.unsubscribe(-1001234567890)


def test_outbox_queues_a_pair_once(store: AlertStore) -> None:
    sub, _ = store.subscribe(5)
    assert store.enqueue(sub, "u1", "h1")
    assert not store.enqueue(sub, "u1", "h1")
    assert not store.enqueue(sub, "u1", "h2")  # an edit is not re-announced by default
    row = store.outbox_row(5, "u1")
    assert row is not None and row.status == "pending"
    assert store.claim(row, now=100.0, lease=300)
    store.mark_sent(row.id, 77)
    assert not store.enqueue(sub, "u1", "h2", realert=False)
    # REALERT_ON_EDIT: a sent row with another content hash goes back to pending, once per hash.
    assert store.enqueue(sub, "u1", "h2", realert=True)
    assert store.outbox_row(5, "u1").status == "pending"  # type: ignore[union-attr]
    assert not store.enqueue(sub, "u1", "h2", realert=True)


def test_claims_are_exclusive_and_leases_expire(tmp_path: Path) -> None:
    db = tmp_path / "thaigov.sqlite"
    with AlertStore(db) as a, AlertStore(db) as b:
        sub, _ = a.subscribe(5)
        a.enqueue(sub, "u1", "h1")
        [row] = a.due(now=1000.0, lease=300)
        assert a.claim(row, now=1000.0, lease=300)
        assert not b.claim(row, now=1000.0, lease=300)  # a second sender (another process) loses
        assert b.due(now=1100.0, lease=300) == []  # claimed recently: not due
        # The claimer died before marking: after the lease the row is due again and can be re-claimed.
        [stale] = b.due(now=1301.0, lease=300)
        assert stale.status == "sending" and b.claim(stale, now=1301.0, lease=300)
        assert stale.attempts == 1 and b.outbox_row(5, "u1").attempts == 2  # type: ignore[union-attr]


def test_thai_keywords_match_word_tokens_not_substrings(store: AlertStore) -> None:
    sub, _ = store.subscribe(1, keywords=["ยา"])
    # "ยา" (medicine) is a substring of พยายาม and ยางพารา, but not one of their words.
    assert "ยา" in RUBBER.title
    assert not matches(sub, ReleaseText(RUBBER))
    assert matches(sub, ReleaseText(MEDICINE))
    phrase, _ = store.subscribe(2, keywords=["ยางพารา"])
    assert matches(phrase, ReleaseText(RUBBER)) and not matches(phrase, ReleaseText(MEDICINE))


def test_english_keywords_phrases_and_categories(store: AlertStore) -> None:
    huawei, _ = store.subscribe(1, keywords=["huawei"])
    assert matches(huawei, ReleaseText(HUAWEI))
    phrase, _ = store.subscribe(2, keywords=["Digital Economy"])
    assert matches(phrase, ReleaseText(HUAWEI))
    wrong_order, _ = store.subscribe(3, keywords=["economy digital"])
    assert not matches(wrong_order, ReleaseText(HUAWEI))
    # Categories are compared after the parser's normalisation (TABs, spaces, case).
    cat, _ = store.subscribe(4, categories=["government  news\t"])
    assert matches(cat, ReleaseText(HUAWEI)) and not matches(cat, ReleaseText(MEDICINE))
    both, _ = store.subscribe(5, keywords=["ยา"], categories=["ด้านเศรษฐกิจ"])
    assert not matches(both, ReleaseText(MEDICINE))  # keyword yes, category no
    everything, _ = store.subscribe(6)
    assert all(matches(everything, ReleaseText(r)) for r in (RUBBER, MEDICINE, HUAWEI))


def test_parse_filters() -> None:
    f = parse_filters(["ยา", "digital economy", "category:Government News", "หมวด:ด้านสังคม", "ยา"])
    assert f.keywords == ("ยา", "digital economy")
    assert f.categories == ("Government News", "ด้านสังคม")


def test_alert_message_is_valid_telegram_html_with_a_deep_link() -> None:
    tricky = _release("76362", 'R&D <pilot> "cloud"', "First sentence. Second one!", "Government News", "en")
    text, markup = render_alert(tricky, "thaigov_qa_test_bot")
    plain = html_plain_text(text)  # raises if Telegram would refuse it
    assert plain.startswith('R&D <pilot> "cloud"')
    assert "19 December 2023 · Government News" in plain
    assert 'href="https://www.thaigov.go.th/news/contents/details/76362"' in text
    assert markup is not None
    [[button]] = markup.inline_keyboard
    assert button.url == "https://t.me/thaigov_qa_test_bot?start=r76362"
    th_text, th_markup = render_alert(MEDICINE, "thaigov_qa_test_bot")
    assert "19 ธ.ค. 2566" in th_text and th_markup.inline_keyboard[0][0].text == "ถามเกี่ยวกับข่าวนี้"  # type: ignore[union-attr]
    assert start_link("", "1") is None and start_link("bot", "") is None
    # Another site's release has no thaigov id for the bot's /start r<id>: no button rather than a dead one.
    other = Release("https://example.org/n/5", "u1234abcd", "Other", "2024-01-01", "News", "en", "Text.")
    assert render_alert(other, "thaigov_qa_test_bot")[1] is None


def test_lead_is_the_first_sentence_or_two() -> None:
    long_en = _release(
        "9",
        "T",
        "T\nThe cabinet approved it. Farmers get aid. A third sentence that should not appear.",
        lang="en",
    )
    assert lead(long_en) == "The cabinet approved it. Farmers get aid."
    long_th = _release("9", "หัวข้อ", "ข้อความ " * 200)
    out = lead(long_th)
    assert out.endswith("…") and len(out) <= 321 and "  " not in out


def test_a_dead_senders_claim_is_taken_at_once(store: AlertStore) -> None:
    import socket
    import subprocess
    import sys

    from bot.alerts_store import claimer_dead, claimer_id

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = f"{socket.gethostname()}:{int(gone.stdout)}"
    assert claimer_dead(dead)
    assert not claimer_dead(claimer_id())  # ourselves: alive
    assert not claimer_dead(f"other-host:{int(gone.stdout)}")  # another host: only the lease decides
    sub, _ = store.subscribe(5)
    store.enqueue(sub, "u1", "h1")
    store.conn.execute(
        "UPDATE alert_outbox SET status = 'sending', claimed_at = ?, claimed_by = ?", (1000.0, dead)
    )
    [row] = store.due(now=1001.0, lease=300)  # well within the lease, but its sender is gone
    assert store.claim(row, now=1001.0, lease=300)
    assert not store.claim(row, now=1001.0, lease=300)  # the stale claim was replaced: a second taker loses


def test_a_database_from_before_subscription_languages_keeps_its_subscriptions(tmp_path: Path) -> None:
    db = tmp_path / "thaigov.sqlite"
    old_schema = AlertStore.SCHEMA.replace("    lang TEXT NOT NULL DEFAULT '',\n", "")
    assert "lang" not in old_schema.split("CREATE TABLE IF NOT EXISTS alert_outbox")[0]
    with sqlite3.connect(db) as conn:
        conn.executescript(old_schema)
        conn.execute(
            "INSERT INTO subscriptions (chat_id, kind, created_at, updated_at) VALUES (-100, 'channel', 0, 0)"
        )
    conn.close()
    with AlertStore(db) as store:
        old = store.subscription(-100)
        assert old is not None and old.lang == ""  # each release's own language, as before
        assert store.subscribe(-100, lang="en")[0].lang == "en"
        assert store.subscribe(-100, keywords=["ยา"])[0].lang == "en"  # kept when not given
    with AlertStore(db) as store:  # opened again: the column is not added twice
        assert store.subscription(-100).lang == "en"  # type: ignore[union-attr]


def test_an_alert_speaks_its_subscribers_language() -> None:
    en_text, en_markup = render_alert(MEDICINE, "thaigov_qa_test_bot", "en")
    assert "19 December 2023" in en_text and "สาธารณสุขจัดหายาให้ผู้ป่วย" in en_text  # the release's own title
    assert en_markup.inline_keyboard[0][0].text == "Ask about this release"  # type: ignore[union-attr]
    th_text, th_markup = render_alert(HUAWEI, "thaigov_qa_test_bot", "th")
    assert "19 ธ.ค. 2566" in th_text and th_markup.inline_keyboard[0][0].text == "ถามเกี่ยวกับข่าวนี้"  # type: ignore[union-attr]
