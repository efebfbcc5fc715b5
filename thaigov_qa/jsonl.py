"""One JSON object a line, safe for any line reader.

Why: ``json.dumps(..., ensure_ascii=False)`` keeps Thai readable but also writes U+2028, U+2029 and U+0085
raw, and readers that split lines the Unicode way (Python's ``str.splitlines``, JavaScript line readers)
then see more lines than objects. JSON allows them escaped; the rest stays as written.
"""

from __future__ import annotations

import json
from typing import Any

_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def json_line(obj: Any) -> str:
    """``obj`` as one line of JSON, Thai as written, every Unicode line break escaped."""
    text = json.dumps(obj, ensure_ascii=False)
    for raw, escaped in _LINE_BREAKS.items():
        if raw in text:
            text = text.replace(raw, escaped)
    return text
