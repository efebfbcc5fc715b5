"""British spellings read as the American ones the glossary knows; known words are never changed."""

from __future__ import annotations

import pytest

from index.search.glossary import default_glossary
from index.search.spelling import american

KNOWN = frozenset(
    {
        "organized",
        "subsidize",
        "fertilizer",
        "rumor",
        "rumors",
        "liter",
        "tons",
        "checks",
        "check",
        "honoring",
        "analyzed",
        "traveled",
        "color",
        "catalog",
        "defense",
        "organization",
        "labeling",
        "labour",
        "tour",
    }
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("organised", "organized"),
        ("organisation", "organization"),
        ("subsidise", "subsidize"),
        ("fertiliser", "fertilizer"),
        ("rumours", "rumors"),
        ("litre", "liter"),
        ("tonnes", "tons"),
        ("cheques", "checks"),
        ("honouring", "honoring"),
        ("analysed", "analyzed"),
        ("travelled", "traveled"),
        ("catalogue", "catalog"),
        ("defence", "defense"),
        ("labelling", "labeling"),
        ("labour", "labour"),  # known as written: never changed
        ("tour", "tour"),
        ("khwae", "khwae"),  # no regular variant known: kept
        ("ise", "ise"),  # too short to read
    ],
)
def test_american(word: str, expected: str) -> None:
    assert american(word, KNOWN.__contains__) == expected


def test_the_glossary_renders_british_spellings_as_it_renders_american_ones() -> None:
    glossary = default_glossary()

    def thai(text: str) -> set[str]:
        return {t.thai for t in glossary.translate(text)}

    assert "ปุ๋ย" in thai("fertiliser subsidy") and "ปุ๋ย" in thai("fertilizer subsidy")
    assert "ข่าวลือ" in thai("a rumour about the vaccine")
    assert "ตัน" in thai("how many tonnes of rice")
    assert "แรงงาน" in thai("labour ministry")  # a British spelling the tables know is read as written
