"""The thaigov-v2 file parser: real files from ../shared/corpus/sample and crafted files for every quirk."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from corpus.sources import parse_bytes
from corpus.text import detect_lang, normalize, normalize_line
from corpus.thaigov import ParseError, category_from_path, crawl_date_from_path, parse_release

URL = "https://www.thaigov.go.th/news/contents/details/"
TAB_FILE = "data/2023/09/14/Government News\t_4_24256aa5-b209-4b80-9ece-79187ca76b35.txt"
OLD_FILE = "data/2021/01/12/ด้านสังคม_4.txt"
SPACE_FILE = "data/2025/01/02/ด้านการศึกษาฯ _1_2d1e4ece-37ab-40d2-ab09-b5fc27a422fd.txt"


def make(
    title: str = "รัฐบาลเปิดตัวโครงการใหม่",
    date_line: str = "วันอังคารที่ 19 ธันวาคม 2566",
    body: str = "วันนี้ (19 ธันวาคม 2566) นายกรัฐมนตรีเปิดตัวโครงการใหม่ ณ ทำเนียบรัฐบาล",
    numeric: str | None = "19/12/2566",
    print_label: bool = True,
    repeats: int = 2,
    url: str | None = URL + "76362",
    header: str = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-",
) -> str:
    """A file laid out like the corpus's (see ../shared/corpus/README.md)."""
    lines = [header + title, "", "", date_line]
    if numeric:
        lines.append(numeric)
    if print_label:
        lines.append("พิมพ์")
    lines += [title] * repeats
    if body:
        lines.append(body)
    if url is not None:
        lines += ["", f"ที่มา : {url}"]
    return "\n".join(lines)


def reason(text: str, path: str = "data/2023/12/19/ด้านเศรษฐกิจ_1.txt") -> str:
    with pytest.raises(ParseError) as info:
        parse_release(text, path)
    return info.value.reason


# --- real files ---------------------------------------------------------------------------------
def test_real_english_file_with_tab_in_category(sample_dir: Path) -> None:
    release = parse_release((sample_dir / TAB_FILE).read_text(encoding="utf-8"), TAB_FILE)
    assert release.url == URL + "72203" and release.release_id == "72203"
    assert release.date == "2023-09-14"
    assert release.category == "Government News"
    assert release.lang == "en"
    assert release.crawled == "2023-09-14"
    assert release.title.startswith("PM: Delegation of responsibilities among deputy prime ministers")
    # The date line, dd/mm/BBBB line, "พิมพ์" and the two title repeats are gone; the paragraph stays.
    assert release.body.startswith("September 14, 2023, at 1030hrs")
    assert "พิมพ์" not in release.body and "14/09/2566" not in release.body
    assert "ที่มา" not in release.body


def test_real_old_file_without_numeric_date(sample_dir: Path) -> None:
    release = parse_release((sample_dir / OLD_FILE).read_text(encoding="utf-8"), OLD_FILE)
    assert release.date == "2021-01-11"
    assert release.category == "ด้านสังคม"
    assert release.lang == "th"
    assert release.title == "ปลัดฯ ดีอีเอส ร่วมพิธี MOU (GBDi) จับมือ ปณท."  # trailing space trimmed
    assert release.body.startswith("เมื่อวันที่ 11 มกราคม 2564 นางสาวอัจฉรินทร์")
    assert "*******************" not in release.body  # separator lines dropped
    assert release.hash and len(release.hash) == 32


def test_real_file_trailing_space_category_and_credits_kept(sample_dir: Path) -> None:
    release = parse_release((sample_dir / SPACE_FILE).read_text(encoding="utf-8"), SPACE_FILE)
    assert release.category == "ด้านการศึกษาฯ"
    assert release.date == "2025-01-02"
    assert release.body.splitlines()[-1] == "สำนักงานรัฐนตรี กระทรวงศึกษาธิการ"  # the typo is kept


