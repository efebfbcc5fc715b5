"""Draft the follow-up conversations of ``eval/followups.jsonl`` from releases outside the dev corpus.

Why drafted by a script: a follow-up set must name, for every turn, the release and the words of it that
answer, verbatim. Government releases open with the same frame ("วันนี้ (date) ณ place name position …",
"On date, at place, name …"), so the date, the place and the person of each release are found there and
checked to be verbatim; the questions are written by templates of how people follow up in a chat
("ที่ไหน", "and who was it?"), varied per conversation. Some conversations switch to another release's
question in their last turn (a standalone question inside a conversation must start afresh).

    python bench/make_followups.py --archive /work/corpus --exclude ../shared/eval/dev-corpus.txt \\
        -o eval/followups.jsonl --corpus-list eval/followups-corpus.txt
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

# The checkout's packages, not an installed copy (as bench/_common.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TH = re.compile(
    r"วันนี้\s*\((?P<date>[^)]{6,40}?)\s*\)\s*(?:เวลา\s*[\d.:]+\s*น\.\s*)?(?:ณ|ที่)\s*(?P<place>[^\n]{4,90}?)\s+"
    r"(?P<who>(?:นาย|นางสาว|นาง)[^\s]{2,20}\s+[^\s]{2,25})"
)
EN = re.compile(
    r"^(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4}),? (?:[^\n]{0,160}?)(?P<who>(?:[A-Z][a-z]+[- ]){1,2}[A-Z][a-z]+)"
    r" (?:disclosed|said|revealed|stated|announced|reported|explained|noted|told|added)",
    re.MULTILINE,
)
#: A place ends before a person's title (the frame runs on: "ณ <place> <title> <name>").
_PLACE_END = re.compile(r"\s(?:ศาสตราจารย์|รองศาสตราจารย์|พลเอก|พล\.|ดร\.|นายแพทย์|แพทย์หญิง|ว่าที่|เรือ)")
TH_WHERE = ["ที่ไหน", "จัดที่ไหน", "แล้วที่ไหน", "สถานที่คือที่ไหน", "ที่ไหนครับ"]
TH_WHO = ["แล้วใคร", "ใครเป็นคนพูด", "ใครเป็นผู้กล่าว", "แล้วใครเป็นคนแถลง", "ใครครับ"]
EN_WHO = ["who said so?", "and who disclosed it?", "who announced it?", "who was it?", "and who?"]


def _aliases(date_text: str) -> list[str]:
    from corpus.thaidate import find_dates, format_en, format_th

    found = find_dates(date_text)
    if not found:
        return []
    day = found[0].date
    return sorted({format_en(day), day.isoformat(), format_th(day), format_th(day, full=True)} - {date_text})


def _who_aliases(who: str) -> list[str]:
    bare = re.sub(r"^(?:นางสาว|นาย|นาง|Mr\. |Ms\. |Mrs\. )", "", who).strip()
    last_two = " ".join(who.split()[-2:])
    return sorted({bare, last_two} - {who})


def _sentence(body: str, start: int, end: int) -> str:
    a = max(body.rfind("\n", 0, start) + 1, 0)
    b = body.find("\n", end)
    line = body[a : b if b >= 0 else len(body)].strip()
    return line if len(line) <= 400 else body[start:end].strip()


def _title_q(title: str, lang: str) -> str:
    core = re.sub(r"\s+", " ", title).strip(" .\"'“”")
    if len(core) > 80:
        core = core[:80].rsplit(" ", 1)[0]
    return f"{core} เมื่อไหร่" if lang == "th" else f"When was this: {core}?"


def facts(release: object) -> dict[str, object] | None:
    body = release.body  # type: ignore[attr-defined]
    lang = release.lang  # type: ignore[attr-defined]
    m = (TH if lang == "th" else EN).search(body)
    if not m:
        return None
    if lang == "en":
        evidence = _sentence(body, m.start(), m.end())
        return {"date": m.group("date"), "who": m.group("who"), "place": "", "evidence": evidence}
    place = _PLACE_END.split(m.group("place"))[0].strip(" ,")
    who = m.group("who").strip(" ,")
    if len(place) < 4 or any(ch in place for ch in "()") or len(who.split()) > 8:
        return None
    evidence = _sentence(body, m.start(), m.end())
    return {"date": m.group("date").strip(), "place": place, "who": who, "evidence": evidence}


def turn(question: str, url: str, answer: str, aliases: list[str], qtype: str, evidence: str, followup: bool):
    return {
        "question": question,
        "followup": followup,
        "gold_urls": [url],
        "answer": answer,
        "answer_aliases": aliases,
        "type": qtype,
        "evidence": evidence,
    }


def conversation(n: int, rel: object, f: dict, other: dict | None) -> dict:
    lang, url = rel.lang, rel.url  # type: ignore[attr-defined]
    who = (TH_WHO if lang == "th" else EN_WHO)[(n // 5) % 5]
    ev = f["evidence"]
    title = rel.title  # type: ignore[attr-defined]
    turns = [turn(_title_q(title, lang), url, f["date"], _aliases(f["date"]), "when", ev, False)]
    if lang == "th":
        turns.append(turn(TH_WHERE[n % 5], url, f["place"], [], "where", ev, True))
    if other is None or lang == "en":
        turns.append(turn(who, url, f["who"], _who_aliases(f["who"]), "who", ev, True))
    if other is not None:
        turns.append(dict(other["turns"][0]))
    return {"cid": f"fu-{n + 1:03d}", "lang": lang, "turns": turns}


def main() -> int:
    from corpus.sources import read_only_list
    from corpus.thaigov import ParseError, parse_release

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", type=Path, required=True, help="the unpacked archive (holds data/)")
    p.add_argument("--exclude", nargs="*", default=[], help="lists of archive paths to leave out")
    p.add_argument("-n", type=int, default=64, help="conversations")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--distractors", type=int, default=120, help="other releases added to the corpus list")
    p.add_argument("-o", type=Path, required=True)
    p.add_argument("--corpus-list", type=Path, required=True, help="write the gold releases' paths here")
    args = p.parse_args()
    skip = {x for lst in args.exclude for x in read_only_list(lst)}
    files = sorted(
        str(f.relative_to(args.archive)) for f in (args.archive / "data").glob("202[1-4]/*/*/*.txt")
    )
    random.Random(args.seed).shuffle(files)
    picked: list[tuple[object, dict, str]] = []
    want = {"th": args.n // 2 + 4, "en": args.n // 2 + 4}
    for rel_path in files:
        if rel_path in skip or not any(want.values()):
            continue
        try:
            rel = parse_release((args.archive / rel_path).read_text(encoding="utf-8"), rel_path)
        except (ParseError, UnicodeDecodeError):
            continue
        if want.get(rel.lang, 0) <= 0 or not 600 <= len(rel.body) <= 6000:
            continue
        f = facts(rel)
        if f is None or any(f[k] not in rel.body for k in ("date", "place", "who", "evidence")):
            continue
        if rel.lang == "en" and len(rel.title) > 120:
            continue
        picked.append((rel, f, rel_path))
        want[rel.lang] -= 1
    convs: list[dict] = []
    th = [x for x in picked if x[0].lang == "th"][: args.n // 2]  # type: ignore[attr-defined]
    en = [x for x in picked if x[0].lang == "en"][: args.n - len(th)]  # type: ignore[attr-defined]
    picked = [x for pair in zip(th, en, strict=False) for x in pair] + th[len(en) :] + en[len(th) :]
    for n, (rel, f, _) in enumerate(picked[: args.n]):
        convs.append(conversation(n, rel, f, None))
    # Every fourth conversation ends with another release's opening question (a standalone turn).
    for n in range(3, len(convs), 4):
        other = convs[(n + 7) % len(convs)]
        convs[n] = conversation(n, picked[n][0], picked[n][1], other)
    with args.o.open("w", encoding="utf-8") as out:
        for c in convs:
            out.write(json.dumps(c, ensure_ascii=False) + "\n")
    gold = [p for _, _, p in picked[: args.n]]
    others = [f for f in files[-args.distractors * 3 :] if f not in skip and f not in gold][
        : args.distractors
    ]
    args.corpus_list.write_text("".join(p + "\n" for p in gold + others), encoding="utf-8")
    print(f"{len(convs)} conversations, {sum(len(c['turns']) for c in convs)} turns -> {args.o}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
