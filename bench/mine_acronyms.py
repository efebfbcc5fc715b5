"""Mine the Thai words that go with the Latin acronyms Thai releases use ("GHB" → ธอส, "MOPH" → สาธารณสุข),
for English questions that name an agency the way people type it ("how many ghb houses …", "moph meeting").

Why: the tables that render English words know few acronyms (`gov_terms_en_th.tsv` lists some by hand, the
mined pairs a few more), the dictionary knows the wrong sense ("GHB", the drug) and the romanised-vocabulary
lookup reads an unknown one as a Thai word by sound ("moph" → โม่, โมก). The archive itself says what an
acronym stands for: Thai releases write it in Latin letters inside Thai text, beside the agency's Thai name
("ธอส. จัดงาน GHB's NPA Online Auction"). A Thai word that occurs in many of the chunks holding the acronym,
and in few others (coverage and lift over the index's BM25 postings), is one of its renderings.

    python bench/mine_acronyms.py --generation DATA_DIR/index/<generation> \
        --archive ../shared/corpus/thaigov-v2.tar.xz

``--archive`` is read once to learn which Latin words the archive writes in capitals (≥ 90 % of their
occurrences, English releases included): only those are acronyms when a question writes them in lower case
("ghb"); "led", written "LED" in Thai releases but "led" in English ones, is one only when the question
writes "LED". Writes ``index/data/acronyms_th.tsv`` (acronym, Thai word, score, chunks together,
capitals share) and ``index/data/thai_acronyms.tsv`` (the consonant-only Thai words a question may spell by
letter name, "kor yor sor" for กยศ), sorted, so the same inputs write the same files.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.sources import Skipped, iter_source  # noqa: E402
from index.build.postings import Postings  # noqa: E402
from index.search.acronyms import ACRONYM_FILE  # noqa: E402
from index.search.letter_names import THAI_ACRONYM_FILE  # noqa: E402

log = logging.getLogger("mine_acronyms")

_LATIN = re.compile(r"^[a-z]{2,7}$")
_THAI = re.compile(r"^[\u0e01-\u0e4e]{2,}$")
#: Consonants only, 2-6 of them: how Thai acronyms (กยศ, อสม, สปสช) stand in the BM25 vocabulary.
_THAI_ACRONYM = re.compile(r"^[\u0e01-\u0e2e]{2,6}$")
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,7}(?![A-Za-z])")
#: A word inside a handle or a host name ("cgd_news", "uaeapply.doe", "doe go.th"): written in lower case
#: whatever the name is, like the addresses below; in capitals ("TSLA.O") it still says how it is written.
_BEFORE_NAME = re.compile(r"[0-9_.@/]$")
_AFTER_NAME = re.compile(r"^(?:[0-9_]|\.[A-Za-z]|\s+go\.th)")
#: Web and mail addresses ("www.moph.go.th", "1330@nhso.go.th"): written in lower case whatever the name is.
_ADDRESS = re.compile(r"\S*(?:www\.|https?://|\.go\.th|\.com|\.or\.th|\.org|@)\S*")


def capital_shares(archive: str, words: set[str]) -> dict[str, float]:
    """For each of ``words``: the share of its occurrences in the archive written in capitals, web and mail
    addresses, handles and host names in lower case left out."""
    upper: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for item in iter_source(archive):
        if isinstance(item, Skipped):
            continue
        text = _ADDRESS.sub(" ", item.title + "\n" + item.body)
        for m in _WORD.finditer(text):
            w, low = m.group(), m.group().lower()
            if low not in words:
                continue
            if not w.isupper() and (
                _BEFORE_NAME.search(text, max(0, m.start() - 1), m.start())
                or _AFTER_NAME.match(text[m.end() : m.end() + 8])
            ):
                continue
            total[low] += 1
            upper[low] += w.isupper()
    return {w: upper[w] / total[w] for w in total}


def associations(
    postings: Postings, min_chunks: int, min_cover: float, min_lift: float, per_acronym: int
) -> dict[str, list[tuple[str, float, int]]]:
    """Latin term → its Thai words (word, score, chunks together), best first.

    A Thai word qualifies when it is in at least ``min_cover`` of the term's chunks and ``min_lift`` times
    more often there than in the whole generation; its score is coverage x log(lift), so a word that is
    both frequent beside the acronym and rare elsewhere comes first.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    n_terms, n = len(postings.terms), postings.n_chunks
    matrix = csr_matrix(
        (np.ones(len(postings.rows), dtype=np.float32), postings.rows, postings.indptr), shape=(n_terms, n)
    )
    df = np.diff(postings.indptr)
    latin = [i for i, t in enumerate(postings.terms) if _LATIN.match(t) and df[i] >= min_chunks]
    thai = np.array([bool(_THAI.match(t)) for t in postings.terms])
    log.info("%d Latin terms in >= %d chunks", len(latin), min_chunks)
    out: dict[str, list[tuple[str, float, int]]] = {}
    for start in range(0, len(latin), 256):
        block = latin[start : start + 256]
        together = (matrix[block] @ matrix.T).tocsr()
        for row, term in enumerate(block):
            lo, hi = together.indptr[row], together.indptr[row + 1]
            cols, counts = together.indices[lo:hi], together.data[lo:hi]
            keep = thai[cols] & (counts >= 3)
            cover = counts[keep] / df[term]
            lift = counts[keep] * n / (df[term] * df[cols[keep]])
            good = (cover >= min_cover) & (lift >= min_lift)
            scored = sorted(
                (
                    (round(float(c * math.log(li)), 4), postings.terms[w], int(k))
                    for w, c, li, k, g in zip(cols[keep], cover, lift, counts[keep], good, strict=True)
                    if g
                ),
                key=lambda r: (-r[0], r[1]),
            )
            if scored:
                out[postings.terms[term]] = [(w, s, k) for s, w, k in scored[:per_acronym]]
    return out


