"""Follow-up rules, the turn logic, the console chat's commands and the feedback store (no model)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.feedback_store import FeedbackStore
from index.cli.ask import chat_loop
from index.conversation import answer_turn, leans_on_previous, names_its_own_thing, topic_words


@pytest.mark.parametrize(
    "question",
    [
        "and who signed it?",
        "what about 2022?",
        "แล้วใครเป็นประธาน",
        "ที่ไหน",
        "where was it held",
        "งบเท่าไหร่",
        "โครงการนี้ใช้งบประมาณของกระทรวงเกษตรเท่าไหร่",
        "เรื่องดังกล่าวเกิดขึ้นที่จังหวัดไหน",
    ],
)
def test_follow_ups_lean_on_the_previous_turn(question: str) -> None:
    assert leans_on_previous(question)


@pytest.mark.parametrize(
    "question",
    [
        "When was the Huawei MOU signed?",
        "ครม. อนุมัติอะไรบ้างเมื่อวันที่ 29 สิงหาคม 2566",
        "What is the recipe for green curry with chicken?",
        "Is there a hotline for flood victims?",
        "ปีนี้รัฐบาลจัดงานลอยกระทงที่ไหน",
        # Words that hold a pointer's letters: หนี้ (นี้), น้ำมัน and มันสำปะหลัง (มัน), เขาใหญ่ (เขา).
        "ไกล่เกลี่ยหนี้นอกระบบแล้ว มูลหนี้ลดลงเท่าไร",
        "ราคาน้ำมันดีเซลลิตรละเท่าไร",
        "ส่งออกมันสำปะหลังได้กี่ตัน",
        "อุทยานเขาใหญ่เปิดกี่โมง",
    ],
)
def test_questions_with_their_own_topic_stand_alone(question: str) -> None:
    assert not leans_on_previous(question)


@dataclass
class _Src:
    url: str
    date: str = "2023-12-19"
    title: str = "t"


@dataclass
class _Ans:
    question: str
    found: bool
    lang: str = "en"
    sources: list[_Src] = field(default_factory=list)
    reply: str = ""
    answer: str | None = "x"
    evidence: str | None = "y"
    generated: bool = False
    agenda: None = None  # not a list answer (index.answer.agenda)
    probability: float = 0.5
    newest: str = ""  # the releases reach today (index.answer.answerer.reach)
    clarify: bool = False
    unknown_words: list[str] = field(default_factory=list)  # no release writes a word of the question


def test_a_follow_up_is_asked_within_the_previous_release_with_its_topic() -> None:
    calls: list[tuple[str, str | None]] = []
    follows: list[bool] = []

    def ask(q: str, within: str | None, follow_up: bool) -> _Ans:
        calls.append((q, within))
        follows.append(follow_up)
        return _Ans(q, True, sources=[_Src(within or "u1")])

    first = answer_turn(ask, "When was the Huawei MOU signed?", None, now=100.0)
    assert first.turn["topic"] == topic_words("When was the Huawei MOU signed?") == ["huawei", "mou"]
    second = answer_turn(ask, "and who signed it?", first.turn, now=200.0)
    assert second.from_previous and calls[-1] == ("and who signed it? huawei mou", "u1")
    # Within the previous release the answer step knows it is a follow-up (FOLLOW_PRIOR).
    assert follows[0] is False and follows[1] is True
    asked = len(calls)
    stale = answer_turn(ask, "and who signed it?", first.turn, now=100.0 + 16 * 60)
    # Nothing to follow any more, and no topic of its own: the reply asks for the whole question.
    assert not stale.followup and stale.answer.clarify and len(calls) == asked
    assert answer_turn(ask, "and who signed it?", None, now=100.0).answer.clarify


def test_a_follow_up_naming_its_own_thing_is_matched_by_its_own_words_within_the_release() -> None:
    """Within the previous release the topic is the release: "how long is the route?" is asked as it is (the
    carried words would pull the answer to the opening sentence), "where?" and "what about 2022?" borrow
    the topic; over all releases (the fallback) every follow-up carries it."""
    assert names_its_own_thing("how long is the route?") and names_its_own_thing("แล้วโทรเบอร์อะไร")
    assert not names_its_own_thing("where?") and not names_its_own_thing("ที่ไหน")
    assert not names_its_own_thing("what about 2022?")
    calls: list[tuple[str, str | None]] = []

    def ask(q: str, within: str | None, follow_up: bool) -> _Ans:
        calls.append((q, within))
        return _Ans(q, within is None, sources=[_Src(within or "u1")])

    first = {
        "q": "Where does the new Bangkok railway start?",
        "topic": ["bangkok", "railway"],
        "urls": ["u1"],
    }
    first["at"] = 100.0
    answer_turn(ask, "how long is the route?", first, now=200.0)
    assert calls == [("how long is the route?", "u1"), ("how long is the route? bangkok railway", None)]
    calls.clear()
    answer_turn(ask, "what about 2022?", first, now=200.0)
    assert calls[0] == ("what about 2022? bangkok railway", "u1")


def test_a_question_with_two_or_three_topic_words_keeps_its_likelier_reading() -> None:
    """ "which region got the most?" and "When was the Huawei MOU signed?" both stand alone by the rules;
    each is also asked within the previous release, and the reading the reader finds likelier is kept."""
    from index.conversation import either_reading

    previous = {"q": "How many patients were there?", "topic": ["patients"], "urls": ["u1"], "at": 100.0}
    calls: list[tuple[str, str | None]] = []

    def ask_favouring(within_p: float, alone_p: float):  # noqa: ANN202
        def ask(q: str, within: str | None, follow_up: bool) -> _Ans:
            calls.append((q, within))
            p = within_p if within else alone_p
            return _Ans(q, p >= 0.5, sources=[_Src(within or "u9")], probability=p)

        return ask

    assert either_reading("which region got the most?") and either_reading("When was the Huawei MOU signed?")
    assert not either_reading("where?")  # leans by the rules already
    assert not either_reading("how many rai of durian were planted in chanthaburi")  # names its own topic
    got = answer_turn(ask_favouring(0.7, 0.2), "which region got the most?", previous, now=200.0)
    assert got.from_previous and got.answer.sources[0].url == "u1"
    assert calls == [("which region got the most?", None), ("which region got the most?", "u1")]
    got = answer_turn(ask_favouring(0.4, 0.9), "When was the Huawei MOU signed?", previous, now=200.0)
    assert not got.from_previous and not got.followup and got.answer.sources[0].url == "u9"
    calls.clear()
    answer_turn(ask_favouring(0.7, 0.2), "which region got the most?", previous, now=100.0 + 16 * 60)
    assert calls == [("which region got the most?", None)]  # a stale turn gives no context


def test_a_message_that_asks_nothing_is_not_a_follow_up() -> None:
    """Thanks, particles, punctuation, emoji and other languages ask nothing: not leaned on the previous
    turn (its release would supply an answer nobody asked for); an interrogative or a word asks."""
    from index.answer.words import asks_anything

    for q in ("ครับ", "ขอบคุณมากครับ", "thanks", "ok", "?", "👍", "你好吗", "555", "5555 ขอบคุณครับ", "haha"):
        assert not asks_anything(q) and not leans_on_previous(q), q
    for q in ("who?", "ที่ไหน", "and the budget?", "2022?", "ok, and who?", "ครม. งบ 2567", "ปี 2555"):
        assert asks_anything(q), q
    assert leans_on_previous("who?") and leans_on_previous("ok, and who?")


def test_thanks_between_two_questions_keeps_the_conversation() -> None:
    """ "ขอบคุณครับ" after an answer gets the "type a question" reply and leaves the previous turn in place:
    the follow-up after it is still asked within the previous answer's release."""
    calls: list[tuple[str, str | None]] = []

    def ask(q: str, within: str | None, follow_up: bool) -> _Ans:
        calls.append((q, within))
        return _Ans(q, True, sources=[_Src(within or "u1")])

    first = answer_turn(ask, "ออมสินเงินฝากปันน้ำใจ ดอกเบี้ยเท่าไหร่", None, now=100.0)
    thanks = answer_turn(ask, "ขอบคุณครับ", first.turn, now=150.0)
    assert thanks.turn is first.turn and not thanks.followup
    follow = answer_turn(ask, "แล้วอายุเท่าไรถึงเปิดบัญชีได้", thanks.turn, now=200.0)
    assert follow.from_previous and calls[-1][1] == "u1"


