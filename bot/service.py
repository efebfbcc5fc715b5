"""The bot's question-answering service: the shared one (:class:`index.service.QAService`) with the
bot's answer gate.

Why a subclass: the gate (:mod:`bot.busy`) is asyncio and about Telegram users waiting, which the command
line does not need; everything else (opening and reloading the index, answering, counting) is the same
service the command line uses.
"""

from __future__ import annotations

from bot.busy import AnswerGate
from index.service import QAService
from thaigov_qa.settings import Settings


class BotService(QAService):
    """:class:`index.service.QAService` plus at most ``ANSWER_WORKERS`` answers at once, and "busy" for a
    question that cannot start within ``BUSY_SECONDS``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.gate = AnswerGate(settings.answer_workers, settings.busy_seconds)