def test_seed_file_has_no_category(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "seed" / "76362.txt"
    release = parse_release(path.read_text(encoding="utf-8"), "76362.txt")
    assert release.category == "" and release.release_id == "76362" and release.date == "2023-12-19"
    assert "18 ธ.ค. 2566" in release.body


# --- crafted quirks -----------------------------------------------------------------------------
def test_crafted_minimal_release() -> None:
    release = parse_release(make(), "data/2023/12/20/ด้านเศรษฐกิจ_7_0d62a20e-b9e3-4746-9391-cdec5fe9a1ce.txt")
    assert release.title == "รัฐบาลเปิดตัวโครงการใหม่"
    assert release.body == "วันนี้ (19 ธันวาคม 2566) นายกรัฐมนตรีเปิดตัวโครงการใหม่ ณ ทำเนียบรัฐบาล"
    assert release.category == "ด้านเศรษฐกิจ" and release.crawled == "2023-12-20"


def test_header_without_section_part() -> None:
    release = parse_release(make(header="รัฐบาลไทย-"), "x.txt")
    assert release.title == "รัฐบาลเปิดตัวโครงการใหม่"


def test_agency_credit_before_url_is_kept_and_last_url_wins() -> None:
    body = "ข่าวการฝึกร่วม\nที่มา : กองทัพบก\nที่มา : http://example.org/old"
    release = parse_release(make(body=body, url=URL + "123"), "x.txt")
    assert release.url == URL + "123"
    assert "ที่มา : กองทัพบก" in release.body
    assert "ที่มา : http://example.org/old" in release.body


def test_nbsp_zwsp_and_nfc_not_nfkc() -> None:
    body = "รัฐบาล\u00a0กำหนด\u200bมาตรการ  ใหม่\tวันนี้ cafe\u0301"
    release = parse_release(make(title="นโยบาย\u00a0ใหม่  ", body=body), "x.txt")
    assert release.body == "รัฐบาล กำหนดมาตรการ ใหม่ วันนี้ café"
    assert "\u0e33" in release.body  # SARA AM kept whole (NFKC would split it into U+0E4D U+0E32)
    assert unicodedata.is_normalized("NFC", release.body)
    assert release.title == "นโยบาย ใหม่"


def test_repeated_title_with_different_spacing_and_teaser_marks() -> None:
    text = make(title="หัวข้อ  ข่าว", repeats=1, body="...\nหัวข้อ ข่าว\nเนื้อหาข่าว")
    assert parse_release(text, "x.txt").body == "เนื้อหาข่าว"


def test_placeholder_file() -> None:
    text = make(title="", date_line="วันพฤหัสบดีที่ 1 มกราคม 2513", numeric=None, print_label=False, body="")
    text = text.replace("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-", "รัฐบาลไทย-")
    assert reason(text, "data/2023/11/08/_1_80cefbb0-4598-4b2b-b51b-5ec401295ace.txt") == "placeholder_date"


def test_skip_reasons() -> None:
    assert reason(make(title="")) == "no_title"
    assert reason(make(date_line="ไม่มีวันที่")) == "no_date"
    assert reason(make(url=None)) == "no_url"
    assert reason(make(body="", repeats=0)) == "empty_body"
    assert reason(make(body="")) == "title_only"
    assert reason(make(body="...")) == "title_only"
    assert reason("") == "empty_body"
    assert reason("\ufffd" * 500) == "bad_encoding"


def test_truncated_files() -> None:
    whole = make(body="ย่อหน้าแรก\nย่อหน้าที่สอง")
    # Cut before the source line: no URL.
    assert reason(whole[: whole.index("ที่มา")]) == "no_url"
    assert reason(whole[: whole.index("details/") + 5]) == "no_url"  # cut inside the source URL
    # A multi-byte character cut at the very end decodes as U+FFFD: dropped, the release kept.
    data = whole.encode("utf-8") + "ก".encode()[:2]
    release = parse_bytes(data, "x.txt")
    assert not isinstance(release, ParseError) and getattr(release, "url", "") == URL + "76362"
    release = parse_release(make(body="เนื้อหาที่ถูกตัด\ufffd"), "x.txt")
    assert release.body == "เนื้อหาที่ถูกตัด"


def test_any_truncation_of_a_real_file_is_a_release_or_a_reason(sample_dir: Path) -> None:
    data = (sample_dir / OLD_FILE).read_bytes()
    outcomes = set()
    for cut in range(0, len(data), 37):
        result = parse_bytes(data[:cut], OLD_FILE)
        outcomes.add(getattr(result, "reason", "release"))
    assert outcomes <= {"empty_body", "no_date", "no_url", "release"} and "no_url" in outcomes
    assert reason("\u200b\n<br>\n") == "empty_body"


def test_non_utf8_bytes_are_skipped() -> None:
    skipped = parse_bytes(make().encode("cp874"), "data/2023/12/19/ด้านสังคม_1.txt")
    assert getattr(skipped, "reason", None) == "bad_encoding"
    assert getattr(skipped, "path", None) == "data/2023/12/19/ด้านสังคม_1.txt"


def test_html_tags_stripped() -> None:
    body = '<span style="color: rgb(28, 43, 51)">ข้อความ</span> สำคัญ<br/>ต่อ &amp; จบ'
    release = parse_release(make(body=body), "x.txt")
    assert release.body == "ข้อความ สำคัญ ต่อ & จบ"


def test_bare_angle_brackets_are_not_tags() -> None:
    release = parse_release(make(body="รางวัล <> จำนวน 1 รางวัล และ a < b > c"), "x.txt")
    assert release.body == "รางวัล <> จำนวน 1 รางวัล และ a < b > c"


def test_windows_line_endings() -> None:
    release = parse_release(make(body="บรรทัดหนึ่ง\nบรรทัดสอง").replace("\n", "\r\n"), "x.txt")
    assert release.body == "บรรทัดหนึ่ง\nบรรทัดสอง"


# --- helpers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("data/2023/09/14/Government News\t_4_24256aa5-b209-4b80-9ece-79187ca76b35.txt", "Government News"),
        ("data/2023/09/14/Government News _4_24256aa5-b209-4b80-9ece-79187ca76b35.txt", "Government News"),
        ("data/2021/01/12/ด้านสังคม_4.txt", "ด้านสังคม"),
        (
            "data/2023/11/19/ข่าวรอง นรม  รมตนร_1_945bbf44-ea7a-4db7-af21-56e5c5169b6c.txt",
            "ข่าวรองนายกรัฐมนตรี รัฐมนตรีประจำสำนักนายกรัฐมนตรี",
        ),
        (
            "data/2023/11/19/ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี_2.txt",
            "ข่าวรองนายกรัฐมนตรี รัฐมนตรีประจำสำนักนายกรัฐมนตรี",
        ),
        ("data/2023/08/29/สรุปข่าวการประชุม ครม._1.txt", "สรุปข่าวการประชุม ครม"),
        ("data/2023/11/08/_1_80cefbb0-4598-4b2b-b51b-5ec401295ace.txt", ""),
        ("76362.txt", ""),
    ],
)
def test_category_from_path(path: str, category: str) -> None:
    assert category_from_path(path) == category


