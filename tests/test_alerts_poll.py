"""Whole alert passes: local feed server → registry → index → outbox → fake Bot API.

The slow test uses the real index (the shared model, five short releases); the others pass ``index=False``
(the same switch as ``thaigov-qa alerts poll --no-index``) because they are about sources and delivery.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bot.alerts_delivery import DeliveryPolicy
from bot.alerts_poll import Poller
from bot.alerts_store import AlertStore
from corpus.ingest.state import FetchState
from tests.fake_bot_api import FakeBotAPI
from tests.feed_server import Entry, Feed, FeedServer
from thaigov_qa.settings import Settings

GROUP = -1001234567890
CHANNEL = -1009876543210
PRIVATE = 1001
ADMIN = 4242
FAST = DeliveryPolicy(retry_base=0.05)
BASE = "https://www.thaigov.go.th/news/contents/details/"


def _entry(n: int, title: str, body: str, category: str = "ด้านสังคม") -> Entry:
    return Entry(link=f"{BASE}{n}", title=title, body=body, category=category)


B1 = _entry(90001, "นายกรัฐมนตรีประชุมคณะรัฐมนตรี", "นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรีที่ทำเนียบรัฐบาล")
B2 = _entry(90002, "รัฐบาลพยายามแก้ปัญหายางพารา", "รัฐบาลเร่งแก้ปัญหาราคายางพาราตกต่ำ", "ด้านเศรษฐกิจ")
N1 = _entry(90003, "สาธารณสุขจัดหายาให้ผู้ป่วย", "กระทรวงสาธารณสุขจัดหายาให้ผู้ป่วยในพื้นที่ห่างไกลเพิ่มเติม")
N2 = _entry(
    90004,
    "Cabinet approves support for rice farmers",
    "The cabinet approved 1,000 baht per rai for rice farmers. Payments start next month.",
    "Government News",
)


def _settings(tmp_path: Path, model_path: Path, api: FakeBotAPI, **kw: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "var",
        embedding_model=str(model_path),
        telegram_admin_ids=[ADMIN],
        telegram_bot_token=api.token,
        telegram_base_url=api.base_url,
        _env_file=None,
        **kw,
    )


def _subscribe(settings: Settings) -> None:
    with AlertStore(settings.db_path) as store:
        store.subscribe(GROUP, kind="supergroup", title="Team")
        store.subscribe(CHANNEL, kind="channel", keywords=["ยา"])
        store.subscribe(PRIVATE, kind="private", categories=["government news"])


def _sent(api: FakeBotAPI) -> Counter[tuple[int, str]]:
    """(chat, release URL) → how many times it was sent."""
    out: Counter[tuple[int, str]] = Counter()
    for call in api.calls_of("sendMessage"):
        buttons = (call.get("reply_markup") or {}).get("inline_keyboard") or []
        if buttons:  # alerts carry the deep-link button; admin notes do not
            rid = buttons[0][0]["url"].rsplit("=r", 1)[1]
            out[(int(call["chat_id"]), BASE + rid)] += 1
    return out


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FeedServer() as srv:
        yield srv


@pytest.mark.slow
async def test_one_alert_per_new_release_across_polls_a_busy_index_and_a_restart(
    tmp_path: Path, model_path: Path, fake_bot_api: FakeBotAPI, server: FeedServer
) -> None:
    from index.build.lock import writer_lock

    server.feeds["/th.xml"] = feed = Feed(entries=[B1, B2])
    settings = _settings(tmp_path, model_path, fake_bot_api, release_feeds=[server.url("/th.xml")])
    _subscribe(settings)
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as bot:
        poller = Poller(settings, feed_timeout=5, policy=FAST)
        # 1. The feed's backlog is recorded, not announced (indexing left to a later pass, as with
        #    `alerts poll --no-index`: one model load for the whole test).
        first = await poller.poll(bot, index=False)
        [src] = first.sources
        assert (src.status, src.new, src.backlog) == ("ok", 2, 2)
        assert first.alerts_queued == 0 and first.indexed == 0 and first.index_waiting == 2
        assert fake_bot_api.calls_of("sendMessage") == []
        # 2. Two new entries and an edited one, while an admin's build holds the index lock.
        edited = Entry(B1.link, B1.title, B1.body + " และมีมติอนุมัติงบประมาณ", category=B1.category)
        feed.entries = [N1, N2, edited, B2]
        feed.touch()
        with writer_lock(settings.index_dir):
            second = await poller.poll(bot)
        assert second.sources[0].new == 2 and second.sources[0].changed == 1
        assert "busy" in second.index_error and second.index_waiting == 4  # B1 (edited), B2, N1, N2
        assert second.delivery is not None and second.delivery.sent == 4  # delivered although not indexed
    # 3. A restart: a new poller and bot. The feed answers 304; the waiting releases get indexed (there is
    #    no index yet: the poll creates it).
    assert not (settings.index_dir / "CURRENT").exists()
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as bot:
        third = await Poller(settings, feed_timeout=5, policy=FAST).poll(bot)
    assert third.sources[0].status == "not_modified"
    assert third.indexed == 4 and third.index_waiting == 0 and third.alerts_queued == 0
    assert (settings.index_dir / "CURRENT").exists()
    assert third.delivery is not None and third.delivery.sent == 0
    assert server.requests_to("/th.xml")[-1].status == 304
    # Exactly one alert per new release per matching subscription; the edit and the backlog: none.
    assert _sent(fake_bot_api) == Counter(
        {(GROUP, N1.link): 1, (GROUP, N2.link): 1, (CHANNEL, N1.link): 1, (PRIVATE, N2.link): 1}
    )
    with AlertStore(settings.db_path) as store:
        assert {r.status for r in store.outbox()} == {"sent"}


async def test_bad_feeds_are_reported_and_the_others_go_on(
    tmp_path: Path, model_path: Path, fake_bot_api: FakeBotAPI, server: FeedServer
) -> None:
    server.feeds["/good.xml"] = good = Feed(entries=[B1])
    server.feeds["/bad.xml"] = Feed(raw=b"<html><body>maintenance</body></html>")
    server.feeds["/slow.xml"] = Feed(entries=[B2], delay=3.0)
    urls = [server.url(p) for p in ("/bad.xml", "/slow.xml", "/good.xml")]
    settings = _settings(tmp_path, model_path, fake_bot_api, release_feeds=urls)
    _subscribe(settings)
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as bot:
        poller = Poller(settings, feed_timeout=0.5, policy=FAST)
        started = time.monotonic()
        first = await poller.poll(bot, index=False)
        assert time.monotonic() - started < 2.5  # the slow feed did not hold the pass
        by_url = {s.source: s for s in first.sources}
        assert by_url[urls[0]].status == "error" and "malformed" in by_url[urls[0]].error
        assert by_url[urls[1]].status == "error" and "timed out" in by_url[urls[1]].error
        assert by_url[urls[2]].status == "ok" and by_url[urls[2]].backlog == 1
        assert len(first.errors) == 2
        good.entries.insert(0, N1)
        second = await poller.poll(bot, index=False)
    by_url = {s.source: s for s in second.sources}
    # Failing feeds back off: no request this pass; the good feed's new entry is announced.
    assert by_url[urls[0]].status == "waiting" and by_url[urls[1]].status == "waiting"
    assert len(server.requests_to("/bad.xml")) == 1
    assert by_url[urls[2]].new == 1 and second.delivery is not None and second.delivery.sent == 2
    assert _sent(fake_bot_api) == Counter({(GROUP, N1.link): 1, (CHANNEL, N1.link): 1})
    with FetchState(settings.db_path) as store:
        bad = store.source(urls[0], "feed")
        assert bad.failures == 1 and bad.next_try > time.time() + 30 and not bad.initialised
        # Release waits for indexing in index_pending since this pass did not index.
        assert set(store.index_pending()) == {B1.link, N1.link}


async def test_watched_folder_and_realert_on_edit(
    tmp_path: Path, model_path: Path, sample_dir: Path, fake_bot_api: FakeBotAPI, server: FeedServer
) -> None:
    rel_old = "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt"
    rel_new = "data/2023/02/17/Government News_2_585275e9-86e3-473b-a7a6-d227ef020a17.txt"
    watch = tmp_path / "watch"

    def land(rel: str) -> None:
        (watch / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample_dir / rel, watch / rel)
        t = time.time() - 60
        os.utime(watch / rel, (t, t))

    land(rel_old)
    server.feeds["/th.xml"] = feed = Feed(entries=[B1])
    settings = _settings(
        tmp_path,
        model_path,
        fake_bot_api,
        release_feeds=[server.url("/th.xml")],
        watch_dirs=[str(watch)],
        realert_on_edit=True,
    )
    with AlertStore(settings.db_path) as store:
        store.subscribe(GROUP)
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as bot:
        poller = Poller(settings, feed_timeout=5, policy=FAST)
        first = await poller.poll(bot, index=False)
        assert [s.backlog for s in first.sources] == [1, 1] and first.alerts_queued == 0
        land(rel_new)
        feed.entries = [Entry(B1.link, B1.title, B1.body + " (แก้ไข)", category=B1.category)]
        second = await poller.poll(bot, index=False)
        third = await poller.poll(bot, index=False)
    assert second.alerts_queued == 2 and second.delivery is not None and second.delivery.sent == 2
    assert third.alerts_queued == 0 and third.delivery is not None and third.delivery.sent == 0
    sent = _sent(fake_bot_api)
    assert sent[(GROUP, B1.link)] == 1  # REALERT_ON_EDIT: the edit is announced, once
    assert sum(sent.values()) == 2 and all(chat == GROUP for chat, _ in sent)


async def test_a_feed_entry_does_not_replace_a_corpus_file(
    tmp_path: Path, model_path: Path, fake_bot_api: FakeBotAPI, server: FeedServer
) -> None:
    from corpus.registry import Registry
    from corpus.release import Release

    full = Release(
        url=N1.link,
        release_id="90003",
        title=N1.title,
        date="2023-12-19",
        category="ด้านสังคม",
        lang="th",
        body=N1.body + "\nรายละเอียดฉบับเต็มจากไฟล์ของคลังข่าว",
        path="data/2023/12/19/ด้านสังคม_1.txt",
    )
    settings = _settings(tmp_path, model_path, fake_bot_api)
    settings.db_path.parent.mkdir(parents=True)
    registry: Any = Registry(settings.db_path)
    registry.upsert(full)
    server.feeds["/th.xml"] = Feed(entries=[N1])
    settings = _settings(tmp_path, model_path, fake_bot_api, release_feeds=[server.url("/th.xml")])
    report = await Poller(settings, feed_timeout=5).poll(None, index=False)
    assert report.sources[0].changed == 0 and report.sources[0].new == 0
    assert registry.get(N1.link).body == full.body
    registry.close()
