"""Mine the English→Thai glossary that cross-lingual retrieval uses, from the corpus itself.

Why: English questions are asked about Thai releases, and e5-small alone finds the right one for only
about a third of them. The corpus teaches the vocabulary: about 1,800 of its releases are English
versions of Thai releases published the same days. This script

1. streams the whole archive once (``tarfile``, no unpacking) and keeps, per release, its date, language,
   title and the start of its body (cached under ``--work``, so later stages rerun in seconds);
2. pairs each English release with its Thai counterpart published within a few days: shared "anchors"
   (numbers, Latin-script words that Thai releases keep verbatim such as Huawei, MOU, BOI), weighted by
   rarity, then a second round that also counts the words translated by the first round's glossary;
3. aligns English words and bigrams with Thai newmm tokens and token bigrams by co-occurrence over the
   pairs (Dice coefficient and a log-likelihood-ratio floor), titles counted as their own small pairs too
   because titles translate each other most closely;
4. collects Thai names (after honorifics: นาย, นาง, นางสาว, ดร., ranks...) and places (after จังหวัด, อำเภอ...)
   from every Thai release and stores their royin romanisation, so that an English spelling such as
   "Supamas" can be matched to ศุภมาส at query time with a fuzzy phonetic key (see index/search/glossary.py).

Nothing in it is written for particular questions: every entry comes from these statistics.

Run (about 10 minutes on 2 cores)::

    python bench/mine_glossary.py ../shared/corpus/thaigov-v2.tar.xz --work /tmp/thaigov-mine

It writes ``index/data/glossary_en_th.tsv`` (english, thai, score, pairs) and ``index/data/names_th.tsv``
(thai, romanisation, count).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import math
import pickle
import re
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.text import detect_lang, normalize  # noqa: E402
from corpus.thaigov import ParseError, parse_release  # noqa: E402
from index.search.glossary import FUNCTION_WORDS  # noqa: E402

log = logging.getLogger("mine_glossary")

DATA = ROOT / "index" / "data"
_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]")
_EN_WORD = re.compile(r"[a-z][a-z\-']*[a-z]|[a-z]")
_THAI_ONLY = re.compile(r"^[\u0e01-\u0e4e]+$")
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

_TITLES = {"mr", "mrs", "ms", "dr", "gen"}
EN_STOP = FUNCTION_WORDS | _TITLES | {"more", "most", "very", "well", "one", "two", "three"}


def stage_extract(archive: Path, work: Path) -> list[dict]:
    """Every release as a small dict (url, date, lang, title, head of body); cached in ``work``."""
    cache = work / "records.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    records: list[dict] = []
    t0 = time.time()
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            raw = tar.extractfile(member) if member.isfile() and member.name.endswith(".txt") else None
            if raw is None:
                continue
            try:
                rel = parse_release(raw.read().decode("utf-8", "replace"), member.name)
            except ParseError:
                continue
            if not rel.title or not rel.date or rel.date < "2000":
                continue
            lang = rel.lang or detect_lang(rel.title + " " + rel.body[:2000])
            body = normalize(rel.body[: 6000 if lang == "en" else 4000])
            records.append(
                {"url": rel.url, "date": rel.date, "lang": lang, "title": normalize(rel.title), "body": body}
            )
            if len(records) % 5000 == 0:
                log.info("extracted %d releases (%.0f s)", len(records), time.time() - t0)
    records = list({r["url"]: r for r in records}.values())  # a URL seen twice: the last one wins
    work.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(records))
    log.info("extracted %d releases in %.0f s", len(records), time.time() - t0)
    return records


def _numbers(text: str) -> set[str]:
    """Numbers of two digits or more (Thai digits read too): single digits would match any release."""
    found = (m.group().replace(",", "").rstrip(".") for m in _NUM.finditer(text.translate(_THAI_DIGITS)))
    return {n for n in found if len(n.replace(".", "")) >= 2}


def _latin(text: str) -> set[str]:
    return {w.lower() for w in _LATIN.findall(text) if len(w) >= 2}


def _anchors(rec: dict, lang: str) -> set[str]:
    """What a release and its translation share verbatim: numbers and Latin-script words (English function
    words dropped on the English side, where every release has them)."""
    text = rec["title"] + "\n" + rec["body"]
    latin = {w for w in _latin(text) if lang == "th" or w not in EN_STOP}
    return {"#" + n for n in _numbers(text)} | {"@" + w for w in latin}


def _days(date: str, offsets: range) -> list[str]:
    """The ISO dates ``offsets`` days from ``date``: a release and its translation appear days apart."""
    day = dt.date.fromisoformat(date)
    return [(day + dt.timedelta(days=off)).isoformat() for off in offsets]


def stage_pair(
    records: list[dict], glossary: dict[str, set[str]] | None, th_tokens: dict[str, set[str]] | None
):
    """(english record, thai record, score) for English releases whose Thai version is clear enough."""
    th = [r for r in records if r["lang"] == "th"]
    en = [r for r in records if r["lang"] == "en"]
    by_date: dict[str, list[int]] = collections.defaultdict(list)
    th_anchor = []
    df: collections.Counter[str] = collections.Counter()
    for i, r in enumerate(th):
        a = _anchors(r, "th")
        th_anchor.append(a)
        df.update(a)
        by_date[r["date"]].append(i)
    idf = {a: math.log((len(th) + 1) / (k + 1)) for a, k in df.items()}
    pairs = []
    for e in en:
        ea = _anchors(e, "en")
        text = (e["title"] + " " + e["body"]).lower()
        ewords = {w for w in _EN_WORD.findall(text) if w not in EN_STOP} if glossary is not None else None
        cands = [i for day in _days(e["date"], range(-4, 2)) for i in by_date.get(day, [])]
        scored = []
        for i in cands:
            shared = ea & th_anchor[i]
            s = sum(idf[a] for a in shared)
            if ewords is not None and th_tokens is not None:
                toks = th_tokens.get(th[i]["url"])
                if toks:
                    hit = sum(1 for w in ewords if glossary.get(w, set()) & toks)
                    s += 2.0 * hit
            scored.append((s, i))
        if not scored:
            continue
        scored.sort(reverse=True)
        best, bi = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if best >= 12.0 and best >= 1.3 * second:
            pairs.append((e, th[bi], best))
    log.info("paired %d of %d English releases", len(pairs), len(en))
    return pairs


def _th_tokens(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    toks = word_tokenize(text, engine="newmm", keep_whitespace=False)
    return [t for t in toks if _THAI_ONLY.match(t)]


def _th_units(text: str, stop: set[str]) -> set[str]:
    toks = _th_tokens(text)
    units = {t for t in toks if len(t) >= 2 and t not in stop}
    return units | {a + b for a, b in zip(toks, toks[1:], strict=False) if a not in stop or b not in stop}


def _en_units(text: str) -> set[str]:
    words = _EN_WORD.findall(text.lower())
    units = {w for w in words if w not in EN_STOP and len(w) >= 2}
    bigrams = zip(words, words[1:], strict=False)
    return units | {a + " " + b for a, b in bigrams if a not in EN_STOP and b not in EN_STOP}


def _llr(k11: int, k12: int, k21: int, k22: int) -> float:
    """Dunning's log-likelihood ratio of a 2×2 table: how unlikely co-occurrence is by chance."""

    def h(*ks: int) -> float:
        total = sum(ks)
        return sum(k * math.log(k / total) for k in ks if k)

    return 2 * (h(k11, k12, k21, k22) - h(k11 + k12, k21 + k22) - h(k11 + k21, k12 + k22))


