"""An English reply's short answer for a Thai amount: its English, then the release's own words."""

from __future__ import annotations

import pytest

from index.answer.number_gloss import english_amount, gloss_amounts, glossed_amount
from index.answer.qtype import detect_qtype
from index.answer.span_values import find_number_spans
from index.answer.spans import best_span, span_answer


@pytest.mark.parametrize(
    ("thai", "english"),
    [
        ("35,408 ล้านบาท", "35,408 million baht"),
        ("ร้อยละ 62.4", "62.4%"),
        ("กว่าร้อยละ 50", "more than 50%"),
        ("93 ประเทศ", "93 countries"),
        ("กว่า 20.7 ล้านคน", "more than 20.7 million people"),
        ("๓๖ คะแนน", "36 points"),
        ("5 แสนคน", "500,000 people"),
        ("2 หมื่นล้านบาท", "20 billion baht"),
        ("1.5 แสนล้านบาท", "150 billion baht"),
        ("ประมาณ 3 พันล้านบาท", "about 3 billion baht"),
        ("ลิตรละ 33 บาท", "33 baht per litre"),
        ("33 บาท/ลิตร", "33 baht per litre"),
        ("3.99 บาทต่อหน่วย", "3.99 baht per unit"),
        ("ร้อยละ 62.4 ต่อปี", "62.4% per year"),
    ],
)
def test_amounts_read_whole_get_their_english(thai: str, english: str) -> None:
    assert english_amount(thai) == english
    assert glossed_amount(thai) == f"{english} ({thai})"


@pytest.mark.parametrize(
    "thai",
    [
        "100 ราย",  # cases or people: depends on what is counted
        "1,200 แห่ง",  # hospitals, sites, branches...
        "รายละ 15,000 บาท",  # per person or per case
        "10-20 คน",  # a range
        "ลิตรละ 33",  # a rate with no unit
        "12.5%",  # nothing Thai to gloss
        "อันดับที่ 25",
    ],
)
def test_amounts_with_an_unsure_part_stay_thai(thai: str) -> None:
    assert english_amount(thai) is None
    assert glossed_amount(thai) == thai


def test_an_english_reply_glosses_the_span_a_thai_reply_does_not() -> None:
    text = "กองทุนมีหนี้สะสม 35,408 ล้านบาท ณ วันที่ 1 ตุลาคม"
    span = next(s for s in find_number_spans(text) if "ล้านบาท" in s.text)
    assert span_answer(span, "th") == "35,408 ล้านบาท"
    assert span_answer(span, "en") == "35,408 million baht (35,408 ล้านบาท)"
    q = "How many countries get visa-free entry?"
    span = best_span("ไทยให้สิทธิยกเว้นการตรวจลงตราแก่ 93 ประเทศ", detect_qtype(q), q)
    assert span is not None and span_answer(span, "en") == "93 countries (93 ประเทศ)"


def test_an_english_quote_glosses_its_amounts_and_dates() -> None:
    from index.reply import quoted

    text = "ณ วันที่ 18 ธ.ค. 2566 มีหนี้ 35,408 ล้านบาท คิดเป็นร้อยละ 62.4 ของ GDP"
    assert quoted(text, "en") == (
        "ณ วันที่ 18 ธ.ค. 2566 [18 December 2023] มีหนี้ 35,408 ล้านบาท [35,408 million baht]"
        " คิดเป็นร้อยละ 62.4 [62.4%] ของ GDP"
    )
    assert quoted(text, "th") == text


def test_a_quote_leaves_cut_amounts_links_and_phone_numbers_alone() -> None:
    assert gloss_amounts("บัญชีน้ำมัน 5 แสน…") == "บัญชีน้ำมัน 5 แสน…"  # may be 5 แสนล้าน…
    text = "ดูที่ https://www.thaigov.go.th/news/contents/details/76362 โทร 02-123-4567 หรือ 1111"
    assert gloss_amounts(text) == text
    assert gloss_amounts("ผู้ติดเชื้อ 100 ราย") == "ผู้ติดเชื้อ 100 ราย"  # cases or people: left Thai


