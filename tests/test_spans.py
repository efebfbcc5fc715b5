"""Short answer spans: dates (Buddhist era to Gregorian for English), numbers with units, people, places."""

from __future__ import annotations

import datetime as dt

import pytest

from index.answer.qtype import detect_qtype
from index.answer.sentences import split_sentences
from index.answer.spans import (
    best_span,
    find_date_spans,
    find_number_spans,
    find_person_spans,
    find_phone_spans,
    find_place_spans,
    find_time_spans,
    find_year_spans,
    format_date_answer,
    span_answer,
)


def _date_answer(text: str, lang: str, default_year: int | None = None) -> str:
    spans = find_date_spans(text, default_year)
    assert spans, text
    return format_date_answer(spans[0], lang)


@pytest.mark.parametrize(
    ("text", "english", "thai"),
    [
        ("ลงนามในวันที่ 18 ธ.ค. 2566", "18 December 2023 (18 ธ.ค. 2566)", "18 ธ.ค. 2566"),
        ("เมื่อวันที่ 15 ตุลาคม 2567", "15 October 2024 (15 ตุลาคม 2567)", "15 ตุลาคม 2567"),
        ("ประกาศเมื่อ 5 ก.ย. 63 ที่ผ่านมา", "5 September 2020 (5 ก.ย. 63)", "5 ก.ย. 63"),
        ("จัดงานระหว่างวันที่ 6-8 ธันวาคม 2567", "6–8 December 2024 (6-8 ธันวาคม 2567)", "6-8 ธันวาคม 2567"),
        ("ภายในเดือนมีนาคม 2565", "March 2022 (เดือนมีนาคม 2565)", "เดือนมีนาคม 2565"),
        ("extended until September 30, 2022.", "30 September 2022 (September 30, 2022)", None),
        ("signed on 9 January 2024", "9 January 2024", None),
    ],
)
def test_dates_normalised(text: str, english: str, thai: str | None) -> None:
    assert _date_answer(text, "en") == english
    if thai is not None:
        assert _date_answer(text, "th") == thai


def test_english_date_in_thai_reply_gets_buddhist_era() -> None:
    assert _date_answer("signed on 9 January 2024", "th") == "9 January 2024 (9 ม.ค. 2567)"


def test_yearless_date_takes_the_release_year() -> None:
    spans = find_date_spans("ประชุมเมื่อวันที่ 3 มี.ค. ที่ผ่านมา", default_year=2022)
    assert spans[0].date == dt.date(2022, 3, 3)


def test_release_day_in_brackets_scores_below_the_event_date() -> None:
    text = "วันนี้ (19 ธันวาคม 2566) โฆษกเปิดเผยว่า ได้ลงนาม MOU ในวันที่ 18 ธ.ค. 2566"
    span = best_span(text, detect_qtype("When was the MOU signed?"), "When was the MOU signed?")
    assert span is not None and span.date == dt.date(2023, 12, 18)


def test_numbers_keep_prefix_multiplier_and_unit() -> None:
    text = "ใช้งบประมาณ 179.950 ล้านบาท มีผู้ลงทะเบียนแล้ว 552,697 คน และบริษัทญี่ปุ่นกว่า 5,800 แห่ง"
    got = [s.text for s in find_number_spans(text)]
    assert got == ["179.950 ล้านบาท", "552,697 คน", "กว่า 5,800 แห่ง"]


def test_numbers_skip_dates_times_ordinals_and_years() -> None:
    text = "การประชุมครั้งที่ 25 เมื่อ 3 มีนาคม 2565 เวลา 12.05 น. ในปี 2565 มีผู้เข้าร่วม 16 ประเทศ"
    assert [s.text for s in find_number_spans(text)] == ["16 ประเทศ"]


def test_thai_digits_are_numbers() -> None:
    assert [s.text for s in find_number_spans("ผู้ประกอบการยื่นข้อเสนอ ๗ ราย")] == ["๗ ราย"]