def _cooccur(units: list[tuple[set[str], set[str]]], min_co: int, max_share: float = 0.5):
    """Document frequencies and the English×Thai co-occurrence matrix (scipy sparse, one product)."""
    import numpy as np
    from scipy import sparse

    n = len(units)
    ce: collections.Counter[str] = collections.Counter(w for eu, _ in units for w in eu)
    ct: collections.Counter[str] = collections.Counter(x for _, tu in units for x in tu)
    ev = sorted(w for w, c in ce.items() if min_co <= c <= max_share * n)
    tv = sorted(w for w, c in ct.items() if min_co <= c <= max_share * n)
    ei = {w: i for i, w in enumerate(ev)}
    ti = {w: i for i, w in enumerate(tv)}

    def matrix(col: int, index: dict[str, int]):
        rows, cols = [], []
        for d, pair in enumerate(units):
            for w in pair[col]:
                j = index.get(w)
                if j is not None:
                    rows.append(d)
                    cols.append(j)
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(n, len(index)))

    co = (matrix(0, ei).T @ matrix(1, ti)).tocoo()
    return n, ev, tv, ce, ct, co


def stage_align(pairs, stop: set[str]) -> list[tuple[str, str, float, int]]:
    """English unit → Thai unit by Dice over paired documents, then over paired titles (two 'corpora')."""
    docs = [
        (
            _en_units(e["title"] + "\n" + e["body"][:2500]),
            _th_units(t["title"] + "\n" + t["body"][:2500], stop),
        )
        for e, t, _ in pairs
    ]
    titles = [(_en_units(e["title"]), _th_units(t["title"], stop)) for e, t, _ in pairs]
    out: dict[tuple[str, str], tuple[float, int]] = {}
    for name, units, min_co in (("docs", docs, 3), ("titles", titles, 2)):
        n, ev, tv, ce, ct, co = _cooccur(units, min_co)
        best: dict[str, list[tuple[float, str, int]]] = collections.defaultdict(list)
        for i, j, c in zip(co.row, co.col, co.data, strict=True):
            c = int(c)
            if c < min_co:
                continue
            w, x = ev[i], tv[j]
            dice = 2 * c / (ce[w] + ct[x])
            if dice < 0.3:
                continue
            if _llr(c, ce[w] - c, ct[x] - c, n - ce[w] - ct[x] + c) < 10:
                continue
            best[w].append((dice, x, c))
        for w, lst in best.items():
            lst.sort(reverse=True)
            top = lst[0][0]
            for dice, x, c in lst[:4]:
                if dice >= 0.75 * top and ((w, x) not in out or out[(w, x)][0] < dice):
                    out[(w, x)] = (dice, c)
        log.info("%s: %d aligned units so far", name, len(out))
    # A longer Thai unit that only adds noise to a better-scoring shorter one adds nothing: keep the shorter.
    by_w: dict[str, list[tuple[str, float, int]]] = collections.defaultdict(list)
    for (w, x), (s, c) in out.items():
        by_w[w].append((x, s, c))
    final = []
    for w, lst in by_w.items():
        lst.sort(key=lambda r: -r[1])
        kept: list[tuple[str, float, int]] = []
        for x, s, c in lst:
            if not any(k in x and ks >= s for k, ks, _ in kept):
                kept.append((x, s, c))
        final.extend((w, x, round(s, 3), c) for x, s, c in kept[:3])
    return final


