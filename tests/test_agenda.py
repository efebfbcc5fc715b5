"""List answers (issue 16, item 3): the agenda parser, the list-question rule, the ``agenda_items`` rows
per generation, the reply's HTML, and (slow) ``ask --json`` and the real bot over a small real index of
synthetic cabinet summaries (tests/agenda_fixtures.py) with the "and N more" button."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from corpus.agenda import PARSER_VERSION, UNTITLED, AgendaItem, english_items, parse_agenda, thai_items
from corpus.release import Release
from corpus.sources import iter_source
from index.agenda_reply import SHOWN, render_html, render_rest_html, render_text
from index.answer.agenda import list_request, listing_of
from index.build import agenda_rows, store
from tests import agenda_fixtures as fx
from tests.fake_bot_api import FakeBotAPI, html_plain_text, utf16_len


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Release]:
    folder = fx.write_corpus(tmp_path_factory.mktemp("agenda_corpus"))
    found = {r.url.rsplit("/", 1)[-1]: r for r in iter_source(folder) if isinstance(r, Release)}
    assert set(found) == {fx.TH_ID, fx.EN_ID, fx.PLAIN_ID}
    return found


# --- the parser ------------------------------------------------------------------------------------
def test_thai_numbered_agenda(releases: dict[str, Release]) -> None:
    release = releases[fx.TH_ID]
    agenda = parse_agenda(release)
    assert agenda is not None and agenda.summary
    assert agenda.meeting_date == "2023-09-12"  # the title's meeting, not the publication (13 Sep)
    assert [i.title for i in agenda.items] == fx.TH_ITEMS
    assert [i.number for i in agenda.items] == list(range(1, 15))
    # Each item is placed at its heading below the table of contents (the numbers come round again).
    for item in agenda.items:
        assert release.body[item.start :].startswith(f"{item.number}. เรื่อง")
    assert agenda.items[0].start > release.body.index("14.")  # past the table of contents


def test_english_title_synopsis(releases: dict[str, Release]) -> None:
    release = releases[fx.EN_ID]
    agenda = parse_agenda(release)
    assert agenda is not None and agenda.summary
    assert release.date == "2023-09-17" and agenda.meeting_date == "2023-09-12"
    assert [i.title for i in agenda.items] == fx.EN_ITEMS
    assert all(release.body[i.start :].lstrip().startswith("Title:") for i in agenda.items)


def test_body_without_agenda(releases: dict[str, Release]) -> None:
    assert parse_agenda(releases[fx.PLAIN_ID]) is None
    assert thai_items("ข้อความธรรมดา 1. เรื่อง เดียว ไม่มีรายการ") == []
    assert english_items("Title: only one heading\ntext") == []


def test_numbered_lists_inside_items_are_not_titles() -> None:
    body = "1. เรื่อง ก\n2. เรื่อง ข\n***\n1. เรื่อง ก\n1. ข้อย่อย\n2. ข้อย่อย\n2. เรื่อง ข\n3. เรื่อง ค ในเนื้อหา"
    assert [i.title for i in thai_items(body)] == ["ก", "ข"]


def _broken_summary() -> str:
    """A synthetic summary whose table of contents lost line breaks and lines, as the archive's do: item
    4's line holds item 5 (and 5's holds 6), item 8 is missing (its heading below has it), item 10 is
    written after 11, and item 13 has no line and no heading. Titles hold numbers that must not split:
    a year, an amount, a reference to a clause with the next number, a later item's number."""
    titles = {
        1: "ร่างพระราชบัญญัติทดสอบ พ.ศ. 2567",
        2: "โครงการสมมติ วงเงิน 12 ล้านบาท",
        3: "ร่างระเบียบว่าด้วยการทดสอบ ตามข้อ 4. เรื่อง การตีความ",
        4: "รายงานผลการเจรจาสมมติระหว่างประเทศ ก และประเทศ ข",
        5: "การจัดทำบันทึกความเข้าใจสมมติ",
        6: "ผลการประชุมสมมติ ครั้งที่ 7/2567 9. เรื่อง ที่ยังไม่ถึงลำดับ",
        7: "การแต่งตั้งกรรมการสมมติ",
        8: "การแต่งตั้งผู้อำนวยการสมมติ",
        9: "มาตรการสมมติ ระยะที่ 1",
        10: "การลงนามความตกลงสมมติ",
        11: "การรับรองเอกสารสมมติ",
        12: "แต่งตั้งที่ปรึกษาสมมติ",
        14: "คำสั่งสมมติที่ 1/2567",
    }
    toc = [f"{n}. เรื่อง {titles[n]}" for n in (1, 2, 3)]
    toc.append(f"4. เรื่อง {titles[4]}  5. เรื่อง {titles[5]} 6. เรื่อง {titles[6]}")
    toc += [f"{n}. เรื่อง {titles[n]}" for n in (7, 9, 11, 10, 12, 14)]
    body = [f"{n}. เรื่อง {t}\nคณะรัฐมนตรีมีมติเห็นชอบ\n1. ข้อย่อย" for n, t in titles.items() if n != 13]
    return "\n".join(["สรุปข่าวการประชุมคณะรัฐมนตรี 2 มกราคม 2567", *toc, "*****", *body]) + "\n"


