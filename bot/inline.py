"""Inline mode: ``@bot question`` in any chat lists the answer and the top releases to send there.

Why answered directly (no "searching…" placeholder): an answer takes tens of milliseconds of CPU, far
inside Telegram's 10-second limit, so the results are computed in a worker thread and sent at once; a
question that somehow takes longer than :data:`INLINE_TIMEOUT_SECONDS` gets an empty answer (Telegram
shows nothing) rather than an error. Clients send a query per keystroke pause, so inline queries have
their own per-user limiter, looser than the one for chat questions, and a short cache time
(:data:`INLINE_CACHE_SECONDS`) lets Telegram serve the same query again without asking.

The operator turns inline mode on once with @BotFather's ``/setinline`` (docs/BOT.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.busy import Busy
from bot.format import clean_text, display_date, esc, release_card_html, source_line, split_html
from bot.shared import qa_of
from corpus.release import Release, linked_release_id
from index.answer import Answer
from index.release_card import lead as release_lead
from index.reply import quoted, render_html
from index.service import IndexUnavailable
from thaigov_qa.messages import text

log = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 30
INLINE_TIMEOUT_SECONDS = 8.0
MIN_QUERY_CHARS = 3
MAX_QUERY_CHARS = 256
INLINE_SOURCES = 3
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _short(value: str, limit: int) -> str:
    value = " ".join(clean_text(value or "").split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:32]


def results_for(question: str, answer: Answer, lang: str) -> list[InlineQueryResultArticle]:
    """The answer as the first article (answer, evidence, links), then one article per top release."""
    body = f"<i>{esc(_short(question, 200))}</i>\n\n{render_html(answer)}"
    sources = list(answer.sources or [])
    if answer.found:
        title = _short(answer.answer or text(lang, "inline_answer"), 100)
    else:
        title = text(lang, "inline_not_found")
    first = InlineQueryResultArticle(
        id=_id("answer", question),
        title=title,
        description=_short(answer.evidence or (sources[0].title if sources else ""), 200) or None,
        input_message_content=InputTextMessageContent(
            split_html(body)[0], parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
        url=sources[0].url if sources else None,
    )
    results = [first]
    for n, src in enumerate(sources[:INLINE_SOURCES], 1):
        date = display_date(src.date, lang)
        card = source_line(n, src.url, src.title, date)
        # The snippet (the release's text around the question's words) says more than its first passage.
        passage = quoted(_short(src.snippet or src.passage, 600), lang)  # cut, then glossed: no cut gloss
        if passage:
            card += f"\n<blockquote>{esc(passage)}</blockquote>"
        results.append(
            InlineQueryResultArticle(
                id=_id("source", question, src.url),
                title=_short(src.title or src.url, 100),
                description=_short(f"{date} · {passage}" if date else passage, 200) or None,
                input_message_content=InputTextMessageContent(
                    split_html(card)[0], parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
                ),
                url=src.url,
            )
        )
    return results


def release_article(release: Release, lang: str) -> InlineQueryResultArticle:
    """One release as an inline result: its title, date, link and opening lines (a card without the
    private chat's "ask me about it", which would speak for the bot in someone else's chat)."""
    date = display_date(release.date, lang)
    lead = release_lead(release)
    card = release_card_html(release, lang, lead)
    return InlineQueryResultArticle(
        id=_id("release", release.url),
        title=_short(release.title or release.url, 100),
        description=_short(f"{date} · {lead}" if date else lead, 200) or None,
        input_message_content=InputTextMessageContent(
            split_html(card)[0], parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
        url=release.url,
    )


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query within Telegram's 10 s (see the module docstring)."""
    query = update.inline_query
    if query is None:
        return
    qa = qa_of(context)
    question = _short(query.query, MAX_QUERY_CHARS)
    results: list[InlineQueryResultArticle] = []
    cache = INLINE_CACHE_SECONDS
    release_id = linked_release_id(question)
    if release_id is not None:  # a release link: that release as the result, to share it with its summary
        try:
            release = await asyncio.to_thread(qa.service.release_by_id, release_id)
        except IndexUnavailable as exc:
            log.warning("inline query: no usable index (%s)", exc)
            release, cache = None, 0
        results = [release_article(release, qa.lang_of(update))] if release is not None else []
    elif len(question) >= MIN_QUERY_CHARS:
        if qa.inline_limiter.check(query.from_user.id):
            qa.service.counters.rate_limited += 1
            cache = 0
        else:
            # Through the answer gate, as chat questions are: inline queries come as people type, and
            # outside it they filled the worker threads the chats' answers wait for. Shielded: a query
            # given up on keeps its slot until its thread ends (a thread cannot be stopped).
            task = asyncio.ensure_future(qa.service.gate.run(qa.service.ask, question))
            task.add_done_callback(_retrieved)
            try:
                answer = await asyncio.wait_for(asyncio.shield(task), INLINE_TIMEOUT_SECONDS)
                results = results_for(question, answer, answer.lang)
            except TimeoutError:
                log.warning("inline query not answered within %.0f s", INLINE_TIMEOUT_SECONDS)
                cache = 0
            except Busy:
                log.info("inline query turned away: every answer worker is busy")
                cache = 0
            except IndexUnavailable as exc:
                log.warning("inline query: no usable index (%s)", exc)
                cache = 0
    try:
        # A release card speaks its asker's language: cached per user, or another user would get it in the
        # first asker's for the cache time. An answer speaks the question's language: shared.
        await query.answer(results, cache_time=cache, is_personal=release_id is not None)
    except TelegramError as exc:
        log.warning("answerInlineQuery failed: %s", exc.__class__.__name__)
    log.info("inline query answered: %d results", len(results))


def _retrieved(task: asyncio.Future[object]) -> None:
    """Reads the outcome of an answer given up on (else asyncio logs "exception was never retrieved")."""
    if not task.cancelled():
        task.exception()