_HONORIFIC = re.compile(
    r"(?:นางสาว|นาย|นาง|ดร\.|ว่าที่\s?ร\.ต\.|พล\.อ\.|พล\.ต\.อ\.|พล\.ร\.อ\.|พล\.อ\.อ\.|พล\.ต\.|พล\.ท\.|พ\.ต\.อ\.|พ\.อ\.|"
    r"ศ\.|รศ\.|ผศ\.|นพ\.|พญ\.|ม\.ร\.ว\.|ม\.ล\.)\s?([\u0e01-\u0e4e]{2,20})\s([\u0e01-\u0e4e]{2,25})"
)
_PLACE = re.compile(
    r"(?:จังหวัด|จ\.|อำเภอ|อ\.|ตำบล|ต\.|เขต|ท่าอากาศยาน|สนามบิน|โรงพยาบาล|โรงแรม|มหาวิทยาลัย|บริษัท|มูลนิธิ|"
    r"วัด|แม่น้ำ|เกาะ|อุทยานแห่งชาติ|เทศบาล|หมู่บ้าน|ชุมชน|ด่าน|เขื่อน|ถนน|ซอย|สะพาน|อ่าว|ดอย|ภู|"
    r"ประเทศ|กรุง|เมือง|นคร|สาธารณรัฐ|ราชอาณาจักร)\s?([\u0e01-\u0e4e]{2,20})(?=[\s(),]|$)"
)
_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9 .&'\-]{0,60}?)\s*\)")