def test_count_prefers_the_unit_the_question_names() -> None:
    text = "แรงงานเดินทางถึงไทยทั้งสิ้น 40 คน ได้รับเงินรายละ 15,000 บาท ใช้รถบัส 2 คัน"
    q = "ใช้รถบัสกี่คัน"
    span = best_span(text, detect_qtype(q), q)
    assert span is not None and span_answer(span, "th") == "2 คัน"
    q = "How much did each worker receive?"
    span = best_span(text, detect_qtype(q), q)
    assert span is not None and span.text == "รายละ 15,000 บาท"


def test_a_number_the_question_states_is_not_its_answer() -> None:
    text = "ในปี 2565 มีผู้เข้าร่วม 25 ประเทศ จากสมาชิกทั้งหมด 40 ประเทศ"
    q = "How many of the 40 countries took part?"
    span = best_span(text, detect_qtype(q), q)
    assert span is not None and span.text == "25 ประเทศ"


def test_people_with_thai_and_english_titles() -> None:
    text = (
        "นายกรัฐมนตรี มอบหมายให้ นายระบิล พรพัฒน์กุล รักษาการผู้จัดการ โดยมี พันตำรวจโท ประวุธ วงศ์สีนิล "
        "และ นพ.อธิวัฒน์ น้อยประสิทธิ์ ร่วมกับ Mr. Edison Xu"
    )
    got = [s.text for s in find_person_spans(text)]
    assert got == ["นายระบิล พรพัฒน์กุล", "พันตำรวจโท ประวุธ วงศ์สีนิล", "นพ.อธิวัฒน์ น้อยประสิทธิ์", "Mr. Edison Xu"]


def test_places() -> None:
    got = [s.text for s in find_place_spans("จับกุมผู้ต้องหาได้ที่ ต.บึงคำพร้อย อ.ลำลูกกา จ.ปทุมธานี")]
    assert "ต.บึงคำพร้อย อ.ลำลูกกา จ.ปทุมธานี" in got
    q = "Where were the talks held?"
    span = best_span("Talks were held at The Langham in Melbourne.", detect_qtype(q), q)
    assert span is not None and span.text in ("The Langham", "The Langham in Melbourne")


def test_sentences_are_verbatim_slices_and_keep_names_whole() -> None:
    text = (
        "วันนี้ (19 ธันวาคม 2566) นายชัย วัชรงค์ โฆษกประจำสำนักนายกรัฐมนตรี เปิดเผยว่า กระทรวงดิจิทัลเพื่อเศรษฐกิจ"
        "และสังคม ได้ร่วมงานสัมมนา พร้อมลงนามความร่วมมือกับบริษัทเอกชน ในวันที่ 18 ธ.ค. 2566 "
        "เพื่อการพัฒนาด้านดิจิทัล สนับสนุนการสร้างระบบนิเวศด้านคลาวด์ และสร้างบุคลากรที่มีความสามารถให้กับประเทศไทย\n"
        "The Prime Minister met Mr. Anwar. They discussed trade and rubber prices."
    )
    sentences = split_sentences(text)
    assert len(sentences) >= 4
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert len(s.text) <= 320
    assert not any(s.text.endswith("นายชัย") for s in sentences)
    assert "They discussed trade and rubber prices." in [s.text for s in sentences]


@pytest.mark.parametrize(
    "question",
    ["What was the consumer confidence index in May?", "ดัชนีความเชื่อมั่นผู้บริโภคเดือนพฤษภาคมอยู่ที่เท่าไร"],
)
def test_a_score_or_index_is_not_a_count_of_things(question: str) -> None:
    # A measured value is a bare number (or points, per cent), not "77 จังหวัด" counted beside it.
    text = "การสำรวจครอบคลุม 77 จังหวัด พบว่าดัชนีความเชื่อมั่นผู้บริโภคอยู่ที่ระดับ 52.4 ลดลงจากเดือนก่อน"
    span = best_span(text, detect_qtype(question), question)
    assert span is not None and span.text.strip() == "52.4"
    assert span.fit == 1.0


