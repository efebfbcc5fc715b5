"""Mine the Thai abbreviations the archive writes with a closing dot ("กกจ.", "กมธ.", "มอก.") that the word
splitter cuts apart, for the splitter's custom dictionary.

Why: Thai abbreviations are runs of consonants closed by a dot, and people type them in short questions
("กกจ. อบรม … กี่คน"). pythainlp's dictionary knows the common ones (ครม., สปสช.) but cuts the others into
pieces that are words of their own (กกจ → กก + จ, กมธ → กม + ธ, มอก → มอ + ก), so BM25 matches "กก" (reed,
kilogram) and loses the agency. The archive says which runs are abbreviations: a run of 3-6 consonants
after a space or punctuation and before a dot, seen often.

    python bench/mine_thai_abbreviations.py --archive ../shared/corpus/thaigov-v2.tar.xz [--min-count 20]

Writes ``index/data/thai_abbreviations.txt`` (one a line, sorted, with its count): only runs the splitter
cuts today. The file is part of the splitter's dictionary (``index.lexical``): a change re-tokenizes every
index at its next build or update (no re-embedding).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.sources import Skipped, iter_source  # noqa: E402
from index import lexical  # noqa: E402

log = logging.getLogger("mine_thai_abbreviations")

#: 3-6 Thai consonants after the start, a space or punctuation, closed by a dot (two-letter runs, กต. or กพ.,
#: would join the dictionary as words that ordinary text holds too often).
_ABBREVIATION = re.compile(r"(?:^|(?<=[\s(\"'“”‘’/,:;\-]))([ก-ฮ]{3,6})\.")


def count_abbreviations(archive: str) -> Counter[str]:
    """How often each consonant run is written as an abbreviation in the archive's titles and bodies."""
    counts: Counter[str] = Counter()
    for item in iter_source(archive):
        if isinstance(item, Skipped):
            continue
        counts.update(_ABBREVIATION.findall(item.title + "\n" + item.body))
    return counts


def glued(run: str, known: frozenset[str], abbreviations: set[str]) -> bool:
    """Whether ``run`` is a word of 3+ letters written against an abbreviation ("ของบมจ." for ของ บมจ.): a
    dictionary word followed by a known word or another of the abbreviations."""
    return any(
        run[:i] in known and (run[i:] in known or run[i:] in abbreviations) for i in range(3, len(run) - 1)
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--min-count", type=int, default=20, help="times written with a dot (20)")
    ap.add_argument("-o", "--output", type=Path, default=lexical.ABBREVIATIONS_FILE)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from pythainlp.corpus import thai_words

    counts = count_abbreviations(args.archive)
    # Only what the splitter's dictionary lacks (it keeps a dictionary word whole): pythainlp's and the names.
    known = frozenset(thai_words()) | lexical.read_words(lexical.NAMES_FILE)
    seen = {a for a, n in counts.items() if n >= args.min_count and a not in known}
    cut = sorted(a for a in seen if not glued(a, known, seen))
    header = "# Thai abbreviations the dictionary lacks "
    header += f"(bench/mine_thai_abbreviations.py, min count {args.min_count})\n"
    args.output.write_text(header + "".join(f"{a}  # {counts[a]}\n" for a in cut), encoding="utf-8")
    log.info(
        "%d runs seen %d+ times and not in the dictionary, %d kept (not glued to a word): %s",
        len(seen),
        args.min_count,
        len(cut),
        args.output,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
