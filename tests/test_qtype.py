"""Answer-type detection from the wording of Thai and English questions."""

from __future__ import annotations

import pytest

from index.answer.qtype import detect_qtype


@pytest.mark.parametrize(
    ("question", "qtype", "kind"),
    [
        ("ครม. อนุมัติโครงการนี้เมื่อไหร่", "when", "date"),
        ("งานจัดขึ้นวันไหน", "when", "date"),
        ("ลงนามบันทึกข้อตกลงวันที่เท่าไหร่", "when", "date"),
        ("งานจัดขึ้นระหว่างวันที่เท่าใด", "when", "date"),
        ("ผู้ประสบภัยทั้งหมดกี่คน", "how_many", "number"),
        ("โครงการนี้ใช้งบประมาณเท่าไร", "how_much", "number"),
        ("ใครเป็นประธานในพิธี", "who", "person"),
        ("ผู้ว่าราชการจังหวัดที่สั่งการชื่ออะไร", "who", "person"),
        ("บริษัทร่วมทุนนั้นชื่ออะไร", "what", None),
        ("การประชุมจัดที่ไหน", "where", "place"),
        ("โครงการนำร่องที่จังหวัดไหนก่อน", "where", "place"),
        ("ทำไมรัฐบาลถอนร่างกฎหมาย", "why", "reason"),
        ("ธนาคารส่ง SMS ชวนกู้เงินหรือเปล่า", "yes_no", None),
        ("ประเทศไหนลงทุนมากที่สุด", "which", None),
        ("มาตรการนี้มีอะไรบ้าง", "what", None),
        ("จัดตรงไหน", "where", "place"),
        ("ถ้าจะติดต่อ กสทช. โทรเบอร์อะไร", "what", "phone"),
        ("เจอลิงก์ปลอมแจ้งเบอร์ไหน", "which", "phone"),
        ("สามารถโทรสอบถามกลุ่มงานแรงงานหญิง ได้ที่หมายเลขใด", "which", "phone"),
        # Not a phone question: a word that holds เบอร์/โทร, or a question that states the number itself.
        ("นายกฯ พบผู้บริหารที่กรุงเบอร์ลินกี่โมง", "when", "time"),
        ("เจโทรพบภูมิธรรม ห้องประชุมไหน", "where", "place"),
        ("สปสช. จัดระบบสายด่วน 1330 ขึ้นเพื่ออะไร", "what", None),
        ("แก๊งคอลเซ็นเตอร์ถูกจับที่ไหน", "where", "place"),
        ("เบอร์โทรกรมบัญชีกลาง", "other", "phone"),
        ("นายกฯ ประชุมคณะที่ปรึกษาเรื่องแผนลงทุนกี่โมง", "when", "time"),
        # A place noun asked with ไหน/ใด asks where (a court or a health region is not a place).
        ("ทูตเข้าคารวะนายกฯ ที่ห้องไหน", "where", "place"),
        ("พายุเข้าเมียนมาที่รัฐไหน", "where", "place"),
        ("สำนักงานอยู่ตึกไหน ชั้นอะไร", "where", "place"),
        ("ศาลไหนตัดสินคดีนี้", "which", "org"),
        ("เขตสุขภาพไหนได้เกียรติบัตร", "which", None),
    ],
)
def test_thai_questions(question: str, qtype: str, kind: str | None) -> None:
    qt = detect_qtype(question)
    assert qt.lang == "th"
    assert (qt.qtype, qt.kind) == (qtype, kind)


@pytest.mark.parametrize(
    ("question", "qtype", "kind"),
    [
        ("When was the agreement signed?", "when", "date"),
        ("Until what date was the plan extended?", "when", "date"),
        ("On what date did the cabinet approve the bill?", "when", "date"),
        ("How many people were evacuated?", "how_many", "number"),
        ("How much did the project cost?", "how_much", "number"),
        ("What was the total value of the seized goods?", "how_much", "number"),
        ("Who chaired the meeting?", "who", "person"),
        ("Which famous Thai singer joined the ceremony?", "who", "person"),
        ("Where was the conference held?", "where", "place"),
        ("In which city did the talks take place?", "where", "place"),
        ("Why did the river rise so fast?", "why", "reason"),
        ("Which agency will run the project whose budget was approved?", "which", "org"),
        ("What name did the scammers use?", "what", None),
        ("Is the loan capped per borrower?", "yes_no", None),
        ("Revenue Department hotline?", "other", "phone"),
        ("Which phone number should GSB debtors call?", "which", "phone"),
        ("What's the call center number?", "what", "phone"),
        ("When did Prayut talk by phone with Aung San Suu Kyi?", "when", "date"),
        ("At what time on 4 May 2024 did the permanent secretary open the fair?", "when", "time"),
        ("loy krathong festival opening hours", "when", "time"),
        ("What did the PM say during the telephone call?", "what", None),
        ("What time frame was set for the merger?", "when", "date"),
        ("Which hotline number was set up in 1999?", "which", "phone"),
        # A "when" that opens a clause sets the scene; the other interrogative is what is asked.
        ("How many families did it help when the minister met his peer?", "how_many", "number"),
        ("When the cabinet extended the cut, by how much did prices fall?", "how_much", "number"),
        ("Where was the festival held when the King opened it?", "where", "place"),
        ("Who led the team when the ministry signed the MOU?", "who", "person"),
        ("When will the master plan be done, and who drafts it?", "when", "date"),
        ("when tokyo station first open", "when", "date"),
        ("thai elections when?", "when", "date"),
    ],
)
def test_english_questions(question: str, qtype: str, kind: str | None) -> None:
    qt = detect_qtype(question)
    assert qt.lang == "en"
    assert (qt.qtype, qt.kind) == (qtype, kind)


def test_counted_unit_is_detected() -> None:
    assert detect_qtype("มีร้านค้าเข้าร่วมกี่แห่ง").unit == "แห่ง"
    assert detect_qtype("How many hospital beds does it have?").unit == "beds"
    assert detect_qtype("How many AI-skilled people does the plan aim for?").unit == "people"
    assert detect_qtype("Who signed it?").unit is None
