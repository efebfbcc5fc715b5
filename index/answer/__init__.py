"""The answer step: a question in, an extractive answer with its evidence, sources and probability out.

The public face is :class:`Answerer` (``ask``) and the data it returns (:class:`Answer`, :class:`Source`);
rendering to HTML or console text is the caller's (:mod:`index.reply`).
"""

from index.answer.answerer import Answerer
from index.answer.types import ASSERTED, HEDGED, REFUSED, Answer, Source

__all__ = ["ASSERTED", "HEDGED", "REFUSED", "Answer", "Answerer", "Source"]