def test_a_broken_table_of_contents_neither_merges_nor_ends_the_list() -> None:
    body = _broken_summary()
    items = thai_items(body)
    assert [i.number for i in items] == list(range(1, 15))
    titles = {i.number: i.title for i in items}
    assert titles[4] == "รายงานผลการเจรจาสมมติระหว่างประเทศ ก และประเทศ ข"  # item 5 split off its line
    assert titles[5] == "การจัดทำบันทึกความเข้าใจสมมติ"
    assert titles[6].startswith("ผลการประชุมสมมติ ครั้งที่ 7/2567 9. เรื่อง")  # 9 is not the next number
    assert titles[3].endswith("ตามข้อ 4. เรื่อง การตีความ")  # a reference, not item 4
    assert titles[1].endswith("พ.ศ. 2567") and titles[2].endswith("12 ล้านบาท")
    assert titles[8] == "การแต่งตั้งผู้อำนวยการสมมติ"  # skipped above, its heading below
    assert titles[10] == "การลงนามความตกลงสมมติ" and titles[14] == "คำสั่งสมมติที่ 1/2567"
    assert titles[13] == UNTITLED  # no line, no heading: kept, numbered, said so in the reply
    for item in items:
        if item.title:
            assert body[item.start :].startswith(f"{item.number}. เรื่อง {item.title}")
    listing = listing_of(_meeting(items))
    assert "13. (the summary gives no title" in render_text(listing, "en")
    assert "13. (สรุปข่าวไม่ได้ระบุชื่อเรื่องนี้" in html_plain_text(render_rest_html(listing, "th"))


def test_a_heading_that_runs_into_the_decision_is_cut_before_it() -> None:
    """The heading line goes on with the cabinet's decision (21 of the archive's 8,470 Thai titles); a
    title that names a resolution of its own keeps it."""
    body = (
        "1. เรื่อง การแต่งตั้งกรรมการในคณะกรรมการสมมติ คณะรัฐมนตรีมีมติอนุมัติตามที่กระทรวงสมมติเสนอแต่งตั้งนาย ก\n"
        "2. เรื่อง รายงานสมมติประจำเดือนสิงหาคม 2566คณะรัฐมนตรีรับทราบรายงานสมมติ\n"
        "3. เรื่อง ขอยกเว้นมติคณะรัฐมนตรีที่ห้ามใช้ป่าที่คณะรัฐมนตรีมีมติให้รักษาไว้\n"
    )
    assert [i.title for i in thai_items(body)] == [
        "การแต่งตั้งกรรมการในคณะกรรมการสมมติ",
        "รายงานสมมติประจำเดือนสิงหาคม 2566",
        "ขอยกเว้นมติคณะรัฐมนตรีที่ห้ามใช้ป่าที่คณะรัฐมนตรีมีมติให้รักษาไว้",
    ]


def test_a_gap_too_wide_ends_the_table_of_contents() -> None:
    body = "1. เรื่อง ก\n2. เรื่อง ข\n6. เรื่อง ฉ ในเนื้อหา\n"
    assert [i.number for i in thai_items(body)] == [1, 2]


def _meeting(items: list[AgendaItem]) -> agenda_rows.MeetingAgenda:
    return agenda_rows.MeetingAgenda(fx.URL + "1", "t", "2024-01-02", "th", "2024-01-02", True, tuple(items))