def test_one_of_a_unit_is_singular_and_a_fold_is_not_glossed() -> None:
    assert english_amount("1 วัน") == "1 day"
    assert english_amount("1 คน") == "1 person"
    assert english_amount("1 ล้านคน") == "1 million people"
    assert english_amount("2 เท่า") is None  # read as 2x and as 3x


@pytest.mark.parametrize(
    ("thai", "english"),
    [
        ("1.23456 แสนล้านบาท", "123.456 billion baht"),  # was rounded to 123.46
        ("2.3456 หมื่นล้านบาท", "23.456 billion baht"),
        ("1.15 แสนบาท", "115,000 baht"),  # 1.15 * 100000 in floats is 114999.99...: no gloss at all
    ],
)
def test_multiplied_decimals_keep_every_digit(thai: str, english: str) -> None:
    assert english_amount(thai) == english


@pytest.mark.parametrize(
    ("thai", "glossed"),
    [
        # The span finder takes the prefix from the end of a longer word: read alone it said the opposite.
        ("ผู้ป่วยน้อยกว่า 5 คน", "ผู้ป่วยน้อยกว่า 5 คน [less than 5 people]"),  # was "more than 5 people"
        ("อายุต่ำกว่า 60 ปี", "อายุต่ำกว่า 60 ปี [less than 60 years]"),
        ("ลงทุนไม่น้อยกว่า 3 ปี", "ลงทุนไม่น้อยกว่า 3 ปี [at least 3 years]"),  # was "more than 3 years"
        ("เหลือเวลาไม่ถึง 4 เดือน", "เหลือเวลาไม่ถึง 4 เดือน [less than 4 months]"),  # was "as many as"
        ("มีได้ไม่มากกว่า 5 คน", "มีได้ไม่มากกว่า 5 คน [up to 5 people]"),  # was "more than 5 people"
        ("ราคาไม่รวม 500 บาท", "ราคาไม่รวม 500 บาท"),  # was "a total of 500 baht"
        ("ราคาถูกกว่า 10 เท่า", "ราคาถูกกว่า 10 เท่า"),
        ("ตั้งแต่ 10,000 ถึง 50,000 บาท", "ตั้งแต่ 10,000 ถึง 50,000 บาท"),  # a range, not "as many as"
        ("ได้กล่าวถึง 3 คน", "ได้กล่าวถึง 3 คน"),
        ("มีมากถึง 10,000 ครัวเรือน", "มีมากถึง 10,000 ครัวเรือน [as many as 10,000 households]"),
        ("ประชาชนกว่า 500 คน", "ประชาชนกว่า 500 คน [more than 500 people]"),
        # A prefix before ร้อยละ was left out of the gloss: "[50%]" for more than 50%.
        ("ฉีดแล้วกว่าร้อยละ 50 ของ", "ฉีดแล้วกว่าร้อยละ 50 [more than 50%] ของ"),
        ("ความชื้นไม่เกิน ร้อยละ 15 และ", "ความชื้นไม่เกิน ร้อยละ 15 [up to 15%] และ"),
        # The unit or multiplier was the start of a longer word.
        ("จำนวน 5 พันธุ์ ได้แก่", "จำนวน 5 พันธุ์ ได้แก่"),  # five varieties: was "5,000"
        ("ภายใน 7 วันทำการ", "ภายใน 7 วันทำการ"),  # working days
        ("โครงการ 5 ล้านนา", "โครงการ 5 ล้านนา"),
        ("มูลค่า 124 ล้านดอลลาร์ออสเตรเลีย", "มูลค่า 124 ล้านดอลลาร์ออสเตรเลีย"),  # not US dollars
        ("ภายใน 15 วันนับแต่วันนั้น", "ภายใน 15 วัน [15 days] นับแต่วันนั้น"),
        # What follows changes the amount: a qualifier, a rate, an ordinal.
        ("ผู้มีอายุ 60 ปีขึ้นไป", "ผู้มีอายุ 60 ปีขึ้นไป"),
        ("มีรายได้ 3 ล้านเศษ", "มีรายได้ 3 ล้านเศษ"),
        ("จ่าย 1 ล้านบาทต่อราย", "จ่าย 1 ล้านบาทต่อราย"),  # per case or per person: was "1 million baht"
        ("จ่าย 300 บาท/คน/วัน", "จ่าย 300 บาท/คน/วัน"),
        ("ค่าจ้าง 9,000 บาทต่อเดือน", "ค่าจ้าง 9,000 บาทต่อเดือน [9,000 baht per month]"),
        ("ราคา 33 บาท/ลิตร", "ราคา 33 บาท/ลิตร [33 baht per litre]"),
        ("ดอกเบี้ยร้อยละ 5 ต่อปี", "ดอกเบี้ยร้อยละ 5 ต่อปี [5% per year]"),
        ("ลมแรง 120 กิโลเมตรต่อชั่วโมง", "ลมแรง 120 กิโลเมตรต่อชั่วโมง [120 km per hour]"),
        ("การประชุม 25 ครั้งที่ 3", "การประชุม 25 ครั้งที่ 3"),
        ("สัตว์อายุ 6 เดือนถึง 1 ปี", "สัตว์อายุ 6 เดือนถึง 1 ปี"),  # a range's first end: was "6 months"
        ("ประชากรเกือบ 1 ใน 4 ของ", "ประชากรเกือบ 1 ใน 4 ของ"),  # nearly a quarter: was "nearly 1"
        # A quote cut inside the amount's last word: "2 แสนล…" may be 2 แสนล้าน.
        ("ราคา 2 แสนล…", "ราคา 2 แสนล…"),
        # Digits alone: nothing to gloss ("๑." of a list, a phone number in Thai digits).
        ("ข้อ ๑.ประเทศไทย โทร ๐๒ ๒๘๓ ๔๐๐๐", "ข้อ ๑.ประเทศไทย โทร ๐๒ ๒๘๓ ๔๐๐๐"),
    ],
)
def test_a_quote_reads_each_amount_in_its_words(thai: str, glossed: str) -> None:
    assert gloss_amounts(thai) == glossed


