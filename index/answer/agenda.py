"""List answers: "what did the cabinet approve on <date>" gets that meeting's agenda titles.

A question asks for a meeting's list when it names a meeting (cabinet, ครม., คณะรัฐมนตรี, meeting,
ประชุม), a decision or announcement (approve, resolve, announce, อนุมัติ, เห็นชอบ, มีมติ …) and a day, and
names nothing else: once those words, the date and the question words are set aside, at most
:data:`MAX_TOPIC_WORDS` content words are left. "How much did the cabinet approve for the child grant on
13 September 2023?" keeps its topic (child, grant) and is an ordinary question; "ครม. อนุมัติอะไรบ้าง
เมื่อวันที่ 29 สิงหาคม 2566" is a list question. The rule is over word classes, not over particular
questions.

The items were parsed at index time (:mod:`corpus.agenda`, stored by :mod:`index.build.agenda_rows`),
so answering is one query by the meeting's date: the summary in the question's language leads and the
other language's summary of the same meeting is linked beside it. A written date with no meeting in the
index gets the nearest meetings before and after it (the nearer one listed, both named and linked); a day
relative to today (yesterday, last Tuesday, last week: :mod:`index.search.relative_days`) with none gets the
latest meeting; either reply first says that the day asked has no summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpus.text import detect_lang
from corpus.thaidate import find_dates
from index.answer.listing import AgendaList, ListedItem
from index.answer.qtype import detect_qtype
from index.answer.types import ASSERTED, Answer, Source
from index.answer.words import content_tokens
from index.search.relative_days import RELATIVE_WORDS, relative_days, today_in_bangkok

if TYPE_CHECKING:  # pragma: no cover
    from index.build.agenda_rows import MeetingAgenda
    from index.search.retrieve import Searcher

#: Content words besides the meeting, decision, list and date words that a list question may have
#: ("new" cabinet, "spokesperson"); a second is a topic ("minimum wage"), and the question is not
#: asking for the list.
MAX_TOPIC_WORDS = 1
#: A yearless date ("on 13 September") is looked for in these years, the newest meeting first.
YEARLESS_YEARS = range(2015, 2031)

_MEETING = re.compile(r"(?i)\bcabinet\b|\bministers?\b|\bmeeting\b|\bcouncil\b|ครม|คณะรัฐมนตรี|ประชุม|รัฐมนตรี")
_DECISION = re.compile(
    r"(?i)\b(?:approv|resol|announc|decid|decision|agree|endors|pass|adopt|consider|discuss|agenda|"
    r"sign|acknowledg|note|order|appoint|do|did|happen|summar|synops|outcome|result)\w*|"
    r"อนุมัติ|เห็นชอบ|มีมติ|มติ|ประกาศ|แถลง|พิจารณา|รับทราบ|ผ่าน|ลงนาม|ตัดสิน|วาระ|สั่งการ|แต่งตั้ง|เรื่อง|ทำอะไร|สรุป|ผลการประชุม"
)
#: Words of the list request itself (meeting, decision, list, date and filler words), set aside before
#: counting the question's topic words.
_LIST_WORDS = frozenset(
    """cabinet cabinets minister ministers meeting meetings council thai thailand government thaigov
    approve approved approves approval approvals resolve resolved resolution resolutions announce announced
    announcement announcements decide decided decision decisions agree agreed endorse endorsed pass passed
    adopt adopted consider considered discuss discussed agenda agendas item items matter matters thing
    things list full everything anything sign signed acknowledge acknowledged note noted order ordered
    appoint appointed happen happened make made take taken tell show give summary summarise summarize
    summarised synopsis decide decisions outcome outcomes result results day date week held today
    yesterday session special weekly regular please know want me us
    ครม คณะรัฐมนตรี รัฐมนตรี ประชุม การประชุม ที่ประชุม อนุมัติ เห็นชอบ มีมติ มติ ประกาศ แถลง พิจารณา รับทราบ
    ผ่าน ลงนาม ตัดสิน วาระ สั่งการ แต่งตั้ง เรื่อง ทำ สรุป ข่าว ผล วันที่ วัน เมื่อ เมื่อวันที่ ที่ ประจำ ใน
    ของ รัฐบาล ไทย บ้าง อะไร อะไรบ้าง ขอ รายการ ทั้งหมด ช่วย บอก หน่อย ได้ ไหม ครั้ง คณะ การ มี ให้ ไป ว่า
    ครับ ค่ะ คะ นัด พิเศษ ล่าสุด อยาก ทราบ รู้ มีเรื่อง ผลการ ได้รับ
    monday tuesday wednesday thursday friday saturday sunday จันทร์ อังคาร พุธ พฤหัสบดี พฤหัส ศุกร์ เสาร์
    อาทิตย์""".split()  # noqa: SIM905
)
#: Question types that ask for one fact, not a list ("How much did the cabinet approve on …").
_FACT_TYPES = frozenset({"when", "who", "where", "why", "how_many", "how_much", "yes_no"})
_MONTH_WORDS = re.compile(
    r"(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$|^\d+(?:st|nd|rd|th)?$|"
    r"^(?:มกรา|กุมภา|มีนา|เมษา|พฤษภา|มิถุนา|กรกฎา|สิงหา|กันยา|ตุลา|พฤศจิกา|ธันวา)|^(?:ม|ก|มี|เม|พ|มิ|ส|ต|ธ)\.?[คยพ]?\.?$|"
    r"^พ\.?ศ\.?$|^ค\.?ศ\.?$|^b\.?e\.?$"
)


@dataclass(frozen=True)
class ListRequest:
    """A list question: the meeting dates it may mean (ISO; several for a yearless date, newest first;
    none for "the latest meeting")."""

    dates: tuple[str, ...]
    lang: str
    #: the dates are days relative to today ("yesterday", "last week"): with no meeting on them, the reply
    #: gives the latest meeting and says so
    relative: bool = False


def list_request(question: str, now: dt.datetime | None = None) -> ListRequest | None:
    """The list request in ``question``, or None when it asks something else (see the module doc);
    ``now`` (tests) stands for the clock."""
    text = " ".join((question or "").split())
    if not text or not _MEETING.search(text) or not _DECISION.search(text):
        return None
    mentions = [
        d
        for d in find_dates(text, default_year=1900, spoken=True)
        if d.granularity == "day" and d.until is None
    ]
    if len(mentions) > 1:
        return None
    if mentions:
        mention = mentions[0]
        rest = RELATIVE_WORDS.sub(" ", text[: mention.start] + " " + text[mention.end :])
        day = mention.date
        dates: tuple[str, ...] | None = (
            tuple(_yearless(day.month, day.day)) if day.year == 1900 else (day.isoformat(),)
        )
    else:
        rest = RELATIVE_WORDS.sub(" ", text)
        dates = relative_days(text, today_in_bangkok(now))
    if dates is None:
        return None
    topic = [t for t in content_tokens(rest) if not _list_word(t)]
    lang = detect_lang(text)
    if len(topic) > MAX_TOPIC_WORDS or detect_qtype(text, lang).qtype in _FACT_TYPES:
        return None
    return ListRequest(dates, lang, relative=not mentions and bool(dates))


def _list_word(token: str) -> bool:
    """Whether ``token`` belongs to the list request itself (a possessive or a Thai nominaliser aside:
    "cabinet's", "การอนุมัติ")."""
    word = re.sub(r"['’]s$", "", token.casefold())
    if word.startswith(("การ", "ความ")) and len(word) > 4:
        word = word.removeprefix("การ").removeprefix("ความ")
    return word in _LIST_WORDS or _MONTH_WORDS.match(word) is not None


def _yearless(month: int, day: int) -> list[str]:
    out = []
    for year in reversed(YEARLESS_YEARS):
        try:
            out.append(dt.date(year, month, day).isoformat())
        except ValueError:
            continue
    return out


def choose(
    found: list[MeetingAgenda], request: ListRequest
) -> tuple[MeetingAgenda, list[MeetingAgenda]] | None:
    """The summary to answer from (the meeting's summaries first, the newest meeting for a yearless date,
    the question's language, the longest agenda, the first published) and the other summaries of that
    meeting (the other language first)."""
    if not found:
        return None
    pool = [m for m in found if m.summary] or found
    rank = {d: i for i, d in enumerate(request.dates)}
    meeting = min(pool, key=lambda m: rank.get(m.meeting_date, len(rank))).meeting_date
    same = [m for m in pool if m.meeting_date == meeting]
    best = min(same, key=lambda m: (m.lang != request.lang, -len(m.items), m.date))
    others = sorted((m for m in same if m.url != best.url), key=lambda m: (m.lang == best.lang, m.date))
    return best, others


def listing_of(
    meeting: MeetingAgenda,
    others: list[MeetingAgenda] | None = None,
    asked: tuple[str, str] | None = None,
    nearest: tuple[tuple[str, str], ...] = (),
) -> AgendaList:
    """The reply's data for one stored agenda (and the other summaries of its meeting, linked); ``asked``:
    the days the question meant, when no meeting of them is indexed and this is the latest or the nearest
    instead; ``nearest``: the nearest meetings before and after a written day, (meeting date, url)."""
    items = tuple(ListedItem(i.number, i.title, i.start) for i in meeting.items)
    also = tuple((m.url, m.title, m.date, m.lang) for m in others or ())
    return AgendaList(
        meeting.meeting_date,
        meeting.url,
        meeting.title,
        meeting.date,
        meeting.lang,
        items,
        also,
        asked,
        nearest,
    )


def _nearest(
    searcher: Searcher, request: ListRequest
) -> tuple[tuple[MeetingAgenda, list[MeetingAgenda]] | None, tuple[tuple[str, str], ...]]:
    """For a written day with no meeting: the nearer of the nearest meetings before and after it (the
    one before on a tie) to list, and both, (meeting date, summary url), for the reply to name and link.

    Why not leave it to the ordinary reader (as before): its best passage is of some other meeting, and
    the reply read as that meeting's answer; a day relative to today already says "none; the latest"."""
    day = dt.date.fromisoformat(request.dates[0])
    found = []
    for iso in searcher.nearest_meetings(request.dates[0]):
        pick = choose(searcher.meetings([iso]), dataclasses.replace(request, dates=(iso,)))
        if pick is not None:
            found.append((abs(dt.date.fromisoformat(iso) - day), iso, pick))
    if not found:
        return None, ()
    nearer = min(found, key=lambda f: f[0])  # min keeps the first (the one before) on a tie
    return nearer[2], tuple((iso, pick[0].url) for _, iso, pick in found)


def agenda_answer(searcher: Searcher, question: str) -> Answer | None:
    """The list answer to ``question`` when it asks for a meeting's agenda the index holds, else None."""
    request = list_request(question)
    if request is None:
        return None
    chosen = choose(searcher.meetings(request.dates), request)
    asked, nearest = None, ()
    if chosen is None and request.relative:
        # "yesterday" with no summary indexed yet: the latest meeting, and the reply says so.
        chosen = choose(searcher.meetings(()), dataclasses.replace(request, dates=()))
        asked = (request.dates[-1], request.dates[0])
    elif chosen is None and len(request.dates) == 1:
        # A written day with no meeting: the nearest meetings before and after it, and the reply says so.
        chosen, nearest = _nearest(searcher, request)
        asked = (request.dates[0], request.dates[0])
    if chosen is None:
        return None
    best, others = chosen
    listing = listing_of(best, others, asked, nearest)
    items = listing.items
    first = "; ".join(i.title for i in items[:3] if i.title)
    sources = [Source(best.url, best.title, best.date, first, 1.0)]
    sources += [Source(m.url, m.title, m.date, m.items[0].title if m.items else "", 0.9) for m in others]
    for iso, url in nearest:
        if url != best.url:
            other = searcher.agenda(url)
            snippet = "; ".join(i.title for i in other.items[:3] if i.title) if other else ""
            sources.append(
                Source(url, other.title if other else "", other.date if other else iso, snippet, 0.8)
            )
    return Answer(
        " ".join(question.split()),
        request.lang,
        True,
        None,
        None,
        sources,
        probability=1.0,
        presentation=ASSERTED,
        qtype="list",
        agenda=listing,
    )