def test_console_chat_commands_are_not_questions() -> None:
    asked: list[str] = []

    class Answerer:
        def ask(self, q: str, within: str | None = None, follow_up: bool = False) -> _Ans:
            asked.append(q)
            return _Ans(q, False)

    out = io.StringIO()
    chat_loop(Answerer(), io.StringIO("/help\n/new\n/lang th\nHuawei MOU?\n"), out)
    assert asked == ["Huawei MOU?"] and "/new" in out.getvalue()


def test_feedback_counts_once_and_forget(tmp_path: Path) -> None:
    with FeedbackStore(tmp_path / "db.sqlite") as store:
        assert store.vote("k1", 7, "down") == "new"
        assert store.vote("k1", 7, "down") == "same"
        assert store.vote("k1", 7, "up") == "changed"
        assert store.vote("k1", 8, "down") == "new"
        [(_, up, down)] = store.daily()
        assert (up, down) == (1, 1)
        assert store.forget(7) == 1
        assert store.purge(now=10**12) == 1
        assert store.daily()[0][1:] == (1, 1)  # counts name no one and stay


def test_the_follow_up_note_links_its_release() -> None:
    """The bot's "From the release of <date>:" line links the release, so the reply's first line carries the
    link even when two quoted passages push the sources list down; its wording is escaped."""
    from index.answer.types import Answer, Source
    from index.conversation import previous_note, previous_note_html

    url = "https://www.thaigov.go.th/news/contents/details/76362?a=1&b=2"
    answer = Answer("who?", "en", True, None, "x", [Source(url, "t", "2023-12-19", "p", 1.0)])
    html = previous_note_html(answer, "en")
    assert html == 'From the release of <a href="' + url.replace("&", "&amp;") + '">19 December 2023</a>:'
    assert previous_note(answer, "en") == "From the release of 19 December 2023:"
    assert previous_note_html(Answer("who?", "th", True, None, "x", []), "th") == "จากข่าวก่อนหน้า:"