def test_a_short_answer_reads_its_span_in_the_quoted_sentence() -> None:
    text = "โคและกระบืออายุน้อยกว่า 6 เดือน อัตราตัวละไม่เกิน 1,000 บาท"
    span = next(s for s in find_number_spans(text) if "6" in s.text)
    assert span.text == "กว่า 6 เดือน"  # the finder's span: read alone, "more than 6 months"
    assert span_answer(span, "en", text) == "less than 6 months (น้อยกว่า 6 เดือน)"
    assert span_answer(span, "th", text) == "กว่า 6 เดือน"
    text = "ผู้ได้รับสิทธิต้องมีอายุ 60 ปีขึ้นไป"
    span = next(s for s in find_number_spans(text) if "60" in s.text)
    assert span_answer(span, "en", text) == "60 ปี"  # "60 years" would drop the "and over"


@pytest.mark.parametrize(
    "thai",
    [
        "ในปี 2564 จังหวัดนั้นได้ดำเนินการ",  # a year, not "2564 provinces"
        "ประจำปี พ.ศ. 2568 ครั้งที่ 2",
        "พ.ศ. 2563 รอบ",
        "ตั้งแต่ กม. 106+150 ตำบลหนึ่ง",  # a kilometre post, not "150 subdistricts"
        "ช่วงโควิด 19 ประเทศไทยให้การตรวจ",  # COVID-19, not "19 countries"
        "วงเงิน 1 ล้าน 5 แสนบาท",  # 1.5 million: neither "1 million" nor "500,000 baht"
        "จำนวน 3 หมื่น 5 พันคน",
        "…5 แสนบาท",  # the quote may have cut "1 ล้าน" off
        "1.1 โครงการจัดหาวัคซีน",  # a list's numbers, not "1.1 projects"
        "ดังนี้\n1.2 หน่วยรับงบประมาณ",
        "ภาคกลาง 19.02 คน-ครั้ง",
    ],
)
def test_numbers_that_are_not_amounts_of_what_follows_are_not_glossed(thai: str) -> None:
    assert gloss_amounts(thai) == thai