def test_crawl_date_from_path() -> None:
    assert crawl_date_from_path("data/2022/11/05/ด้านเศรษฐกิจ_1.txt") == "2022-11-05"
    assert crawl_date_from_path("76362.txt") == ""


def test_normalize_and_detect_lang() -> None:
    assert normalize("a\u00a0\u00a0b \u200b\r\nc\u2009d  ") == "a b\nc d"
    assert normalize_line(" หัวข้อ\n ข่าว ") == "หัวข้อ ข่าว"
    assert detect_lang("Prime Minister visits Chiang Mai") == "en"
    assert detect_lang("นายกรัฐมนตรีลงพื้นที่ Chiang Mai ตรวจเยี่ยม MOU") == "th"
    assert detect_lang("12345") == "th"


def test_unclosed_comments_take_linear_time_and_closed_ones_are_stripped() -> None:
    """Each unclosed ``<!--`` used to scan to the end of the file: 60,000 of them took 100 s to parse."""
    import time

    started = time.perf_counter()
    release = parse_release(make(body="ข่าววันนี้ " + "<!--" * 60_000), "x.txt")
    assert time.perf_counter() - started < 5 and release.body.startswith("ข่าววันนี้")
    closed = parse_release(make(body="ก <!-- ซ่อน\nไว้ --> ข <b>ค</b> &amp; ง <!-- ค้าง"), "x.txt")
    assert "ซ่อน" not in closed.body and "<b>" not in closed.body and "& ง" in closed.body


@pytest.mark.parametrize(
    "date_line", ["วันอังคารที่ 31 กุมภาพันธ์ 2566", "วันอังคารที่ 19 ธันวาคม 99999", "วันอังคารที่ 19 ธันวาคม 0543"]
)
def test_a_date_line_that_does_not_read_as_a_day_is_quoted(date_line: str) -> None:
    """A bare 'no_date' sent the admin looking for a date line that is there."""
    with pytest.raises(ParseError) as info:
        parse_release(make(date_line=date_line), "data/2023/12/19/ด้านเศรษฐกิจ_1.txt")
    assert (info.value.reason, info.value.detail) == ("no_date", f"date line not understood: {date_line!r}")


def test_control_characters_are_dropped() -> None:
    """A file padded with NUL bytes was indexed with them, and its passages quoted them to the user."""
    release = parse_release(make(title="ข่าว\x00ทดสอบ", body="เนื้อหา\x00\x00มี\x07ไบต์\x1bศูนย์\x7f"), "x.txt")
    assert (release.title, release.body) == ("ข่าวทดสอบ", "เนื้อหามีไบต์ศูนย์")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("https://www.thaigov.go.th/news/contents/details/76362", "76362"),
        ("  http://thaigov.go.th/news/contents/details/76362/ ", "76362"),
        ("www.thaigov.go.th/news/contents/details/76362?utm_source=line#top", "76362"),
        ("<https://www.thaigov.go.th/news/contents/details/76362>", "76362"),
        ("ดูข่าวนี้ https://www.thaigov.go.th/news/contents/details/76362", None),  # a question about it
        ("https://www.thaigov.go.th/news/contents/details/", None),
        ("https://example.org/news/contents/details/76362", None),
        ("When was the Huawei MOU signed?", None),
    ],
)
def test_a_message_that_is_only_a_release_link(message: str, expected: str | None) -> None:
    from corpus.release import linked_release_id

    assert linked_release_id(message) == expected


def test_a_release_link_inside_a_message_is_split_from_its_words() -> None:
    from corpus.release import split_release_link

    link = "https://www.thaigov.go.th/news/contents/details/93824"
    assert split_release_link(f"what is this about? {link}") == ("93824", "what is this about?")
    assert split_release_link(f"ข่าวนี้ <{link}?utm_source=line> ลงนามเมื่อไร") == ("93824", "ข่าวนี้ ลงนามเมื่อไร")
    assert split_release_link("see https://notthaigov.go.th/news/contents/details/1") == (
        None,
        "see https://notthaigov.go.th/news/contents/details/1",
    )