def thai_acronyms(postings: Postings, min_chunks: int) -> list[tuple[str, int]]:
    """Consonant-only Thai words in at least ``min_chunks`` chunks, with that count: what a run of letter
    names ("kor yor sor") may spell. Ordinary words written without vowels (คน, ของ) are among them; a
    question spells those by letter name too rarely to matter."""
    counted = ((t, postings.doc_freq(t)) for t in postings.terms if _THAI_ACRONYM.match(t))
    return sorted((t, d) for t, d in counted if d >= min_chunks)


def refresh_shares(table: Path, archive: str) -> int:
    """Rewrite the capitals-share column of ``table`` from ``archive`` (the Thai words need a whole-archive
    generation's postings; the share needs only the archive)."""
    lines = table.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    shares = capital_shares(archive, {r[0] for r in rows})
    out = [line for line in lines if line.startswith("#")]
    changed = 0
    for r in rows:
        share = str(round(shares.get(r[0], 0.0), 3))
        changed += share != r[4]
        out.append("\t".join([*r[:4], share]))
    table.write_text("\n".join(out) + "\n", encoding="utf-8")
    log.info("%d of %d rows' capitals share changed in %s", changed, len(rows), table)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generation", type=Path, help="DATA_DIR/index/<generation> folder")
    ap.add_argument(
        "--shares-only",
        action="store_true",
        help="recount only the capitals share of the acronyms the table (-o) already has, from --archive",
    )
    ap.add_argument("--archive", required=True, help="the archive the generation was built from")
    ap.add_argument("--min-chunks", type=int, default=8, help="chunks an acronym must be in (default 8)")
    ap.add_argument("--min-cover", type=float, default=0.2, help="share of its chunks a word is in (0.2)")
    ap.add_argument("--min-lift", type=float, default=8.0, help="how much likelier beside it (8)")
    ap.add_argument("--per-acronym", type=int, default=3, help="Thai words kept per acronym (3)")
    ap.add_argument("-o", "--output", type=Path, default=ACRONYM_FILE)
    ap.add_argument("--thai-output", type=Path, default=THAI_ACRONYM_FILE, help="Thai acronyms' table")
    ap.add_argument("--thai-min-chunks", type=int, default=5, help="chunks a Thai acronym must be in (5)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.shares_only:
        return refresh_shares(args.output, args.archive)
    if args.generation is None:
        ap.error("--generation is needed (or --shares-only)")
    postings = Postings.load(args.generation)
    if postings is None:
        raise SystemExit(f"no BM25 arrays in {args.generation}: give a generation folder of a built index")
    found = associations(postings, args.min_chunks, args.min_cover, args.min_lift, args.per_acronym)
    shares = capital_shares(args.archive, set(found))
    rows = sorted((a, w, s, k, round(shares.get(a, 0.0), 3)) for a, lst in found.items() for w, s, k in lst)
    header = (
        "# acronym\tthai\tscore\tchunks together\tcapitals share (bench/mine_acronyms.py, min chunks "
        f"{args.min_chunks}, cover {args.min_cover}, lift {args.min_lift})\n"
    )
    args.output.write_text(header + "".join("\t".join(map(str, r)) + "\n" for r in rows), encoding="utf-8")
    log.info("%d acronyms, %d rows written to %s", len(found), len(rows), args.output)
    thai = thai_acronyms(postings, args.thai_min_chunks)
    header = f"# thai acronym\tchunks (bench/mine_acronyms.py, min chunks {args.thai_min_chunks})\n"
    args.thai_output.write_text(header + "".join(f"{t}\t{d}\n" for t, d in thai), encoding="utf-8")
    log.info("%d Thai acronyms written to %s", len(thai), args.thai_output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