def test_amounts_next_to_those_are_still_glossed() -> None:
    assert gloss_amounts("พ.ศ. 2563 รอบ 6 เดือน") == "พ.ศ. 2563 รอบ 6 เดือน [6 months]"
    assert gloss_amounts("มี 2 ล้านคน 3 แสนครัวเรือน") == (
        "มี 2 ล้านคน [2 million people] 3 แสนครัวเรือน [300,000 households]"
    )
    assert gloss_amounts("เพิ่มขึ้น 1.5 ล้านคน") == "เพิ่มขึ้น 1.5 ล้านคน [1.5 million people]"


def test_a_negative_amount_is_not_glossed() -> None:
    """The gloss would drop the minus of a deficit (the review's finding)."""
    text = "ฐานะกองทุนน้ำมันเชื้อเพลิงติดลบ 35,408 ล้านบาท"
    assert gloss_amounts(text) == text


@pytest.mark.parametrize(
    ("thai", "glossed"),
    [
        # Thai writes no space between words: the bracket was glued to the next one ("[5 years]ข้างหน้า").
        ("ภายในอีก 5 ปีข้างหน้า", "ภายในอีก 5 ปี [5 years] ข้างหน้า"),
        ("ครบ 76 จังหวัดทั่วประเทศ", "ครบ 76 จังหวัด [76 provinces] ทั่วประเทศ"),
        ("ใช้เวลา 3 วัน(ไม่รวมวันหยุด)", "ใช้เวลา 3 วัน [3 days] (ไม่รวมวันหยุด)"),
        # None before punctuation, a space or the end.
        ("ใช้เวลา 3 วัน, 5 เดือน. และ 2 ปี", "ใช้เวลา 3 วัน [3 days], 5 เดือน [5 months]. และ 2 ปี [2 years]"),
        ("ใช้เวลา 3 วัน)", "ใช้เวลา 3 วัน [3 days])"),
        ("ใช้เวลา 3 วัน\nต่อมา", "ใช้เวลา 3 วัน [3 days]\nต่อมา"),
    ],
)
def test_a_gloss_is_spaced_from_the_word_after_it(thai: str, glossed: str) -> None:
    assert gloss_amounts(thai) == glossed


@pytest.mark.parametrize(
    ("thai", "glossed"),
    [
        # The currency was dropped ("[17 trillion]": baht to an English reader) or the amount left unglossed.
        ("คาดว่าจะมีมูลค่า 17 ล้านล้านเหรียญสหรัฐฯ ภายในปี", "17 trillion US dollars"),
        ("การส่งออกมีมูลค่า 1,234.50 ล้านเหรียญสหรัฐ เพิ่มขึ้น", "1,234.50 million US dollars"),
        ("มูลค่า 8 ล้านเหรียญสหรัฐอเมริกา", "8 million US dollars"),
        ("มูลค่า 8 ล้านดอลลาร์สหรัฐฯในปีนี้", "8 million US dollars"),
        ("มูลค่า 8 ล้านดอลลาร์สหรัฐอเมริกา", "8 million US dollars"),
        ("มูลค่า 8 ล้านดอลลาร์สหรัฐ ฯ ลดลง", "8 million US dollars"),
        ("มูลค่า 8 ล้านเหรียญสหรัฐ ฯ ลดลง", "8 million US dollars"),
        ("มูลค่า 8 ล้านดอลล่าร์สหรัฐ", "8 million US dollars"),
        ("มูลค่า 8 ล้านเหรียญดอลลาร์สหรัฐ", "8 million US dollars"),
        ("มูลค่า 8 พันล้านดอลลาร์ สรอ. ขยายตัว", "8 billion US dollars"),
        ("มูลค่า 8 ล้าน USD โดยประมาณ", "8 million US dollars"),
        ("ราคา 1 เหรียญสหรัฐ", "1 US dollar"),
        ("มูลค่า 8 ล้านดอลลาร์ ขยายตัว", "8 million dollars"),  # which dollar the Thai does not say
        ("มูลค่า 8 ล้านยูโร", "8 million euros"),
        ("มูลค่า 8 ล้านเยน", "8 million yen"),
        ("มูลค่า 8 ล้านหยวนในปีนี้", "8 million yuan"),
    ],
)
def test_foreign_currency_amounts_keep_their_currency(thai: str, glossed: str) -> None:
    assert f"[{glossed}]" in gloss_amounts(thai)


