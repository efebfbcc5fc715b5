"""Follow-up accuracy: the conversations of ``eval/followups.jsonl`` through the console chat's logic.

Why through ``index.cli.ask.ChatSession``: it is what ``thaigov-qa chat`` runs and what the bot runs
(``index.conversation.answer_turn``), so the figure is the product's. Each conversation is played turn
by turn in one session; each standalone turn (``followup: false``) is also asked alone, in a fresh
session, so that "not worse than asked alone" can be read off. A turn counts as right as in
``../shared/eval/README.md`` (``index.scoring.answer_is_correct``: the answer or an alias in the short
answer plus evidence, the evidence from a gold release).

    thaigov-qa index build /work/corpus --only eval/followups-corpus.txt   # DATA_DIR of your choice
    python bench/followups.py eval/followups.jsonl [--half A|B] [--json]

The hand-written set (``eval/followups-natural.jsonl``) is measured the same way over an index of
``eval/followups-natural-corpus.txt``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

# The checkout's packages, not an installed copy (as bench/_common.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from index.answer import Answerer
    from index.conversation import TurnResult


def half_of(conv: dict[str, Any]) -> str:
    """Half "A" or "B": the parity of the release id of the conversation's first gold release. Why: choices
    made for the follow-up logic are made on half A and reported on both (the set is drafted from
    templates, so a choice that only fits it would show as a gap between the halves). A first turn with no
    gold release (an unanswerable opener) counts as half A rather than stopping the run."""
    url = str((conv["turns"][0].get("gold_urls") or [""])[0])
    digits = "".join(ch for ch in url.rsplit("/", 1)[-1] if ch.isdigit())
    return "A" if int(digits or 0) % 2 == 0 else "B"


#: Characters of a reply message the hidden conversation check reads (issue 16: the follow-up's answer and its
#: link in the first 700 characters of the reply).
REPLY_HEAD = 700


def _message_text(fragment: str) -> str:
    """What Telegram shows of an HTML fragment: its text without the tags, entities unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def reply_holds(turn: dict[str, Any], result: TurnResult) -> bool:
    """Whether the bot's reply message (``index.conversation.turn_reply_html``, as the bot sends it) holds
    the turn's answer or an alias in its first :data:`REPLY_HEAD` characters of text, from a gold release,
    with a link to a gold release starting there. Compared as ``index.scoring`` compares (NFKC, case,
    spaces and separators)."""
    from index.conversation import turn_reply_html
    from index.scoring import normalized

    answer = result.answer
    gold = set(turn.get("gold_urls") or [])
    if not answer.found or not answer.sources or answer.sources[0].url not in gold:
        return False
    body = turn_reply_html(answer, result.from_previous)
    head = normalized(_message_text(body)[:REPLY_HEAD])
    expected = [turn.get("answer") or "", *(turn.get("answer_aliases") or [])]
    if not any(e and normalized(str(e)) in head for e in expected):
        return False
    starts = {
        html.unescape(m.group(1)): m.start() for m in reversed(list(re.finditer(r'<a href="([^"]+)">', body)))
    }
    return any(url in gold and len(_message_text(body[:at])) < REPLY_HEAD for url, at in starts.items())


def run(path: Path, answerer: Answerer, half: str | None = None) -> dict[str, Any]:
    """Accuracies of the follow-up and standalone turns of ``path`` (only ``half``'s conversations when
    given), overall and per language, and how many follow-ups were answered from the previous release."""
    from index.cli.ask import ChatSession
    from index.scoring import answer_is_correct

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [c for c in rows if half is None or half_of(c) == half]
    tally: dict[str, list[int]] = {
        "followup": [],
        "followup_reply": [],
        "standalone_in_conversation": [],
        "standalone_alone": [],
    }
    by_lang: dict[str, dict[str, list[int]]] = {}
    from_previous = 0
    for conv in rows:
        session = ChatSession(answerer)
        for turn in conv["turns"]:
            result = session.ask(turn["question"])
            ok = int(answer_is_correct(turn, result.answer))
            key = "followup" if turn["followup"] else "standalone_in_conversation"
            tally[key].append(ok)
            by_lang.setdefault(conv["lang"], {}).setdefault(key, []).append(ok)
            if turn["followup"]:
                tally["followup_reply"].append(int(reply_holds(turn, result)))
            from_previous += int(result.from_previous)
            if not turn["followup"]:
                alone = ChatSession(answerer).ask(turn["question"])
                tally["standalone_alone"].append(int(answer_is_correct(turn, alone.answer)))

    def share(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    return {
        "conversations": len(rows),
        "turns": sum(len(c["turns"]) for c in rows),
        **{f"{k}_accuracy": share(v) for k, v in tally.items()},
        **{f"{k}_n": len(v) for k, v in tally.items()},
        "answered_from_previous_release": from_previous,
        "by_lang": {lang: {k: share(v) for k, v in d.items()} for lang, d in sorted(by_lang.items())},
    }


def main() -> int:
    from index.cli.ask import _open_answerer
    from thaigov_qa.settings import load_settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("questions", type=Path, nargs="?", default=Path("eval/followups.jsonl"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--half", choices=("A", "B"), help="only the conversations of one half (see half_of)")
    args = p.parse_args()
    summary = run(args.questions, _open_answerer(load_settings()), args.half)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