# --- the list-question rule ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ("ครม. อนุมัติอะไรบ้างเมื่อวันที่ 29 สิงหาคม 2566", ("2023-08-29",)),
        ("มติ ครม. 12 ก.ค. 65 มีอะไรบ้าง", ("2022-07-12",)),
        ("ครม. 12 ธันวา 66 อนุมัติอะไรบ้าง", ("2023-12-12",)),
        ("What did the cabinet approve on 13 September 2023?", ("2023-09-13",)),
        ("cabinet decisions Sep 13, 2022", ("2022-09-13",)),
    ],
)
def test_list_questions(question: str, dates: tuple[str, ...]) -> None:
    request = list_request(question)
    assert request is not None and request.dates == dates


@pytest.mark.parametrize(
    "question",
    [
        "How much did the cabinet approve for the child support grant on 13 September 2023?",
        "ครม. อนุมัติงบประมาณโครงการเงินอุดหนุนเด็กแรกเกิดเท่าไหร่เมื่อวันที่ 13 กันยายน 2566",
        "What did the cabinet approve?",  # no day
        "When was the Huawei MOU signed?",
        "What happened on 13 September 2023?",  # no meeting named
    ],
)
def test_other_questions_are_not_list_questions(question: str) -> None:
    assert list_request(question) is None


def test_relative_days_are_bangkok_days_and_latest_means_the_newest_meeting() -> None:
    import datetime as dt

    late_utc = dt.datetime(2023, 9, 12, 20, 0, tzinfo=dt.UTC)  # already 13 Sep in Bangkok
    today = list_request("ครม. อนุมัติอะไรบ้างวันนี้", late_utc)
    assert today is not None and today.dates == ("2023-09-13",)
    yesterday = list_request("What did the cabinet approve yesterday?", late_utc)
    assert yesterday is not None and yesterday.dates == ("2023-09-12",)
    latest = list_request("ครม. ล่าสุดมีมติอะไรบ้าง")
    assert latest is not None and latest.dates == ()
    assert list_request("What is the latest minimum wage the cabinet approved?") is None


def test_yearless_date_tries_the_years_newest_first() -> None:
    request = list_request("what did the cabinet approve on 12 September?")
    assert request is not None and request.dates[0] > request.dates[-1] and "2023-09-12" in request.dates


# --- rows per generation ---------------------------------------------------------------------------
def _index_row(conn: sqlite3.Connection, r: Release, generation: int) -> None:
    conn.execute(
        "INSERT INTO indexed_releases(url, hash, release_id, title, date, category, lang, n_chunks, gen_from)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (r.url, r.hash, r.release_id, r.title, r.date, r.category, r.lang, generation),
    )


def test_rows_follow_generations(tmp_path: Path, releases: dict[str, Release]) -> None:
    conn = store.connect(tmp_path / "db.sqlite")
    store.create_schema(conn)
    with conn:
        for r in releases.values():
            _index_row(conn, r, 1)
            agenda_rows.insert(conn, r, 1)
    by_meeting = agenda_rows.meetings(conn, 1, ["2023-09-12"])
    assert {m.lang: len(m.items) for m in by_meeting} == {"th": 14, "en": 3}
    assert {m.lang for m in agenda_rows.meetings(conn, 1, [])} == {"th", "en"}  # no date: the newest
    # A day with no meeting falls back to summaries published that day (the Thai one, 13 Sep).
    assert [m.url for m in agenda_rows.meetings(conn, 1, ["2023-09-13"])] == [fx.URL + fx.TH_ID]
    from index.build import rows

    with conn:
        rows.retire(conn, [fx.URL + fx.EN_ID], 2)
    assert len(agenda_rows.meetings(conn, 1, ["2023-09-12"])) == 2  # generation 1 still sees it
    assert [m.lang for m in agenda_rows.meetings(conn, 2, ["2023-09-12"])] == ["th"]
    store.collect_garbage(conn, tmp_path / "index", 2, None)
    assert (
        conn.execute("SELECT COUNT(*) FROM agenda_items WHERE url = ?", (fx.URL + fx.EN_ID,)).fetchone()[0]
        == 0
    )
    conn.close()


