"""What a conversation keeps (bot.conversation, index.conversation): no question text, nothing past
CONVERSATION_MINUTES."""

from __future__ import annotations

from bot.conversation import drop_stale
from index.answer import Answer
from index.answer.types import Source
from index.conversation import answer_turn


def test_a_turn_keeps_topic_words_and_releases_not_the_question() -> None:
    question = "When was the Huawei MOU signed?"
    src = Source("https://www.thaigov.go.th/news/contents/details/76362", "Huawei", "2023-12-19", "", 1.0)
    result = answer_turn(
        lambda q, within, follow: Answer(q, "en", False, None, None, [src]), question, None, 100.0
    )
    assert result.turn["urls"] == [src.url] and result.turn["topic"]
    assert question not in repr(result.turn)


def test_turns_older_than_the_limit_are_dropped() -> None:
    young, old = {"topic": ["a"], "urls": ["u"], "at": 950.0}, {"topic": ["b"], "urls": ["v"], "at": 100.0}
    private = {"turn": old, "lang_hint": "kept"}
    assert drop_stale(private, 600, now=1000.0) and private == {"lang_hint": "kept"}
    group = {"threads": {"1": old, "2": young}}
    assert drop_stale(group, 600, now=1000.0) and group == {"threads": {"2": young}}
    assert not drop_stale(group, 600, now=1000.0)  # nothing more to drop
    only_old = {"threads": {"1": old}, "turn": young}
    assert drop_stale(only_old, 600, now=1000.0) and only_old == {"turn": young}