def test_organisation_spans_and_the_kind_asked() -> None:
    from index.answer.qtype import detect_qtype
    from index.answer.spans import best_span, find_org_spans

    text = "สวนเพลินจิตเป็นความร่วมมือของกระทรวงคมนาคม โดย รฟท. และเอกชนคือบริษัท เวอริซายน์ จำกัด"
    assert [s.text for s in find_org_spans(text)] == ["กระทรวงคมนาคม", "บริษัท เวอริซายน์ จำกัด"]
    assert [s.text for s in find_org_spans("ทางชมรมจะมอบให้กับมูลนิธิไชยยงค์ ชูชาติ ของ ส.ป.ก.")][-1] == (
        "มูลนิธิไชยยงค์ ชูชาติ"
    )
    assert [s.text for s in find_org_spans("filed with the Central Administrative Court on Monday")] == [
        "Central Administrative Court"
    ]
    assert [s.text for s in find_org_spans("Verisign Co., Ltd. and the Department of Forestry")] == [
        "Verisign Co., Ltd.",
        "Department of Forestry",
    ]
    qt = detect_qtype("Which private company partnered with the State Railway to develop the park?")
    assert (qt.qtype, qt.kind, qt.unit) == ("which", "org", "company")
    span = best_span(text, qt, "Which private company partnered with the State Railway?")
    assert span is not None and span.text == "บริษัท เวอริซายน์ จำกัด" and span.fit == 1.0
    assert detect_qtype("มูลนิธิไหนได้รับรายได้จากงานวิ่ง").kind == "org"
    assert detect_qtype("Which country sent the most tourists?").kind == "place"


def test_spans_of_a_sentence_are_cached_and_callers_get_their_own_list() -> None:
    from index.answer.qtype import QuestionType
    from index.answer.spans import _spans_of, candidate_spans

    qt = QuestionType("how_many", "number", "th", None)
    text = "มีผู้เข้าร่วมงาน 1,200 คน และหน่วยงาน 35 แห่ง"
    first = candidate_spans(text, qt)
    hits = _spans_of.cache_info().hits
    first.clear()
    second = candidate_spans(text, qt)
    assert _spans_of.cache_info().hits == hits + 1
    assert any("1,200" in s.text for s in second)


@pytest.mark.parametrize(
    ("text", "places", "people"),
    [
        # A place glued to ที่ ends before the next title; the title's name is a person.
        ("วันนี้ (23 สิงหาคม 2564) ที่ทำเนียบรัฐบาล นายอนุชา บูรพชัยศรี โฆษก", ["ทำเนียบรัฐบาล"], ["นายอนุชา บูรพชัยศรี"]),
        ("ณ ตึกภักดีบดินทร์ ทำเนียบรัฐบาล นายเศรษฐา ทวีสิน", ["ตึกภักดีบดินทร์ ทำเนียบรัฐบาล"], ["นายเศรษฐา ทวีสิน"]),
        # อ. inside a rank (พล.อ.) is no district; a verb after a name is no surname.
        ("รอง นรม. พล.อ.ประวิตรฯ หารือ", [], None),
        ("นายอนุทิน กล่าวต่อว่า จาก", [], ["นายอนุทิน"]),
        ("นายแพทย์โอภาสกล่าวต่อว่า สำหรับการเฝ้า", [], ["นายแพทย์โอภาส"]),
        # นาง inside พัฒนางาน is no title (a name does not start with a following vowel).
        ("การพัฒนางานสำคัญของโรงพยาบาล", None, []),
    ],
)
def test_thai_names_and_places_stop_where_they_end(
    text: str, places: list[str] | None, people: list[str] | None
) -> None:
    if places is not None:
        # The expected places lead (a shorter one inside them may follow); [] means no place at all.
        found = [s.text for s in find_place_spans(text)]
        assert found[: len(places)] == places if places else found == []
    if people is not None:
        assert [s.text for s in find_person_spans(text)] == people


