"""The words of Thai amounts and their English, for :mod:`index.answer.number_gloss`: prefixes, multipliers,
units and classifiers, the words that change or negate an amount.

Apart from the gloss's logic so that each stays readable; every table is general Thai usage (a unit's
English, a multiplier's factor), none is written for a release or a question.
"""

from __future__ import annotations

#: The words before a number, in English.
PREFIXES = {
    "มากกว่า": "more than",
    "กว่า": "more than",
    "ประมาณ": "about",
    "ราว": "about",
    "เกือบ": "nearly",
    "อย่างน้อย": "at least",
    "ไม่ต่ำกว่า": "at least",
    "ไม่เกิน": "up to",
    "สูงสุด": "up to",
    "ถึง": "as many as",
    "รวม": "a total of",
    # Read whole from the words around a span (:func:`read_amount`): the span itself starts at their last
    # word ("กว่า 3 ปี" in "ไม่น้อยกว่า 3 ปี"), which alone says the opposite or something else.
    "ไม่น้อยกว่า": "at least",
    "น้อยกว่า": "less than",
    "ต่ำกว่า": "less than",
    "ไม่ถึง": "less than",
    "ไม่เกินกว่า": "up to",
    "ไม่มากกว่า": "up to",
    "เกินกว่า": "more than",
}
#: A prefix is not read after these words: a negation, or a comparative of less ("ถูกกว่า 10 เท่า" is ten
#: times cheaper, "เร็วกว่า 5 วัน" five days sooner), where its English ("more than") says the opposite.
NOT_AFTER = frozenset(
    ["ไม่", "น้อย", "ต่ำ", "ถูก", "ด้อย", "เล็ก", "สั้น", "เตี้ย", "เบา", "แคบ", "เร็ว", "ใกล้", "ช้า", "ก่อน"]
)
#: ถึง reads "as many as" only after these ("มากถึง 10,000 ครัวเรือน"); elsewhere it is "to" in a range
#: ("10,000 ถึง 50,000 บาท"), "until" ("ถึง 20 กันยายน"), "of" ("กล่าวถึง 3 แนวทาง") or "not even" (ไม่ถึง).
AS_MANY_AFTER = frozenset(
    ["มาก", "มากสุด", "สูง", "สูงสุด", "นาน", "ยาวนาน", "ได้", "แล้ว", "ขึ้น", "เพิ่มขึ้น", "ลดลง", "ไกล"]
)
#: Words right after an amount that change it ("60 ปีขึ้นไป": 60 and over; "3 ล้านเศษ": a little over):
#: the amount is not glossed.
QUALIFIERS = frozenset(["ขึ้นไป", "เศษ", "กว่า", "ลงมา"])
#: Thai multipliers: (English word, or None; factor applied to the number when there is no word).
MULTIPLIERS = {
    "ล้านล้าน": ("trillion", 1),
    "แสนล้าน": ("billion", 100),
    "หมื่นล้าน": ("billion", 10),
    "พันล้าน": ("billion", 1),
    "ล้าน": ("million", 1),
    "แสน": (None, 100_000),
    "หมื่น": (None, 10_000),
    "พัน": (None, 1_000),
}
#: Units and classifiers whose English does not depend on what is counted (longest first when read).
UNITS = {
    "คน": "people",
    "ประเทศ": "countries",
    "จังหวัด": "provinces",
    "อำเภอ": "districts",
    "ตำบล": "subdistricts",
    "หมู่บ้าน": "villages",
    "ครัวเรือน": "households",
    "หลังคาเรือน": "households",
    "ครอบครัว": "families",
    "เตียง": "beds",
    "คดี": "cases",
    "ครั้ง": "times",
    "รอบ": "rounds",
    "ไร่": "rai",
    "ตารางเมตร": "square metres",
    "ตร.ม.": "square metres",
    "ตารางกิโลเมตร": "square kilometres",
    "กิโลเมตร": "km",
    "กม.": "km",
    "เมตร": "metres",
    "กิโลกรัม": "kg",
    "กก.": "kg",
    "ตัน": "tonnes",
    "ลิตร": "litres",
    "บาท": "baht",
    # The US dollar as the archive spells it after an amount (ดอลลาร์สหรัฐ 1,572 times, เหรียญสหรัฐ 762,
    # เหรียญสหรัฐฯ 151, ดอลลาร์สหรัฐฯ 111, USD 58, ดอลลาร์ สรอ. 57...): a gloss that drops it reads as baht.
    # Bare ดอลลาร์ is only "dollars", and bare เหรียญ has none (medals, coins, เหรียญฮ่องกง...): the Thai
    # does not say which.
    "ดอลลาร์สหรัฐ": "US dollars",
    "ดอลลาร์สหรัฐฯ": "US dollars",
    "ดอลลาร์สหรัฐ ฯ": "US dollars",
    "ดอลลาร์สหรัฐอเมริกา": "US dollars",
    "ดอลลาร์ สรอ.": "US dollars",
    "ดอลล่าร์สหรัฐ": "US dollars",
    "เหรียญสหรัฐ": "US dollars",
    "เหรียญสหรัฐฯ": "US dollars",
    "เหรียญสหรัฐ ฯ": "US dollars",
    "เหรียญสหรัฐอเมริกา": "US dollars",
    "เหรียญดอลลาร์สหรัฐ": "US dollars",
    "USD": "US dollars",
    "ดอลลาร์": "dollars",
    "หยวน": "yuan",
    "ยูโร": "euros",
    "เยน": "yen",
    "ตำแหน่ง": "positions",
    "โครงการ": "projects",
    "ชั่วโมง": "hours",
    "วัน": "days",
    "เดือน": "months",
    "ปี": "years",
    "สัปดาห์": "weeks",
    "นาที": "minutes",
    "คะแนน": "points",
    "ทีม": "teams",
    "บริษัท": "companies",
    "โรงเรียน": "schools",
    "โรงงาน": "factories",
    "ที่นั่ง": "seats",
    "โดส": "doses",
    "หน่วยงาน": "agencies",
    "เที่ยวบิน": "flights",
    "ภาษา": "languages",
    "ฟาร์ม": "farms",
    "สหกรณ์": "cooperatives",
    "อาคาร": "buildings",
    "หน่วย": "units",
}
#: Units of things counted whole: a decimal count of them is a list's number ("1.1 โครงการ…", "2.3 คน…")
#: or a rate per something not said ("19.02 คน-ครั้ง"), never a count.
COUNTED = frozenset(
    [
        "people",
        "countries",
        "provinces",
        "districts",
        "subdistricts",
        "villages",
        "households",
        "families",
        "beds",
        "cases",
        "times",
        "rounds",
        "positions",
        "projects",
        "teams",
        "companies",
        "schools",
        "factories",
        "seats",
        "doses",
        "agencies",
        "flights",
        "languages",
        "farms",
        "cooperatives",
        "buildings",
    ]
)
#: A unit's English for one ("1 วัน" is 1 day); the others read the same for one (baht, rai, km).
SINGULAR = {
    "people": "person",
    "countries": "country",
    "provinces": "province",
    "districts": "district",
    "subdistricts": "subdistrict",
    "villages": "village",
    "households": "household",
    "families": "family",
    "beds": "bed",
    "cases": "case",
    "rounds": "round",
    "square metres": "square metre",
    "square kilometres": "square kilometre",
    "metres": "metre",
    "tonnes": "tonne",
    "litres": "litre",
    "US dollars": "US dollar",
    "dollars": "dollar",
    "euros": "euro",
    "positions": "position",
    "projects": "project",
    "hours": "hour",
    "days": "day",
    "months": "month",
    "years": "year",
    "weeks": "week",
    "minutes": "minute",
    "points": "point",
    "teams": "team",
    "companies": "company",
    "schools": "school",
    "factories": "factory",
    "seats": "seat",
    "doses": "dose",
    "agencies": "agency",
    "flights": "flight",
    "languages": "language",
    "farms": "farm",
    "cooperatives": "cooperative",
    "buildings": "building",
    "units": "unit",
    "times": "time",
}
#: What a rate is per ("ลิตรละ 33 บาท": 33 baht per litre).
PER = {
    "ลิตร": "litre",
    "หน่วย": "unit",
    "คน": "person",
    "ครัวเรือน": "household",
    "ครอบครัว": "family",
    "ไร่": "rai",
    "ตัน": "tonne",
    "กิโลกรัม": "kg",
    "เดือน": "month",
    "ปี": "year",
    "วัน": "day",
    "ชั่วโมง": "hour",
    "ครั้ง": "time",
}
