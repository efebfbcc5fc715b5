"""Text at the edges: questions as the search reads them, and JSON lines any line reader splits right."""

from __future__ import annotations

import json

from corpus.text import MAX_QUERY_CHARS, query_text
from thaigov_qa.jsonl import json_line


def test_query_text_drops_bytes_that_were_not_utf8_and_cuts_long_questions() -> None:
    assert query_text("Huawei \udcff\udcfe MOU  signed?\n") == "Huawei MOU signed?"
    assert query_text(None) == "" and query_text("  \t ") == ""
    assert len(query_text("ก" * 50_000)) == MAX_QUERY_CHARS
    assert query_text("ก ข", limit=1) == "ก"


def test_json_lines_escape_unicode_line_breaks() -> None:
    obj = {"question": "Huawei\u2028MOU\u2029signed\u0085?", "th": "ลงนาม"}
    line = json_line(obj)
    assert len(line.splitlines()) == 1 and "ลงนาม" in line
    assert json.loads(line) == obj
