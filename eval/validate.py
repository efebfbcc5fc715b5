"""Check a question set against the archive: format, answers and evidence verbatim in a gold release, gold
URLs that exist, folds split by release, and (with ``--corpus``) every question's gold in the corpus list.

    python eval/validate.py eval/qa.jsonl --corpus eval/qa-corpus.txt
    python eval/validate.py eval/qa.jsonl --archive ../shared/corpus/thaigov-v2.tar.xz
    python eval/validate.py eval/followups-natural.jsonl --conversations \
        --corpus eval/followups-natural-corpus.txt

Prints the errors (question id and reason) and the mix (language, style, type, kind, fold); exit 1 on any
error. Release texts are read from the archive (streamed), never copied.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TYPES = {"when", "who", "what", "where", "which", "why", "how_many", "how_much", "yes_no", "unanswerable"}
KINDS = {"date", "time", "count", "money", "percent", "person", "org", "place", "phone", "reason", "yes_no"}
KINDS |= {"list", "other", "none"}
FOLDS = {"train", "validation", "test"}
KEYS = ("qid", "lang", "question", "style", "type", "kind", "gold_urls", "answer", "answer_aliases")
KEYS += ("evidence", "source_url", "fold")


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u200b", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def check(q: dict, bodies: dict[str, str], corpus_urls: set[str] | None) -> list[str]:
    errs = [f"missing {k}" for k in KEYS if k not in q]
    if errs:
        return errs
    if q["lang"] not in ("th", "en") or q["style"] not in ("short", "specific"):
        errs.append("lang or style")
    if q["type"] not in TYPES or q["kind"] not in KINDS or q["fold"] not in FOLDS:
        errs.append("type, kind or fold")
    aliases = q["answer_aliases"]
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        errs.append("answer_aliases not a list of non-empty strings")
    gold = list(q["gold_urls"])
    if q["type"] == "unanswerable":
        if gold or q["answer"] or q["evidence"]:
            errs.append("unanswerable with gold, answer or evidence")
        return errs
    missing = [u for u in gold if u not in bodies]
    if not gold or missing:
        return errs + [f"gold not in the archive: {missing or 'none given'}"]
    answer, evidence = norm(q["answer"]), norm(q["evidence"])
    if not answer or answer not in evidence:
        errs.append("answer empty or not inside the evidence")
    if not any(evidence in bodies[u] for u in gold):
        errs.append("evidence not verbatim in a gold release")
    if corpus_urls is not None and not set(gold) & corpus_urls:
        errs.append("no gold release in the corpus list")
    return errs


def turns_as_questions(conv: dict) -> list[dict]:
    """The turns of a follow-up conversation (``eval/followups*.jsonl``) as questions of this format, so
    that the same checks hold for them (answer and evidence verbatim in a gold release; one fold)."""
    out = []
    for i, turn in enumerate(conv.get("turns") or []):
        q = {"qid": f"{conv.get('cid')}#{i}", "lang": conv.get("lang"), "style": "short", "kind": "other"}
        q |= {"fold": "test", "source_url": (turn.get("gold_urls") or [""])[0]}
        out.append(q | turn)
    return out


def fold_leaks(questions: list[dict]) -> list[str]:
    """Releases that are gold in two folds: folds must split by release."""
    folds: dict[str, set[str]] = collections.defaultdict(set)
    for q in questions:
        for u in [q.get("source_url", "")] + list(q.get("gold_urls") or []):
            if u:
                folds[u].add(q.get("fold", ""))
    return sorted(u for u, f in folds.items() if len(f) > 1)


def main(argv: list[str] | None = None) -> int:
    from corpus.sources import iter_source, read_only_list

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("qa", type=Path)
    p.add_argument("--archive", default=str(REPO.parent / "shared" / "corpus" / "thaigov-v2.tar.xz"))
    p.add_argument("--corpus", type=Path, help="the evaluation corpus list (archive paths)")
    p.add_argument("--conversations", action="store_true", help="a follow-up set: check every turn")
    args = p.parse_args(argv)
    lines = args.qa.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    if args.conversations:
        questions = [t for c in questions for t in turns_as_questions(c)]
    bodies: dict[str, str] = {}
    corpus_urls: set[str] | None = set() if args.corpus else None
    in_corpus = set(read_only_list(args.corpus)) if args.corpus else set()
    for item in iter_source(args.archive):
        url = getattr(item, "url", None)
        if url is None:
            continue
        bodies[url] = norm(f"{item.title}\n{item.body}")
        if corpus_urls is not None and item.path in in_corpus:
            corpus_urls.add(url)
    bad = 0
    for q in questions:
        errs = check(q, bodies, corpus_urls)
        if errs:
            bad += 1
            print(f"{q.get('qid')}: " + "; ".join(errs))
    leaks = fold_leaks(questions)
    for url in leaks:
        print(f"release in two folds: {url}")
    qids = collections.Counter(q.get("qid") for q in questions)
    dupes = [k for k, n in qids.items() if n > 1]
    for qid in dupes:
        print(f"duplicate qid {qid}")
    n = len(questions) or 1
    print(
        f"{len(questions)} questions, {bad} with errors, {len(leaks)} fold leaks, {len(dupes)} duplicate qids"
    )
    for key in ("lang", "style", "type", "kind", "fold"):
        c = collections.Counter(str(q.get(key)) for q in questions)
        print(f"{key}: " + ", ".join(f"{v} {c[v]} ({c[v] / n:.0%})" for v in sorted(c)))
    return 1 if bad or leaks or dupes else 0


if __name__ == "__main__":
    sys.exit(main())