def test_refresh_from_passages(tmp_path: Path, releases: dict[str, Release]) -> None:
    """An index built before the table: the rows come from the stored passages (exact body slices)."""
    conn = store.connect(tmp_path / "db.sqlite")
    store.create_schema(conn)
    r = releases[fx.TH_ID]
    with conn:
        _index_row(conn, r, 1)
        half = len(r.body) // 2
        for n, (start, end) in enumerate(((0, half + 50), (half, len(r.body)))):
            conn.execute(
                "INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char, n_tokens, sha,"
                " gen_from) VALUES (?, ?, ?, ?, ?, ?, 1, 'x', 1)",
                (n + 1, r.url, n, r.body[start:end], start, end),
            )
    assert agenda_rows.refresh(conn, 1) == 14
    assert agenda_rows.parser_version(conn) == PARSER_VERSION and agenda_rows.refresh(conn, 1) == 0
    [meeting] = agenda_rows.meetings(conn, 1, ["2023-09-12"])
    assert [i.title for i in meeting.items] == fx.TH_ITEMS
    # Rows an older parser wrote (item 14 lost, 13 merged with it) are parsed again, in place, once.
    with conn:
        conn.execute("DELETE FROM agenda_items WHERE number = 14")
        conn.execute("UPDATE agenda_items SET title = title || ' 14. เรื่อง x' WHERE number = 13")
        conn.execute("UPDATE agenda_meta SET value = '1' WHERE name = 'parser'")
    assert agenda_rows.refresh(conn, 1) == 14 and agenda_rows.refresh(conn, 1) == 0
    [meeting] = agenda_rows.meetings(conn, 1, ["2023-09-12"])
    assert [i.title for i in meeting.items] == fx.TH_ITEMS
    assert conn.execute("SELECT DISTINCT gen_from, gen_to FROM agenda_items").fetchall() == [(1, None)]
    conn.close()


def test_a_first_build_records_the_parser_without_parsing(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "db.sqlite")
    store.create_schema(conn)
    assert agenda_rows.refresh(conn, None) == 0 and agenda_rows.parser_version(conn) == PARSER_VERSION
    conn.close()


# --- replies ---------------------------------------------------------------------------------------
def test_reply_html_is_valid_and_cut_after_ten(releases: dict[str, Release]) -> None:
    conn = sqlite3.connect(":memory:")
    store.create_schema(conn)
    with conn:
        for r in releases.values():
            _index_row(conn, r, 1)
            agenda_rows.insert(conn, r, 1)
    th, en = sorted(agenda_rows.meetings(conn, 1, ["2023-09-12"]), key=lambda m: m.lang != "th")
    listing = listing_of(th, [en])
    first = render_html(listing, "th")
    plain = html_plain_text(first)
    assert utf16_len(first) <= 4096
    assert all(t in plain for t in fx.TH_ITEMS[:SHOWN]) and fx.TH_ITEMS[SHOWN] not in plain
    assert f"และอีก {len(fx.TH_ITEMS) - SHOWN} เรื่อง" in plain
    assert f'href="{fx.URL}{fx.TH_ID}"' in first and f'href="{fx.URL}{fx.EN_ID}"' in first
    rest = html_plain_text(render_rest_html(listing, "th"))
    assert all(t in rest for t in fx.TH_ITEMS[SHOWN:])
    assert all(t in render_text(listing, "th") for t in fx.TH_ITEMS)


def test_a_written_day_without_a_meeting_names_the_nearest_before_and_after(
    releases: dict[str, Release],
) -> None:
    conn = sqlite3.connect(":memory:")
    store.create_schema(conn)
    later = fx.URL + "990009"
    with conn:
        for r in releases.values():
            _index_row(conn, r, 1)
            agenda_rows.insert(conn, r, 1)
        title = "สรุปข่าวการประชุมคณะรัฐมนตรี 26 กันยายน 2566"
        _index_row(conn, Release(later, "", title, "2023-09-26", "", "th", "", hash="h"), 1)
        conn.execute(
            "INSERT INTO agenda_items(url, meeting_date, number, title, start_char, summary, gen_from)"
            " VALUES (?, '2023-09-26', 1, 'เรื่องสมมติ', 0, 1, 1)",
            (later,),
        )
    assert agenda_rows.nearest(conn, 1, "2023-09-19") == ["2023-09-12", "2023-09-26"]
    assert agenda_rows.nearest(conn, 1, "2023-09-01") == ["2023-09-12"]
    assert agenda_rows.nearest(conn, 1, "2023-10-01") == ["2023-09-26"]
    th = next(m for m in agenda_rows.meetings(conn, 1, ["2023-09-12"]) if m.lang == "th")
    near = (("2023-09-12", th.url), ("2023-09-26", later))
    listing = listing_of(th, [], ("2023-09-19", "2023-09-19"), near)
    html = render_html(listing, "th")
    assert html_plain_text(html).startswith(
        "ยังไม่มีสรุปมติ ครม. ของวันที่ 19 ก.ย. 2566 ในข่าวที่มีอยู่ การประชุมที่ใกล้ที่สุด:"
        " 12 ก.ย. 2566 (ก่อนหน้า), 26 ก.ย. 2566 (หลังจากนั้น)"
    )
    assert f'<a href="{later}">' in html and f'<a href="{th.url}">' in html
    text = render_text(listing, "en")
    assert text.startswith(
        "No cabinet meeting summary for 19 September 2023 in the releases I have; the nearest:"
        " 12 September 2023 (before), 26 September 2023 (after)"
    )
    assert text.rstrip().endswith(f"26 September 2023 (after)\n   {later}")
    conn.close()


