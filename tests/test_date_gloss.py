"""Thai dates glossed in English in an English reply's quotes; the answer's own fields stay verbatim."""

from __future__ import annotations

from index.answer import Answer, Source
from index.date_gloss import gloss_dates
from index.reply import render_html, render_text


def test_thai_dates_get_their_gregorian_form_and_english_ones_stay() -> None:
    text = "ลงนามในวันที่ 18 ธ.ค. 2566 และจัดงาน 6 - 8 ธันวาคม 2568; เมื่อ 21/12/2565; on 5 March 2024; ธันวาคม 2566"
    assert gloss_dates(text) == (
        "ลงนามในวันที่ 18 ธ.ค. 2566 [18 December 2023] และจัดงาน 6 - 8 ธันวาคม 2568 [6–8 December 2025]; "
        "เมื่อ 21/12/2565 [21 December 2022]; on 5 March 2024; ธันวาคม 2566 [December 2023]"
    )
    assert gloss_dates("วันที่ 18 ธ.ค. ที่ผ่านมา") == "วันที่ 18 ธ.ค. ที่ผ่านมา"  # no year: no guess
    assert gloss_dates("") == ""


def test_english_replies_gloss_their_quotes_and_thai_replies_do_not() -> None:
    url = "https://www.thaigov.go.th/news/contents/details/76362"
    quote = "ลงนาม MOU ในวันที่ 18 ธ.ค. 2566"
    src = Source(url, "Huawei", "2023-12-19", "", 1.0, quote)
    for lang, glossed in (("en", True), ("th", False)):
        found = Answer("q", lang, True, None, quote, [src])
        refused = Answer("q", lang, False, None, None, [src])
        for reply in (render_html(found), render_text(found), render_html(refused), render_text(refused)):
            assert ("18 ธ.ค. 2566 [18 December 2023]" in reply) is glossed
        assert found.evidence == quote and found.to_json()["sources"][0]["snippet"] == quote  # verbatim