def test_an_english_title_is_not_a_name_word() -> None:
    text = (
        "Spokesperson Anucha Burapachaisri disclosed that Prime Minister and Defense Minister "
        "Gen. Prayut Chan-o-cha"
    )
    assert [s.text for s in find_person_spans(text)] == [
        "Spokesperson Anucha Burapachaisri",
        "Gen. Prayut Chan-o-cha",
    ]


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("ติดตามได้ที่เว็บไซต์ www.nbtc.go.th หรือโทร. 02 6708888 นอกเวลา", ["02 6708888"]),
        ("ทาง line @1323forthai และสายด่วน 1323 ตลอด 24 ชั่วโมง", ["1323"]),
        ("สอบถามได้ที่ โทร.0-2208 4174-8", ["0-2208 4174-8"]),
        ("Call Center 1111 กด 77 หรือ 081-234-5678 ต่อ 12", ["1111", "081-234-5678 ต่อ 12"]),
        # A four-digit number without a cue word is a count or a year, not a hotline.
        ("มีผู้ลงทะเบียน 1323 คน ในปี 2565", []),
        # A list shares its cue; a comma ends a number; a tax id is no phone number, a counted hotline none.
        ("โทร 1111, 1669 หรือ 1323", ["1111", "1669", "1323"]),
        ("สอบถามโทร 02 123 4567, 02 123 4568", ["02 123 4567", "02 123 4568"]),
        ("เลขประจำตัวผู้เสียภาษี 0-1055-36000-12-3 หมายเลข 1500 คน", []),
    ],
)
def test_phone_numbers_and_hotlines(text: str, phones: list[str]) -> None:
    assert [s.text for s in find_phone_spans(text)] == phones


def test_a_phone_question_gets_the_number_after_its_cue() -> None:
    question = "ถ้าจะติดต่อ กสทช. โทรเบอร์อะไร"
    text = "ในปี 2565 มีผู้ร้องเรียน 1,200 ราย สอบถามได้ที่ โทร. 02 6708888"
    span = best_span(text, detect_qtype(question), question)
    assert span is not None and (span.kind, span.text) == ("phone", "02 6708888")


@pytest.mark.parametrize(
    ("text", "year", "thai"),
    [
        ("เร่งเจรจาให้แล้วเสร็จภายในปี 2565 เพื่อ", 2022, "ภายในปี 2565"),
        ("รางวัลนี้มีมาตั้งแต่ปี พ.ศ. 2550 เป็นต้นมา", 2007, "ตั้งแต่ปี พ.ศ. 2550"),
        ("construction is expected to begin in 2023.", 2023, "2023"),
    ],
)
def test_a_year_named_alone_is_a_date_span(text: str, year: int, thai: str) -> None:
    dates = find_date_spans(text)
    assert dates == []
    (span,) = find_year_spans(text, dates)
    assert (span.granularity, span.date, span.text) == ("year", dt.date(year, 1, 1), thai)
    english = format_date_answer(span, "en")
    assert english == str(year) if thai == str(year) else english == f"{year} ({thai})"


@pytest.mark.parametrize(
    "text",
    ["แผนปฏิบัติการปี 2566-2570", "In 2023-24 the plan", "จำนวน 2020 คัน", "sold 2000 tons", "ISO 9001:2015"],
)
def test_ranges_counts_and_codes_are_not_years(text: str) -> None:
    assert find_year_spans(text, find_date_spans(text)) == []


def test_an_english_year_in_a_thai_reply_gets_its_buddhist_year_not_a_day() -> None:
    (span,) = find_year_spans("In 2023, the MOU was signed.", [])
    assert span.text == "2023" and format_date_answer(span, "th") == "2023 (พ.ศ. 2566)"