def test_a_short_answer_reads_a_currency_the_span_finder_does_not_know() -> None:
    text = "มูลค่าการค้า 1,234.50 ล้านเหรียญสหรัฐ เพิ่มขึ้น"
    span = next(s for s in find_number_spans(text) if "1,234" in s.text)
    assert span.text == "1,234.50 ล้าน"  # was glossed "1,234.50 million": baht to an English reader
    assert span_answer(span, "en", text) == "1,234.50 million US dollars (1,234.50 ล้านเหรียญสหรัฐ)"


@pytest.mark.parametrize(
    "thai",
    [
        # A unit the tables do not know right after an amount with none: "17 trillion" would drop it.
        "มูลค่า 17 ล้านล้านเหรียญมาเก๊า",
        "มูลค่า 17 ล้านล้าน เหรียญ",
        "มูลค่า 5 ล้านเหรียญฮ่องกง",
        "มูลค่า 5 ล้านเหรียญ",  # medals, coins, or some dollar
        "ขนาดไม่เกิน 2.5 ไมครอน",
        "ร่วมงานกว่า 50 ร้านค้า",
        "ความจุรวม 73 ล้าน ลบ.ม.",
        "เปิดใหม่ 3.3 ล้านบัญชี",
        "ยอดชม 2.3 ล้านวิว",
        "มูลค่า 13 ล้านฟรังก์สวิส",
        "มูลค่า 5 ล้านดอลลาร์ฮ่องกง",
        "มูลค่า 8 ล้านเหรียญสหรัฐต่อบาร์เรล",  # a rate whose "per" is not read
        # A list's number after a prefix's word: not "more than 3".
        "ดังนี้ (1) ... มากกว่า\n3) แผนงาน",
        "ดังนี้ 1. ... ผลงานสูงสุด 3. การพัฒนา",
    ],
)
def test_an_amount_before_a_unit_the_tables_do_not_know_is_not_glossed(thai: str) -> None:
    assert gloss_amounts(thai) == thai


def test_an_amount_with_no_unit_is_glossed_where_no_word_follows() -> None:
    assert gloss_amounts("ใช้งบรวมกว่า 2.5 แสนล้าน") == "ใช้งบรวมกว่า 2.5 แสนล้าน [more than 250 billion]"
    assert gloss_amounts("วงเงิน 6 ล้าน, ต่อมา") == "วงเงิน 6 ล้าน [6 million], ต่อมา"
    assert gloss_amounts("วงเงิน 6 ล้าน\nต่อมา") == "วงเงิน 6 ล้าน [6 million]\nต่อมา"
    assert "[about 115]" not in gloss_amounts("ระยะทางประมาณ 115. 6 กิโลเมตร")  # 115.6 km, typed apart


def test_a_dates_gloss_is_spaced_from_the_word_after_it() -> None:
    from index.reply import quoted

    assert quoted("มีผลตั้งแต่ 18 ธ.ค. 2566เป็นต้นไป", "en") == "มีผลตั้งแต่ 18 ธ.ค. 2566 [18 December 2023] เป็นต้นไป"
    assert quoted("มีผลวันที่ 18 ธ.ค. 2566.", "en") == "มีผลวันที่ 18 ธ.ค. 2566 [18 December 2023]."