def stage_parentheses(records: list[dict], stop: set[str]) -> list[tuple[str, str, float, int]]:
    """Thai terms glossed in English in brackets, as Thai releases often write them: สกพอ. (EEC).

    The Thai side's left edge is unknown (Thai has no spaces between words), so every suffix of one to six
    newmm tokens is counted, and per English term the longest suffix that most of its occurrences share wins.
    """
    from pythainlp.tokenize import word_tokenize

    pair_counts: collections.Counter[tuple[str, str]] = collections.Counter()
    en_counts: collections.Counter[str] = collections.Counter()
    for r in records:
        if r["lang"] != "th":
            continue
        text = r["title"] + "\n" + r["body"]
        for m in _PAREN.finditer(text):
            en = " ".join(m.group(1).lower().split()).strip(" .-")
            if len(en) < 2 or len(en) > 60:
                continue
            left = text[max(0, m.start() - 40) : m.start()].rstrip()
            if not left or not _THAI_RUN.search(left[-1]):
                continue
            # The glossed term starts after the last space, when there is one close enough.
            tail = left.split("\n")[-1].rsplit(" ", 1)[-1]
            left = tail if len(tail) >= 2 else left.split("\n")[-1]
            toks = [t for t in word_tokenize(left, engine="newmm", keep_whitespace=False) if t.strip()]
            if not toks or not _THAI_RUN.search(toks[-1]):
                continue
            en_counts[en] += 1
            for n in range(1, min(6, len(toks)) + 1):  # every suffix differs: the tokens are not empty
                suffix = "".join(toks[-n:])
                if _THAI_ONLY.match(suffix) and suffix not in stop:
                    pair_counts[(en, suffix)] += 1
    by_en: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for (en, th), c in pair_counts.items():
        if c >= 2:
            by_en[en].append((c, th))
    rows = []
    for en, lst in by_en.items():
        total = en_counts[en]
        top = max(c for c, _ in lst)
        if top < 2 or top / total < 0.3:
            continue
        _, c, th = max((len(th), c, th) for c, th in lst if c >= 0.6 * top)  # the longest well-shared suffix
        rows.append((en, th, round(min(1.0, c / total), 3), c))
    log.info("parentheses: %d glossed terms", len(rows))
    return rows


