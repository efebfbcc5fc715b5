"""The question-answering service: one searcher and answerer over the live index, shared by the bot's
handlers and the command line (``ask``, ``chat``, ``eval``, ``reader train``), with one error mapping.

Why a separate object: the index and the embedding model are loaded once per process (seconds, hundreds
of MB) and then reused by every chat; the handlers only ever call :meth:`QAService.ask` from worker
threads, so the event loop never waits for retrieval. The service opens the index lazily (a bot may be
started before the first build), picks up a new generation when an admin's build moves the pointer
(:meth:`refresh`), and counts what ``/stats`` reports, without keeping any question text or user id.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # the index is opened lazily (a bot may start before the first build)
    from corpus.release import Release
    from index.answer import Answer, Answerer
    from index.conversation import TurnResult
    from index.search.retrieve import Searcher

log = logging.getLogger(__name__)


class IndexUnavailable(Exception):
    """No index can be used: ``missing`` is True when none was built yet (else the model differs or the
    live generation cannot be read)."""

    def __init__(self, message: str, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass
class Counters:
    """What ``/stats`` shows; numbers only, never who asked what."""

    started: float = field(default_factory=time.monotonic)
    questions: int = 0
    not_found: int = 0
    errors: int = 0
    rate_limited: int = 0
    total_ms: float = 0.0
    users: set[int] = field(default_factory=set)

    def average_ms(self) -> int:
        return round(self.total_ms / self.questions) if self.questions else 0


class QAService:
    """Thread-safe access to the live index (see the module docstring); the bot adds its answer gate
    (``bot.service.BotService``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.counters = Counters()
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._answerer: Answerer | None = None
        #: Set by :meth:`warm_up` (a process that serves many questions): an index opened later, when the
        #: first one appears after start-up, is warmed up too, in a thread (a one-shot command never is).
        self._serving = False

    # ------------------------------------------------------------------ index
    def _open(self) -> Searcher:
        from index.search.reader import IndexCorrupt, ModelMismatch, NoIndex
        from index.search.retrieve import Searcher

        try:
            searcher = Searcher.open(self.settings)
        except IndexCorrupt as exc:
            # An index that exists but cannot be read is an error for the admins (rebuild), not "no index
            # yet, being prepared": users get the error message, admins the reason.
            raise IndexUnavailable(str(exc), missing=False) from exc
        except NoIndex as exc:
            raise IndexUnavailable(str(exc), missing=True) from exc
        except ModelMismatch as exc:
            raise IndexUnavailable(str(exc), missing=False) from exc
        log.info("index opened: %s", _describe(searcher))
        return searcher

    def searcher(self) -> Searcher:
        """The live searcher, opened on first use and reopened when the pointer moved."""
        with self._lock:
            if self._searcher is None:
                self._searcher = self._open()
                self._answerer = None
                if self._serving:
                    threading.Thread(
                        target=self._warm, args=(self._searcher,), name="warm-up", daemon=True
                    ).start()
            elif self._searcher.reload_if_changed():
                log.info("index reloaded: %s", _describe(self._searcher))
                self._answerer = None
            return self._searcher

    def refresh(self) -> bool:
        """Reopen if an index build switched generations; False when there is still no index."""
        try:
            self.searcher()
            return True
        except IndexUnavailable:
            return False

    def answerer(self) -> Answerer:
        """The live index's answerer (raises :class:`IndexUnavailable`): what the command line asks."""
        return self._answerer_for(self.searcher())

    def _answerer_for(self, searcher: Searcher) -> Answerer:
        from index.answer import Answerer

        with self._lock:
            if self._answerer is None:
                self._answerer = Answerer(searcher, self.settings)
            return self._answerer

    def warm_up(self) -> None:
        """Open the index and load what answering needs (model, word lists) before the first question
        (start-up, in a thread); with no index yet, the first one opened later is warmed up when it opens."""
        try:
            searcher = self.searcher()
        except IndexUnavailable as exc:
            log.warning("no usable index yet: %s", exc)
            return
        finally:
            self._serving = True
        self._answerer_for(searcher).warm_up()

    def _warm(self, searcher: Searcher) -> None:
        """:meth:`warm_up` for an index opened after start-up (a failure only costs speed: logged)."""
        try:
            self._answerer_for(searcher).warm_up()
        except Exception:  # noqa: BLE001 - a thread's failure must be said, not lost
            log.exception("warming up the newly opened index failed: questions are answered without it")

    # ------------------------------------------------------------------ questions
    def ask(self, question: str, within: str | None = None) -> Answer:
        """Answer one question (blocking: call it from a worker thread). Raises :class:`IndexUnavailable`.

        ``within``: the URL of a release to answer from first (see ``Answerer.ask``); when it does not
        answer, the question is answered from all releases. Counted once either way."""
        answerer = self._answerer_for(self.searcher())
        scoped = answerer.ask(question, within=within) if within is not None else None
        if scoped is not None and scoped.found:
            answer = scoped
        else:
            answer = answerer.ask(question)
            if scoped is not None and scoped.sources and not answer.found:
                # Refused: the release the user opened stays first among the closest (it was what they
                # asked about; over all releases it may not even be among them).
                first = scoped.sources[0]
                answer.sources = [first, *(s for s in answer.sources if s.url != first.url)]
        self._count(answer)
        return answer

    def converse(
        self, question: str, previous: dict[str, Any] | None, limit: float | None = None
    ) -> TurnResult:
        """Answer one turn of a conversation (``index.conversation.answer_turn``: a follow-up is answered
        from the previous turn's releases first); blocking, counted once. Returns its ``TurnResult``."""
        from index.conversation import CONTEXT_SECONDS, answer_turn

        answerer = self._answerer_for(self.searcher())
        result = answer_turn(
            lambda q, within, follow: answerer.ask(q, within=within, follow_up=follow),
            question,
            previous,
            limit=CONTEXT_SECONDS if limit is None else limit,
        )
        self._count(result.answer)
        return result

    def _count(self, answer: Answer) -> None:
        """One question answered: what ``/stats`` and the metrics add up."""
        self.counters.questions += 1
        self.counters.total_ms += float(answer.ms or 0)
        if not answer.found:
            self.counters.not_found += 1

    def release_by_id(self, release_id: str) -> Release | None:
        """The release with this thaigov id (the alerts' deep links carry it), or None."""
        from corpus.release import URL_PREFIX

        if not release_id.isdigit():
            return None
        return self.searcher().release(URL_PREFIX + release_id)

    def latest(self, n: int) -> list[Release]:
        return list(self.searcher().latest(n))

    def stats(self) -> dict[str, Any]:
        return dict(self.searcher().stats())


def _describe(searcher: Searcher) -> str:
    try:
        stats = searcher.stats()
    except Exception:  # noqa: BLE001 - a description must never break opening the index
        return "?"
    return (
        f"generation {stats.get('generation')}, {stats.get('releases')} releases, "
        f"{stats.get('chunks')} chunks"
    )