def test_a_year_does_not_shadow_a_full_date_or_a_count() -> None:
    text = "ลงนามเมื่อ 18 ธันวาคม 2566 มีผู้เข้าร่วม 2020 คน และจะขยายผลในปี 2567"
    dates = find_date_spans(text)
    assert [s.text for s in find_year_spans(text, dates)] == ["ในปี 2567"]
    when = detect_qtype("ลงนามเมื่อไหร่")
    assert best_span(text, when, "ลงนามเมื่อไหร่").granularity == "day"  # a full date outscores a year
    which_year = detect_qtype("จะขยายผลปีไหน")
    assert best_span(text, which_year, "จะขยายผลปีไหน").text == "ในปี 2567"


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("วันนี้ (18 ธันวาคม 2566) เวลา 14.00 น. ณ ทำเนียบรัฐบาล", ["เวลา 14.00 น."]),
        ("เปิดให้เข้าชมตั้งแต่เวลา 16.00-22.00 น. ทุกวัน", ["ตั้งแต่เวลา 16.00-22.00 น."]),
        ("เมื่อเวลา ๑๓.๓๐ น. และ 10:50 น.", ["เวลา ๑๓.๓๐ น.", "10:50 น."]),
        ("the press conference at 1505hrs, then 10.30 a.m.", ["1505hrs", "10.30 a.m."]),
        # A decimal without a clock's unit is no time: a percentage, a price.
        ("เสี่ยงซึมเศร้า 7.31% ราคา 12.50 บาท", []),
    ],
)
def test_times_of_day(text: str, times: list[str]) -> None:
    assert [s.text for s in find_time_spans(text)] == times


def test_a_what_time_question_gets_the_time_not_the_release_date() -> None:
    question = "นายกฯ มอบนโยบายทำงบปี 67 กี่โมง"
    text = "วันนี้ (18 ธันวาคม 2566) เวลา ๐๙.๓๐ น. ที่ทำเนียบรัฐบาล นายกรัฐมนตรีมอบนโยบาย"
    span = best_span(text, detect_qtype(question), question)
    assert span is not None and (span.kind, span.text) == ("time", "เวลา ๐๙.๓๐ น.")


def test_a_time_the_question_states_is_not_its_answer() -> None:
    question = "งานเริ่มเวลา 14.00 น. แล้วเลิกกี่โมง"
    text = "เริ่มเวลา 14.00 น. และเลิกเวลา 16.30 น."
    span = best_span(text, detect_qtype(question), question)
    assert span is not None and span.text == "เวลา 16.30 น."


def test_an_english_reply_reads_a_thai_time_on_the_24_hour_clock() -> None:
    from index.answer.span_values import format_time_answer

    assert format_time_answer("เวลา 09.20 น.", "en") == "09:20 (เวลา 09.20 น.)"
    assert format_time_answer("เวลาประมาณ 17.00 น.", "en") == "about 17:00 (เวลาประมาณ 17.00 น.)"
    assert format_time_answer("14.00 – 17.00 น.", "en") == "14:00–17:00 (14.00 – 17.00 น.)"
    assert format_time_answer("ตั้งแต่เวลา 08.00 น.", "en") == "from 08:00 (ตั้งแต่เวลา 08.00 น.)"
    assert format_time_answer("๑๓.๓๐ นาฬิกา", "en") == "13:30 (๑๓.๓๐ นาฬิกา)"
    # Read whole or not at all; a Thai reply keeps the release's words.
    assert format_time_answer("ฤกษ์เวลา 09.09 น.", "en") == "ฤกษ์เวลา 09.09 น."
    assert format_time_answer("10.30 a.m.", "en") == "10.30 a.m."
    assert format_time_answer("เวลา 09.20 น.", "th") == "เวลา 09.20 น."
    span = find_time_spans("นายกฯ เดินทางถึงเมื่อเวลา 13.30 น. และ")[0]
    assert span_answer(span, "en") == "13:30 (เวลา 13.30 น.)" and span_answer(span, "th") == "เวลา 13.30 น."