def stage_names(records: list[dict]) -> list[tuple[str, str, int]]:
    """Thai person and place names found after honorifics and place prefixes, with royin romanisation."""
    from pythainlp.transliterate import romanize

    counts: collections.Counter[str] = collections.Counter()
    for r in records:
        if r["lang"] != "th":
            continue
        text = r["title"] + "\n" + r["body"][:3000]
        for m in _HONORIFIC.finditer(text):
            counts[m.group(1)] += 1
            counts[m.group(2)] += 1
        for m in _PLACE.finditer(text):
            counts[m.group(1)] += 1
    rows = []
    for name, c in counts.most_common():
        if c < 2:
            break
        try:
            rom = romanize(name, engine="royin")
        except Exception:  # noqa: BLE001 - a name royin cannot read is simply skipped
            continue
        if rom:
            rows.append((name, rom, c))
    log.info("%d names", len(rows))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/thaigov-mine"))
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--rounds", type=int, default=1, help="2: re-pair using the first glossary (slow)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from pythainlp.corpus import thai_stopwords

    stop = set(thai_stopwords())
    args.work.mkdir(parents=True, exist_ok=True)
    records = stage_extract(args.archive, args.work)
    pairs = stage_pair(records, None, None)
    glossary_rows = stage_align(pairs, stop)
    if args.rounds >= 2:
        glossary_rows, pairs = _round_two(records, glossary_rows, args.work, stop)
    _write_glossary(args, pairs, glossary_rows)
    glossary_rows += stage_parentheses(records, stop)
    _write_glossary(args, pairs, glossary_rows)
    _write_names(args, records)
    return 0


def _round_two(records, glossary_rows, work: Path, stop: set[str]):
    """Round two: pairing also counts glossary translations, which finds Thai versions that share few
    numbers or Latin words (speeches, visits); then align again over the larger set."""
    gloss: dict[str, set[str]] = collections.defaultdict(set)
    for w, x, _s, _c in glossary_rows:
        if " " not in w:
            gloss[w].add(x)
    en_dates = {r["date"] for r in records if r["lang"] == "en"}
    near = {day for d in en_dates for day in _days(d, range(-1, 5))}
    t0 = time.time()
    tok_cache = work / "th_tokens.pkl"
    th_tokens: dict[str, set[str]] = pickle.loads(tok_cache.read_bytes()) if tok_cache.exists() else {}
    for r in records if not th_tokens else []:
        if r["lang"] == "th" and r["date"] in near:
            th_tokens[r["url"]] = set(_th_tokens(r["title"] + "\n" + r["body"][:600]))
    log.info("tokenized %d Thai candidates in %.0f s", len(th_tokens), time.time() - t0)
    tok_cache.write_bytes(pickle.dumps(th_tokens))
    pairs = stage_pair(records, gloss, th_tokens)
    return stage_align(pairs, stop), pairs


MIN_PAIRS = 3


def clean_rows(rows: list[tuple[str, str, float, int]]) -> list[tuple[str, str, float, int]]:
    """Evidence floor and de-duplication: an alignment seen in fewer than three pairs is mostly chance
    (a rare word co-occurring with whatever its two releases happened to share)."""
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for w, x, sc, c in rows:
        if c >= MIN_PAIRS and ((w, x) not in best or best[(w, x)][0] < sc):
            best[(w, x)] = (sc, c)
    return sorted(((w, x, sc, c) for (w, x), (sc, c) in best.items()), key=lambda r: (r[0], -r[2]))


def _write_glossary(args: argparse.Namespace, pairs, glossary_rows) -> None:
    glossary_rows = clean_rows(glossary_rows)
    (args.work / "pairs.tsv").write_text(
        "\n".join(f"{e['url']}\t{t['url']}\t{s:.1f}\t{e['title']}\t{t['title']}" for e, t, s in pairs)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "glossary_en_th.tsv").open("w", encoding="utf-8") as f:
        f.write(
            f"# mined by bench/mine_glossary.py from {args.archive.name}: {len(pairs)} EN-TH release pairs\n"
        )
        for w, x, s, c in glossary_rows:
            f.write(f"{w}\t{x}\t{s}\t{c}\n")
    log.info("wrote %d glossary rows", len(glossary_rows))


def _write_names(args: argparse.Namespace, records) -> None:
    names = stage_names(records)
    with (args.out / "names_th.tsv").open("w", encoding="utf-8") as f:
        f.write("# Thai names after honorifics / place prefixes, royin romanisation, count\n")
        for name, rom, c in names:
            f.write(f"{name}\t{rom}\t{c}\n")
    log.info("wrote %d names", len(names))


if __name__ == "__main__":
    sys.exit(main())
