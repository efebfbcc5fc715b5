"""Synthetic cabinet summaries in the archive's file format (written here, not copied from releases):
a Thai summary of a 14-item meeting with a table of contents and the items again below it, its English
synopsis published five days later with ``Title:`` headings, and a release with no agenda.
"""

from __future__ import annotations

from pathlib import Path

TH_ID, EN_ID, PLAIN_ID = "990001", "990002", "990003"
URL = "https://www.thaigov.go.th/news/contents/details/"
TH_ITEMS = [f"ร่างพระราชบัญญัติทดสอบ ฉบับที่ {n} ว่าด้วยเรื่องสมมติ <ก> & ข" for n in range(1, 15)]
EN_ITEMS = [
    "Draft Royal Decree on the Test Fund <No. 1> & others",
    "Approval of budget for the imaginary bridge",
    "Outcome of the 3rd Imaginary Ministerial Meeting",
]


def thai_summary() -> str:
    toc = []
    for n, title in enumerate(TH_ITEMS, start=1):
        if n == 1:
            toc.append("กฎหมาย")
        if n == 8:
            toc.append("เศรษฐกิจ-สังคม")
        toc.append(f"{n}.       เรื่อง     {title}")
    body = []
    for n, title in enumerate(TH_ITEMS, start=1):
        body += [f"{n}. เรื่อง {title}", "คณะรัฐมนตรีมีมติอนุมัติตามที่เสนอ", "1. ให้ดำเนินการต่อไป", "2. รายงานผล"]
    lines = [
        "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-สรุปข่าวการประชุมคณะรัฐมนตรี 12 กันยายน 2566",
        "",
        "",
        "วันพุธที่ 13 กันยายน 2566",
        "13/09/2566",
        "พิมพ์",
        "สรุปข่าวการประชุมคณะรัฐมนตรี 12 กันยายน 2566",
        "วันนี้ (12 กันยายน 2566) เวลา 09.00 น. นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ซึ่งสรุปสาระสำคัญดังนี้",
        *toc,
        "***************",
        *body,
        "",
        f"ที่มา : {URL}{TH_ID}",
    ]
    return "\n".join(lines) + "\n"


def english_synopsis() -> str:
    body = []
    for title in EN_ITEMS:
        body += [f"Title: {title}", "The cabinet approved the proposal as submitted.", "Gist", "1. A point."]
    lines = [
        "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-The cabinet met on September 12, 2023.",
        "",
        "",
        "วันอาทิตย์ที่ 17 กันยายน 2566",
        "17/09/2566",
        "พิมพ์",
        "The cabinet met on September 12, 2023.",
        "Some of the resolutions are as follows",
        *body,
        "",
        f"ที่มา : {URL}{EN_ID}",
    ]
    return "\n".join(lines) + "\n"


def plain_release() -> str:
    lines = [
        "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-นายกรัฐมนตรีเยี่ยมชมโครงการทดสอบ",
        "",
        "",
        "วันพุธที่ 13 กันยายน 2566",
        "13/09/2566",
        "พิมพ์",
        "นายกรัฐมนตรีเยี่ยมชมโครงการทดสอบ",
        "วันนี้ (13 กันยายน 2566) นายกรัฐมนตรีเยี่ยมชมโครงการทดสอบ 1. เรื่อง แรก ในย่อหน้าเดียว",
        "",
        f"ที่มา : {URL}{PLAIN_ID}",
    ]
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path) -> Path:
    """The three releases as archive files under ``folder/data/2023/09/…``."""
    day = folder / "data" / "2023" / "09"
    for sub, name, text in (
        ("13", "สรุปข่าวการประชุม ครม_1_test.txt", thai_summary()),
        ("17", "Cabinet Meeting Synopsis_1_test.txt", english_synopsis()),
        ("13", "ข่าวนายกรัฐมนตรี_1_test.txt", plain_release()),
    ):
        (day / sub).mkdir(parents=True, exist_ok=True)
        (day / sub / name).write_text(text, encoding="utf-8")
    return folder
