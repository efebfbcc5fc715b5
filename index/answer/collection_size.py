"""Refusal thresholds by the size of the collection an index holds.

Why: the reader's probability means less over a larger collection. The same 247 validation questions asked
over the 1,731-release qa index and over the whole archive (62,932 releases) are answered right by the
reader's pick 0.79 and 0.63 of the time (English 0.75 and 0.52): the whole archive holds more look-alike
releases (the same series, the same minister, other dates) that take the first place, and the calibration
does not see them coming. One threshold per language, chosen over replies pooled from indexes of several
sizes, holds the wrong-answer target only on average. Measured at stop 51 on the 776 questions of
``eval/qa6-9.jsonl`` (written after the shipped reader was trained), each asked over an index of its own
releases (~1,000) and over the whole archive, as served (the province check included): the shipped thresholds
(English 0.54, Thai 0.70) give wrong-answer rates 0.077 / 0.085 over the small indexes and 0.092 / 0.093 over
the whole archive; thresholds chosen for the 0.10 target at each size are 0.49 / 0.67 and 0.53 / 0.69.

So a reader model may carry thresholds for several collection sizes (:class:`SizeAnchor`, chosen on
held-out questions over indexes of that size by ``thaigov-qa reader refusal``); an index of another size gets
the thresholds interpolated linearly in the logarithm of its release count between the two anchors around
it, and the nearest anchor's outside them. The live index's size comes from its generation's manifest; a
manifest without a release count (or a model without anchors) serves ``refuse_by_lang``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.answer.refusal import NOISE_Z, Judged, choose

#: A new anchor replaces one whose size is within this factor of its own (one size, chosen again).
SAME_SIZE = 2.0


@dataclass(frozen=True)
class SizeAnchor:
    """Refusal thresholds per question language, chosen over indexes of about ``releases`` releases."""

    releases: int
    by_lang: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {"releases": self.releases, "by_lang": dict(self.by_lang)}

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> SizeAnchor:
        """An anchor of a model file (a ValueError where it is malformed: the model file is unreadable)."""
        try:
            releases = int(spec["releases"])
            by_lang = tuple(sorted((str(k), float(v)) for k, v in dict(spec["by_lang"]).items()))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a malformed size anchor {spec!r}: {exc}") from None
        if releases <= 0:
            raise ValueError(f"a size anchor needs a positive release count, not {releases}")
        return cls(releases, by_lang)


def anchors_of(thresholds: Mapping[str, Any]) -> tuple[SizeAnchor, ...]:
    """The size anchors of a model file's ``thresholds`` (none in a file from before them), by size."""
    return tuple(sorted((SizeAnchor.from_json(a) for a in thresholds.get("refuse_by_size") or ()), key=_size))


def refusal_at(anchors: Sequence[SizeAnchor], releases: int, lang: str) -> float | None:
    """The refusal threshold for a question in ``lang`` over ``releases`` releases; None when no anchor has
    one for ``lang``."""
    known = sorted((a.releases, dict(a.by_lang)[lang]) for a in anchors if lang in dict(a.by_lang))
    if not known:
        return None
    if releases <= known[0][0]:
        return known[0][1]
    if releases >= known[-1][0]:
        return known[-1][1]
    for (n0, t0), (n1, t1) in zip(known, known[1:], strict=False):
        if n0 <= releases <= n1:
            w = math.log(releases / n0) / math.log(n1 / n0)
            return round(t0 + w * (t1 - t0), 4)
    raise AssertionError("unreachable: the anchors bracket the size")  # pragma: no cover


def choose_anchor(
    outcomes: Sequence[Judged],
    probs: np.ndarray,
    sizes: Sequence[int],
    target: float,
    noise_z: float = NOISE_Z,
) -> SizeAnchor:
    """The anchor for held-out replies over indexes of ``sizes`` releases (one per reply): per language the
    threshold that answers most right within ``target`` wrong replies (:func:`index.answer.refusal.choose`),
    at the geometric mean of the sizes."""
    if not outcomes or len(sizes) != len(outcomes):
        raise ValueError("every reply needs the size of the index it was asked over")
    releases = round(math.exp(float(np.mean(np.log(np.asarray(sizes, dtype=np.float64))))))
    return SizeAnchor(releases, tuple(sorted(choose(outcomes, probs, target, noise_z).items())))


def with_anchor(spec: dict[str, Any], anchor: SizeAnchor) -> dict[str, Any]:
    """A model spec with ``anchor`` among its size anchors, replacing any of about its size (within
    :data:`SAME_SIZE`); everything else as it was."""
    kept = [
        a
        for a in anchors_of(spec["thresholds"])
        if max(a.releases, anchor.releases) / min(a.releases, anchor.releases) >= SAME_SIZE
    ]
    anchors = sorted([*kept, anchor], key=_size)
    return {**spec, "thresholds": {**spec["thresholds"], "refuse_by_size": [a.to_json() for a in anchors]}}


def _size(anchor: SizeAnchor) -> int:
    return anchor.releases