# --- end to end (slow: the shared model builds a real index) ---------------------------------------
@pytest.fixture(scope="module")
def agenda_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from bot.service import BotService
    from index.build.pipeline import build_index
    from thaigov_qa.settings import SHARED_MODEL, Settings

    root = tmp_path_factory.mktemp("agenda_index")
    source = fx.write_corpus(root / "corpus")
    settings = Settings(data_dir=root / "var", embedding_model=str(SHARED_MODEL), _env_file=None)
    assert build_index(settings, source, progress=False).releases == 3
    return settings, BotService(settings)


@pytest.mark.slow
def test_an_update_parses_an_older_parsers_rows_again(tmp_path: Path) -> None:
    """How an existing index gets a parser fix: the next ``index update`` (nothing else changed)."""
    from index.build.pipeline import build_index, update_index
    from thaigov_qa.settings import SHARED_MODEL, Settings

    source = fx.write_corpus(tmp_path / "corpus")
    settings = Settings(data_dir=tmp_path / "var", embedding_model=str(SHARED_MODEL), _env_file=None)
    build_index(settings, source, progress=False)
    conn = store.connect(settings.db_path)
    with conn:
        conn.execute("DELETE FROM agenda_items WHERE number = 14")
        conn.execute("UPDATE agenda_meta SET value = '1' WHERE name = 'parser'")
    assert update_index(settings, source, progress=False).generation == 1  # nothing to re-index
    [th] = [m for m in agenda_rows.meetings(conn, 1, ["2023-09-12"]) if m.lang == "th"]
    assert [i.title for i in th.items] == fx.TH_ITEMS
    assert agenda_rows.parser_version(conn) == PARSER_VERSION
    conn.close()


@pytest.mark.slow
def test_ask_json_lists_the_items(agenda_index) -> None:  # type: ignore[no-untyped-def]
    from index.cli.ask import _answer_json

    settings, service = agenda_index
    answerer = service._answerer_for(service.searcher())
    th = _answer_json(answerer, "ครม. อนุมัติอะไรบ้างเมื่อวันที่ 12 กันยายน 2566")
    assert th["meeting_date"] == "2023-09-12" and [i["title"] for i in th["items"]] == fx.TH_ITEMS
    assert th["sources"][0]["url"].endswith(fx.TH_ID) and th["sources"][1]["url"].endswith(fx.EN_ID)
    assert "และอีก 4 เรื่อง" in html_plain_text(th["reply"])
    en = _answer_json(answerer, "What did the cabinet approve on September 12, 2023?")
    assert [i["title"] for i in en["items"]] == fx.EN_ITEMS and en["sources"][0]["url"].endswith(fx.EN_ID)
    plain = html_plain_text(en["reply"])
    assert all(t in plain for t in fx.EN_ITEMS) and "more" not in plain
    assert "asked_days" not in th and "asked_days" not in en


