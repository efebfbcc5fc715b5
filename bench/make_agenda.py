"""Write ``eval/agenda.jsonl``: cabinet "what did … approve on <date>" questions with their gold agendas.

Why a script: every question's gold is the list of agenda titles of one meeting's summary, in the
question's language (the English synopsis for an English question), and each title must stand verbatim
(spaces aside) in that release of the archive. The questions are written by hand below (half Thai, half
English; short chat style and long specific ones), over meetings outside the development corpus that
have both a Thai summary and an English synopsis; the gold is read from the archive here.

    python bench/make_agenda.py --archive /work/corpus -o eval/agenda.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# The checkout's packages, not an installed copy (as bench/_common.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: (meeting date, Thai summary URL id, English synopsis URL id, Thai question, style, English question, style)
MEETINGS = [
    (
        "2021-06-01",
        "42297",
        "42413",
        "ครม. อนุมัติอะไรบ้างเมื่อวันที่ 1 มิถุนายน 2564",
        "chat",
        "What did the cabinet approve on 1 June 2021?",
        "chat",
    ),
    (
        "2022-07-05",
        "56572",
        "56778",
        "ที่ประชุมคณะรัฐมนตรีเมื่อวันอังคารที่ 5 กรกฎาคม 2565 มีมติเห็นชอบเรื่องใดบ้าง ขอรายการทั้งหมด",
        "specific",
        "Which resolutions did the Thai cabinet pass at its meeting on July 5, 2022?",
        "specific",
    ),
    (
        "2022-07-12",
        "56842",
        "56993",
        "มติ ครม. 12 ก.ค. 65 มีอะไรบ้าง",
        "chat",
        "cabinet decisions 12 July 2022",
        "chat",
    ),
    (
        "2022-08-09",
        "57833",
        "58015",
        "สรุปผลการประชุม ครม. วันที่ 9 สิงหาคม 2565 มีเรื่องอะไรบ้าง",
        "specific",
        "What was approved at the cabinet meeting of August 9, 2022?",
        "chat",
    ),
    (
        "2022-09-13",
        "59214",
        "59404",
        "ครม.เห็นชอบอะไรบ้าง 13 ก.ย. 2565",
        "chat",
        "List the items the cabinet resolved on Sep 13, 2022",
        "chat",
    ),
    (
        "2023-02-14",
        "64959",
        "65168",
        "คณะรัฐมนตรีมีมติอะไรบ้างในการประชุมวันที่ 14 กุมภาพันธ์ 2566",
        "specific",
        "What did the Thai cabinet agree to at its meeting held on February 14, 2023? "
        "Please give me the full list.",
        "specific",
    ),
    (
        "2023-04-25",
        "67643",
        "67724",
        "ครม. 25 เม.ย. 66 อนุมัติอะไร",
        "chat",
        "cabinet approvals on 25 April 2023?",
        "chat",
    ),
    (
        "2023-05-09",
        "68071",
        "68195",
        "อยากทราบว่าการประชุมคณะรัฐมนตรีเมื่อวันที่ 9 พฤษภาคม 2566 มีวาระอะไรบ้างที่ได้รับการอนุมัติ",
        "specific",
        "What resolutions came out of the cabinet meeting on 9 May 2023?",
        "specific",
    ),
    (
        "2023-07-18",
        "70474",
        "70635",
        "ประชุม ครม. 18 ก.ค. 2566 มีมติอะไรบ้าง",
        "chat",
        "What did the cabinet approve on July 18, 2023?",
        "chat",
    ),
    (
        "2023-09-06",
        "71987",
        "72046",
        "ครม. นัดพิเศษวันที่ 6 กันยายน 2566 มีมติเรื่องอะไรบ้าง",
        "specific",
        "What did the new cabinet decide at its special meeting on 6 September 2023?",
        "specific",
    ),
    (
        "2023-09-18",
        "72332",
        "72874",
        "วันที่ 18 กันยายน 2566 คณะรัฐมนตรีอนุมัติเรื่องอะไรบ้าง",
        "specific",
        "Which matters did the cabinet approve in the meeting of 18 September 2023?",
        "specific",
    ),
    (
        "2024-12-24",
        "91709",
        "91773",
        "ครม. 24 ธ.ค. 67 เห็นชอบอะไรบ้าง",
        "chat",
        "What did the cabinet approve on 24 December 2024?",
        "chat",
    ),
    (
        "2025-05-13",
        "96350",
        "96654",
        "ขอสรุปมติคณะรัฐมนตรีจากการประชุมเมื่อวันอังคารที่ 13 พฤษภาคม 2568 ทั้งหมด",
        "specific",
        "Give me the cabinet's resolutions from the meeting on May 13, 2025, as announced by the government "
        "spokesperson.",
        "specific",
    ),
]
URL = "https://www.thaigov.go.th/news/contents/details/"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u200b", ""))


def main(argv: list[str] | None = None) -> int:
    from corpus.agenda import parse_agenda
    from corpus.release import Release
    from corpus.sources import iter_source

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", required=True, help="the unpacked archive (a folder with data/)")
    ap.add_argument("--list", default="eval/agenda-corpus.txt", help="the releases to read")
    ap.add_argument("-o", "--out", default="eval/agenda.jsonl")
    args = ap.parse_args(argv)
    wanted = {URL + th for _d, th, *_ in MEETINGS} | {URL + en for _d, _t, en, *_ in MEETINGS}
    found: dict[str, Release] = {}
    for item in iter_source(args.archive, only=args.list):
        if isinstance(item, Release) and item.url in wanted:
            found[item.url] = item
    out, bad = [], 0
    for n, (date, th, en, q_th, s_th, q_en, s_en) in enumerate(MEETINGS, start=1):
        for lang, rid, other, question, style in (("th", th, en, q_th, s_th), ("en", en, th, q_en, s_en)):
            release = found[URL + rid]
            agenda = parse_agenda(release)
            assert agenda is not None and agenda.meeting_date == date, (rid, agenda)
            raw = _squash(Path(args.archive, release.path).read_text(encoding="utf-8", errors="replace"))
            titles = [i.title for i in agenda.items]
            missing = [t for t in titles if _squash(t) not in raw]
            bad += len(missing)
            out.append(
                {
                    "qid": f"agenda-{n:02d}{lang}",
                    "lang": lang,
                    "question": question,
                    "style": style,
                    "type": "what",
                    "kind": "list",
                    "gold_urls": [URL + rid],
                    "also_urls": [URL + other],
                    "meeting_date": date,
                    "published": release.date,
                    "gold_titles": titles,
                    "answer": titles[0],
                    "answer_aliases": [],
                    "evidence": titles[0],
                }
            )
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} questions, {sum(len(r['gold_titles']) for r in out)} gold titles, {bad} not verbatim")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
