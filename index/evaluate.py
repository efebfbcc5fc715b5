"""The evaluation command's engine: retrieval metrics, answer accuracy, abstention and latency.

Why here and not in a notebook: every change to retrieval or answering is judged by the same numbers,
computed the same way (``../shared/eval/README.md``): Recall@1/5/10 (a gold URL among the first k distinct
releases), MRR@10 over answerable questions, per language and per question type; answer accuracy (the short
answer plus the first 400 characters of evidence contain the answer or an alias, after NFKC, case folding
and removing spaces and thousands separators, and the first source is a gold release); abstention (the
share of unanswerable questions refused, of answerable ones wrongly refused); the wrong-answer rate (replies
that present an answer or a passage as answering and are wrong, or answer an unanswerable question, over
all questions: a hedged passage that is wrong counts); over answerable questions with two or more gold
releases, the share whose reply lists two or more of them, dated, among its answering releases
(``several_named``), and for those asking for the latest or current value whose gold releases carry
different dates, the share whose first listed answer is the newest gold release (``latest_leads``), and
over answered questions the share of the other releases listed as also answering that are gold releases
(``others_gold``: an unrelated release listed beside the answer counts against it); p50/p95 latency.
Groups: language, type, and where the question set has them, ``style`` (short / specific) and ``fold``
(train / validation / test).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from index.scoring import AnswerLike, answer_is_correct, answer_is_strictly_correct, short_answer_is_right
from thaigov_qa.textfile import NotUtf8, read_utf8

log = logging.getLogger(__name__)
T = TypeVar("T")

KS = (1, 5, 10)
#: Words that ask for the newest value (the issue's "now/latest/ตอนนี้/ล่าสุด"); a question's own
#: ``latest`` key, where the set has one, decides instead. The measure's own list, not the product's, so a
#: word the product misses is still counted against it.
LATEST_WORDS = re.compile(
    r"\b(?:latest|current(?:ly)?|now|most recent|newest|these days|at present)\b|ล่าสุด|ปัจจุบัน|ตอนนี้|ขณะนี้",
    re.I,
)


class BadQuestionSet(ValueError):
    """The question file cannot be read; the message names the file and line."""


@dataclass
class QuestionResult:
    """One question's outcome: the ranked distinct release URLs and, when answers ran, the answer's score."""

    qid: str
    lang: str
    type: str
    gold: list[str]
    urls: list[str]
    search_ms: float
    found: bool | None = None
    correct: bool | None = None
    #: The same under the strict reading of the rule (``index.scoring``): no short alias found by chance.
    correct_strict: bool | None = None
    ask_ms: float | None = None
    answer: str | None = None
    #: With a short answer shown (in bold): whether it alone is right (``index.scoring``); else None.
    short_right: bool | None = None
    style: str = ""
    fold: str = ""
    presentation: str = ""
    #: Whether the answer ran before the search (:func:`evaluate` alternates): the step that runs second finds
    #: the question's per-question caches warm (its embedded layers, its rendering), so each latency figure
    #: reads only the questions where its step ran first.
    ask_first: bool = False
    #: With answers: the gold releases the reply lists, dated, among its answering releases (``several``
    #: questions only), and for a "latest" question whose gold releases differ in date, whether its first
    #: listed answer is the newest gold release.
    named: int | None = None
    latest_leads: bool | None = None
    #: With answers, answerable questions: other releases listed as also answering, and those gold.
    others: int = 0
    others_gold: int = 0
    #: With answers, answerable questions: a gold release among the links a reply shows (its first
    #: ``links`` sources); for a refusal these are all the user gets.
    linked: bool | None = None

    @property
    def wrong(self) -> bool:
        """The reply presented something as answering, and it does not (or nothing should)."""
        return bool(self.found) and not self.correct

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first gold release among the returned ones, or None."""
        gold = set(self.gold)
        for i, url in enumerate(self.urls, 1):
            if url in gold:
                return i
        return None


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The questions of a QA jsonl file; raises :class:`BadQuestionSet` naming the bad line."""
    if not path.is_file():
        raise BadQuestionSet(f"question file not found: {path}")
    questions = []
    try:
        text = read_utf8(path)
    except NotUtf8 as exc:
        raise BadQuestionSet(f"{path}:{exc.line}: not UTF-8 text (save the file as UTF-8)") from None
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise BadQuestionSet(f"{path}:{n}: not JSON ({why})") from None
        if not isinstance(q, dict) or not isinstance(q.get("question"), str):
            raise BadQuestionSet(f"{path}:{n}: each line needs a 'question' string")
        gold = q.get("gold_urls", [])
        if not isinstance(gold, list) or not all(isinstance(u, str) for u in gold):
            raise BadQuestionSet(f"{path}:{n}: 'gold_urls' must be a list of URL strings")
        aliases = q.get("answer_aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            # A string would be read letter by letter: "closed" would accept any reply holding an "o".
            raise BadQuestionSet(f"{path}:{n}: 'answer_aliases' must be a list of strings")
        questions.append(_with_defaults(q, n))
    if not questions:
        raise BadQuestionSet(f"{path}: no questions")
    return questions


def _with_defaults(q: dict[str, Any], n: int) -> dict[str, Any]:
    """A question line with the keys the evaluation reads filled in (line ``n`` names it)."""
    q.setdefault("qid", f"line-{n}")
    q.setdefault("gold_urls", [])
    q.setdefault("type", "unanswerable" if not q["gold_urls"] else "other")
    if "lang" not in q:
        from corpus.text import detect_lang

        q["lang"] = detect_lang(q["question"])
    return q


def load_training_questions(paths: list[str]) -> list[dict[str, Any]]:
    """The train and validation questions of ``paths`` (what the learned parts are fitted and checked
    on; the test fold is never read); raises :class:`BadQuestionSet` when either fold is missing."""
    questions = [q for path in paths for q in load_questions(Path(path))]
    questions = [q for q in questions if q.get("fold") in ("train", "validation")]
    if {str(q.get("fold")) for q in questions} != {"train", "validation"}:
        raise BadQuestionSet(
            "the question files need questions of the 'train' and 'validation' folds ('fold' key)"
        )
    return questions


def distinct(urls: Iterable[str]) -> list[str]:
    """URLs in order with repeats dropped: recall counts distinct releases."""
    seen: set[str] = set()
    out = []
    for u in urls:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


def asks_for_latest(question: dict[str, Any]) -> bool:
    """Whether the question asks for the newest value (its ``latest`` key, else :data:`LATEST_WORDS`)."""
    flag = question.get("latest")
    return bool(flag) if flag is not None else LATEST_WORDS.search(str(question["question"])) is not None


def several_answers(
    question: dict[str, Any], answer: AnswerLike, dated: Callable[[str], str | None] | None
) -> tuple[int | None, bool | None]:
    """(gold releases the reply lists with a date, whether a "latest" reply leads with the newest gold
    release), None where the measure does not apply: fewer than two gold releases; for the second, no
    date lookup (``dated``: a release's ISO date), a question not asking for the latest, or gold releases
    all of one date (then nothing is newer)."""
    gold = set(question.get("gold_urls") or [])
    if len(gold) < 2:
        return None, None
    entries = list(answer.answers or []) if answer.found else []
    named = len({a.url for a in entries if a.url in gold and a.date})
    if dated is None or not asks_for_latest(question):
        return named, None
    dates = {u: dated(u) or "" for u in gold}
    if len({d for d in dates.values() if d}) < 2:
        return named, None
    newest = max(dates.values())
    return named, bool(entries) and dates.get(entries[0].url) == newest


def evaluate(
    questions: Sequence[dict[str, Any]],
    search: Callable[[str], list[str]],
    ask: Callable[[str], AnswerLike] | None = None,
    progress: Callable[[int, int], None] | None = None,
    dated: Callable[[str], str | None] | None = None,
    links: int = 3,
) -> list[QuestionResult]:
    """Run every question: ``search(q) -> ranked URLs``; ``ask(q) -> Answer`` when answers run;
    ``dated(url) -> ISO date`` for the "latest" measure (see :func:`several_answers`); ``links``: how many
    of a reply's sources it shows (``index.reply.REPLY_SOURCES``, which the command passes: this module sits
    below the reply's)."""
    results = []
    for i, q in enumerate(questions, 1):
        # Which step of a question runs first alternates: the second finds the question's embedding and
        # rendering cached by the first (an ask right after its search took 46 ms p50 instead of 77 over the
        # whole archive, bench/PERFORMANCE.md "Stop 54"), so each latency is read where it ran first.
        ask_first = ask is not None and i % 2 == 1
        if ask is not None and ask_first:
            ans, ask_ms = _timed(ask, q["question"])
        urls, search_ms = _timed(lambda text: distinct(search(text)), q["question"])
        r = QuestionResult(
            qid=str(q["qid"]),
            lang=str(q.get("lang", "th")),
            type=str(q.get("type", "other")),
            gold=list(q.get("gold_urls") or []),
            urls=urls[:10],
            search_ms=search_ms,
            style=str(q.get("style") or ""),
            fold=str(q.get("fold") or ""),
            ask_first=ask_first,
        )
        if ask is not None:
            if not ask_first:
                ans, ask_ms = _timed(ask, q["question"])
            r.ask_ms = ask_ms
            r.found = bool(ans.found)
            r.correct = answer_is_correct(q, ans) if r.answerable else None
            r.correct_strict = answer_is_strictly_correct(q, ans) if r.answerable else None
            r.answer = ans.answer
            r.short_right = short_answer_is_right(q, ans) if ans.found and ans.answer else None
            r.presentation = str(ans.presentation)
            r.named, r.latest_leads = several_answers(q, ans, dated)
            if r.answerable:
                r.linked = any(s.url in set(r.gold) for s in list(ans.sources or [])[:links])
            if r.answerable and ans.found:
                lead = ans.sources[0].url if ans.sources else ""
                others = {a.url for a in ans.answers or []} - {lead}
                r.others, r.others_gold = len(others), len(others & set(r.gold))
        results.append(r)
        if progress:
            progress(i, len(questions))
    return results


def _timed(step: Callable[[str], T], text: str) -> tuple[T, float]:
    """``step(text)`` and its wall time in milliseconds."""
    t0 = time.perf_counter()
    out = step(text)
    return out, (time.perf_counter() - t0) * 1000


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    idx = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return round(values[idx], 1)


@dataclass
class Metrics:
    """Metrics over a group of questions (all, one language, one type)."""

    questions: int = 0
    answerable: int = 0
    recall: dict[str, float | None] = field(default_factory=dict)
    mrr10: float | None = None
    answer_accuracy: float | None = None
    #: Accuracy and wrong-answer rate under the strict reading of the rule (``index.scoring``).
    answer_accuracy_strict: float | None = None
    wrong_answer_rate_strict: float | None = None
    unanswerable_refused: float | None = None
    answerable_refused: float | None = None
    wrong_answer_rate: float | None = None
    several: int = 0
    several_named: float | None = None
    latest: int = 0
    latest_leads: float | None = None
    others_listed: int = 0
    others_gold: float | None = None
    #: Refused answerable questions whose reply links a gold release (among the links it shows).
    refused_linked: float | None = None
    #: Replies with a short answer in bold, over all questions, and the share of those short answers that
    #: are right by themselves (a wrong one in bold is the worst reply: the README's first promise).
    short_answers: float | None = None
    short_answer_precision: float | None = None


def metrics(results: Sequence[QuestionResult]) -> Metrics:
    """Recall@k, MRR@10 over answerable questions; answer accuracy and abstention when answers ran."""
    m = Metrics(questions=len(results))
    ans = [r for r in results if r.answerable]
    m.answerable = len(ans)
    if ans:
        ranks = [r.rank for r in ans]
        m.recall = {
            f"r@{k}": round(sum(1 for x in ranks if x is not None and x <= k) / len(ans), 4) for k in KS
        }
        m.mrr10 = round(sum(1 / x for x in ranks if x is not None and x <= 10) / len(ans), 4)
    if any(r.found is not None for r in results):
        if ans:
            m.answer_accuracy = round(sum(1 for r in ans if r.correct) / len(ans), 4)
            m.answer_accuracy_strict = round(sum(1 for r in ans if r.correct_strict) / len(ans), 4)
            m.answerable_refused = round(sum(1 for r in ans if r.found is False) / len(ans), 4)
        m.wrong_answer_rate = round(sum(1 for r in results if r.wrong) / len(results), 4)
        wrong_strict = sum(1 for r in results if r.found and not r.correct_strict)
        m.wrong_answer_rate_strict = round(wrong_strict / len(results), 4)
        refused = [r for r in ans if r.found is False and r.linked is not None]
        if refused:
            m.refused_linked = round(sum(1 for r in refused if r.linked) / len(refused), 4)
        shorts = [r.short_right for r in results if r.short_right is not None]
        m.short_answers = round(len(shorts) / len(results), 4)
        if shorts:
            m.short_answer_precision = round(sum(shorts) / len(shorts), 4)
        un = [r for r in results if not r.answerable]
        if un:
            m.unanswerable_refused = round(sum(1 for r in un if r.found is False) / len(un), 4)
    several = [r for r in results if r.named is not None]
    m.several = len(several)
    if several:
        m.several_named = round(sum(1 for r in several if (r.named or 0) >= 2) / len(several), 4)
    m.others_listed = sum(r.others for r in results)
    if m.others_listed:
        m.others_gold = round(sum(r.others_gold for r in results) / m.others_listed, 4)
    latest = [r for r in results if r.latest_leads is not None]
    m.latest = len(latest)
    if latest:
        m.latest_leads = round(sum(1 for r in latest if r.latest_leads) / len(latest), 4)
    return m


def summarize(results: Sequence[QuestionResult], mode: str = "hybrid") -> dict[str, Any]:
    """The eval report as a JSON-ready dict: overall, per language, per type, latency."""

    def group(key: Callable[[QuestionResult], str]) -> dict[str, Any]:
        keys = sorted({key(r) for r in results})
        return {k: asdict(metrics([r for r in results if key(r) == k])) for k in keys}

    search_ms = [r.search_ms for r in results if not r.ask_first]
    ask_ms = [r.ask_ms for r in results if r.ask_ms is not None and r.ask_first]
    latency: dict[str, float | None] = {}
    if search_ms:  # none where answers ran on a single question, whose answer ran first
        latency.update({"search_p50_ms": _pct(search_ms, 50), "search_p95_ms": _pct(search_ms, 95)})
    if ask_ms:
        latency.update({"ask_p50_ms": _pct(ask_ms, 50), "ask_p95_ms": _pct(ask_ms, 95)})
    return {
        "mode": mode,
        "overall": asdict(metrics(results)),
        "by_lang": group(lambda r: r.lang),
        "by_type": group(lambda r: r.type),
        "by_lang_type": group(lambda r: f"{r.lang}/{r.type}"),
        "by_style": group(lambda r: r.style) if any(r.style for r in results) else {},
        "by_fold": group(lambda r: r.fold) if any(r.fold for r in results) else {},
        "by_lang_style": (group(lambda r: f"{r.lang}/{r.style}") if any(r.style for r in results) else {}),
        "latency": latency,
        "mean_search_ms": round(statistics.fmean(search_ms), 1) if search_ms else None,
    }


def _fmt(v: float | None) -> str:
    return "   -" if v is None else f"{v:.2f}"


def format_table(summary: dict[str, Any]) -> str:
    """A human table of the summary (what ``eval`` prints without ``--json``)."""
    # Answers ran when there is a wrong-answer rate (a set of unanswerable questions has no accuracy).
    has_answers = summary["overall"].get("wrong_answer_rate") is not None
    head = f"{'group':<22}{'n':>4}{'ans':>5}  R@1   R@5   R@10  MRR10"
    if has_answers:
        head += "  AnsAcc UnRef AnsRef Wrong  nSev Named nLat Leads OthGold"
    lines = [f"mode: {summary['mode']}", head, "-" * len(head)]

    def row(name: str, m: dict[str, Any]) -> str:
        r = m.get("recall") or {}
        s = f"{name:<22}{m['questions']:>4}{m['answerable']:>5}  {_fmt(r.get('r@1'))}  {_fmt(r.get('r@5'))}  "
        s += f"{_fmt(r.get('r@10'))}  {_fmt(m.get('mrr10'))}"
        if has_answers:
            s += f"   {_fmt(m.get('answer_accuracy'))}  {_fmt(m.get('unanswerable_refused'))}  "
            s += f"{_fmt(m.get('answerable_refused'))}  {_fmt(m.get('wrong_answer_rate'))}"
            s += f"  {m.get('several', 0):>4}  {_fmt(m.get('several_named'))} {m.get('latest', 0):>4}  "
            s += f"{_fmt(m.get('latest_leads'))}    {_fmt(m.get('others_gold'))}"
        return s

    lines.append(row("all", summary["overall"]))
    for k, m in summary["by_lang"].items():
        lines.append(row(f"lang={k}", m))
    for k, m in summary["by_type"].items():
        lines.append(row(f"type={k}", m))
    for name in ("by_style", "by_fold", "by_lang_style"):
        for k, m in (summary.get(name) or {}).items():
            lines.append(row(f"{name[3:]}={k}", m))
    overall = summary["overall"]
    if has_answers:
        lines.append(
            f"strict reading (index.scoring): accuracy {_fmt(overall.get('answer_accuracy_strict'))}, "
            f"wrong {_fmt(overall.get('wrong_answer_rate_strict'))}; short answers in bold "
            f"{_fmt(overall.get('short_answers'))} of questions, "
            f"right {_fmt(overall.get('short_answer_precision'))}"
        )
    lat = summary["latency"]
    steps = [
        f"{step} p50 {lat[f'{step}_p50_ms']} ms, p95 {lat[f'{step}_p95_ms']} ms"
        for step in ("search", "ask")
        if f"{step}_p50_ms" in lat
    ]
    lines.append("latency: " + "; ".join(steps) if steps else "latency: -")
    return "\n".join(lines)