@pytest.mark.slow
def test_a_relative_day_without_a_meeting_gets_the_latest_and_says_so(agenda_index) -> None:  # type: ignore[no-untyped-def]
    from index.cli.ask import _answer_json
    from index.search.relative_days import today_in_bangkok

    settings, service = agenda_index
    answerer = service._answerer_for(service.searcher())
    yesterday = (today_in_bangkok() - dt.timedelta(days=1)).isoformat()
    en = _answer_json(answerer, "What did the cabinet approve yesterday?")
    assert en["meeting_date"] == "2023-09-12" and en["asked_days"] == [yesterday, yesterday]
    assert [i["title"] for i in en["items"]] == fx.EN_ITEMS
    assert html_plain_text(en["reply"]).startswith("No cabinet meeting summary for ")
    th = _answer_json(answerer, "ครม. สัปดาห์ที่แล้วอนุมัติอะไรบ้าง")
    first, last = th["asked_days"]
    assert th["meeting_date"] == "2023-09-12" and dt.date.fromisoformat(last) - dt.date.fromisoformat(
        first
    ) == dt.timedelta(days=6)
    assert html_plain_text(th["reply"]).startswith("ยังไม่มีสรุปมติ ครม. ของวันที่ ")


@pytest.mark.slow
def test_a_written_day_without_a_meeting_gets_the_nearest_and_says_so(agenda_index) -> None:  # type: ignore[no-untyped-def]
    from index.cli.ask import _answer_json

    settings, service = agenda_index
    answerer = service._answerer_for(service.searcher())
    en = _answer_json(answerer, "What did the cabinet approve on 20 September 2023?")
    assert en["meeting_date"] == "2023-09-12" and en["asked_days"] == ["2023-09-20", "2023-09-20"]
    assert en["nearest_meetings"] == [{"meeting_date": "2023-09-12", "url": fx.URL + fx.EN_ID}]
    assert [i["title"] for i in en["items"]] == fx.EN_ITEMS
    assert html_plain_text(en["reply"]).startswith(
        "No cabinet meeting summary for 20 September 2023 in the releases I have; the nearest:"
        " 12 September 2023 (before)"
    )
    th = _answer_json(answerer, "ครม. อนุมัติอะไรบ้างเมื่อวันที่ 1 กันยายน 2566")
    assert th["meeting_date"] == "2023-09-12" and th["sources"][0]["url"].endswith(fx.TH_ID)
    assert "12 ก.ย. 2566 (หลังจากนั้น)" in html_plain_text(th["reply"])


@pytest.mark.slow
async def test_bot_lists_and_shows_the_rest(fake_bot_api: FakeBotAPI, agenda_index) -> None:  # type: ignore[no-untyped-def]
    from tests.test_bot_e2e import _assert_no_rejected_sends, _bot_settings, running_bot

    settings, service = agenda_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text("ครม. อนุมัติอะไรบ้างเมื่อวันที่ 12 กันยายน 2566", user_id=71))
        await api.wait_for("sendMessage", chat_id=71)
        message = api.last_bot_message(71)
        plain = html_plain_text(message["text"])
        assert all(t in plain for t in fx.TH_ITEMS[:SHOWN]) and "และอีก 4 เรื่อง" in plain
        [button] = [
            b
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].startswith("agenda:")
        ]
        assert len(button["callback_data"].encode()) <= 64
        api.push(api.callback_query(message, button["callback_data"], user_id=71))
        sent = await api.wait_for("sendMessage", chat_id=71, count=2)
        await api.wait_for("answerCallbackQuery")
        rest = html_plain_text(sent[1]["text"])
        assert all(t in rest for t in fx.TH_ITEMS[SHOWN:])
        # A button of a release the index no longer has (or an old one) is still answered.
        api.push(api.callback_query(message, "agenda:th:123", user_id=71))
        await api.wait_for("answerCallbackQuery", count=2)
        # A second press of the same button (a double tap) is answered and sends nothing again.
        api.push(api.callback_query(message, button["callback_data"], user_id=71))
        await api.wait_for("answerCallbackQuery", count=3)
        # A round trip after it (not a fixed sleep): a repeated list would have been sent by now.
        api.push(api.private_text("/help", user_id=71))
        await api.wait_for("sendMessage", chat_id=71, count=3)
        await api.quiet(0.5)
    texts = [html_plain_text(c["text"]) for c in api.calls_of("sendMessage", chat_id=71)]
    assert len(texts) == 3 and fx.TH_ITEMS[SHOWN] not in texts[2]  # the help, not the list again
    assert all(utf16_len(c["text"]) <= 4096 for c in api.calls_of("sendMessage", chat_id=71))
    _assert_no_rejected_sends(api)
