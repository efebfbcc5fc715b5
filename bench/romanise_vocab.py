"""Romanise an index generation's Thai vocabulary: the table English questions' romanised Thai words
("ruam jai", "nong loeng") are looked up in (``index/search/transliteration.py``).

Why a file: romanising ~100k words with pythainlp's royin engine takes ~20 s, too long for every start
of the bot or the CLI; the words come from the corpus, like the mined glossary's. Run it on the largest
generation you have (the whole archive's covers most names)::

    python bench/romanise_vocab.py --generation DATA_DIR/index/<generation> [--min-df 2]

It writes ``index/data/translit_th.tsv`` (Thai word, royin romanisation, chunks holding it), sorted, so the
same inputs write the same file.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.build.postings import Postings  # noqa: E402
from index.search.transliteration import SINGLE, TRANSLIT_FILE, key  # noqa: E402

log = logging.getLogger("romanise_vocab")

#: Thai words of 2+ letters (no digits, no Latin): what a romanised question word can stand for.
_THAI = re.compile(r"^[\u0e01-\u0e4e]{2,}$")


def thai_vocabulary(generation: Path, min_df: int) -> list[tuple[str, int]]:
    """The generation's Thai BM25 terms held by at least ``min_df`` chunks, with that count."""
    postings = Postings.load(generation)
    if postings is None:
        raise SystemExit(f"no BM25 arrays in {generation}: give a generation folder of a built index")
    counted = ((w, postings.doc_freq(w)) for w in postings.terms if _THAI.match(w))
    return [(w, d) for w, d in counted if d >= min_df]


def romanise(words: list[tuple[str, int]]) -> list[tuple[str, str, int]]:
    """(Thai word, royin romanisation, df) for the words whose spelling key is long enough to be matched."""
    from pythainlp.transliterate import romanize

    out = []
    for word, df in words:
        latin = romanize(word, engine="royin")
        if len(key(latin)) >= SINGLE:
            out.append((word, latin, df))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generation", type=Path, required=True, help="DATA_DIR/index/<generation> folder")
    ap.add_argument("--min-df", type=int, default=2, help="chunks a Thai word must be in (default 2)")
    ap.add_argument("-o", "--output", type=Path, default=TRANSLIT_FILE)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    words = thai_vocabulary(args.generation, args.min_df)
    log.info("%d Thai words with df >= %d", len(words), args.min_df)
    rows = sorted(romanise(words))
    header = f"# thai\troyin\tdf (bench/romanise_vocab.py, min df {args.min_df})\n"
    args.output.write_text(header + "".join(f"{t}\t{r}\t{d}\n" for t, r, d in rows), encoding="utf-8")
    log.info("%d rows written to %s", len(rows), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
