"""The user commands that are not questions: ``/start`` (and its release deep link), ``/help``,
``/latest``, ``/about``.

Why a module of their own: ``bot.app`` keeps the application's wiring and the admin commands; these are
module-level handlers in python-telegram-bot's style, finding the shared ``bot.shared.QABot`` with
``bot.shared.qa_of``. A plain ``/start`` also ends the conversation (``bot.conversation``).
"""

from __future__ import annotations

import asyncio
import re

from telegram import Bot, BotCommand, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.conversation import forget_turns, remember_turn
from bot.format import esc, render_latest, render_release_card
from bot.shared import qa_of, set_release_scope
from index.conversation import release_turn
from index.service import IndexUnavailable
from thaigov_qa.messages import ALERT_COMMANDS, COMMANDS, text

LATEST_DEFAULT, LATEST_MAX = 5, 20
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start`` shows the help and ends the conversation; ``/start r<release id>`` (an alert's deep
    link) shows that release."""
    message = update.effective_message
    if message is None:
        return
    payload = context.args[0] if context.args else ""
    match = re.fullmatch(r"r(\d{1,12})", payload)
    if match:
        await show_release(update, context, match.group(1))
        return
    if message.chat.type == ChatType.PRIVATE:  # in a group, /start@bot (an admin's first try) is /help
        set_release_scope(context, None)  # a plain /start: back to all releases
        forget_turns(context)
    await cmd_help(update, context)


async def show_release(update: Update, context: ContextTypes.DEFAULT_TYPE, release_id: str) -> None:
    """A release's card (an alert's deep link, a pasted release link). The next questions are answered from
    that release first: in a private chat for the next minutes (the release scope), in a group when they
    reply to the card (a conversation turn kept under the card's message)."""
    qa = qa_of(context)
    message = update.effective_message
    assert message is not None
    lang = qa.lang_of(update)
    try:
        release = await asyncio.to_thread(qa.service.release_by_id, release_id)
    except IndexUnavailable as exc:
        await qa.index_problem(update, exc)
        return
    if release is None:
        await qa.send(message, text(lang, "release_unknown"), quote=message.chat.type != ChatType.PRIVATE)
        return
    if message.chat.type == ChatType.PRIVATE:
        set_release_scope(context, release.url)
        await qa.send(message, render_release_card(release, lang), link_preview_options=NO_PREVIEW)
        return
    card = render_release_card(release, lang)
    sent = await qa.send(message, card, quote=True, link_preview_options=NO_PREVIEW)
    remember_turn(update, context, release_turn(release.url, release.title), sent)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot does, its commands (admins' too, for admins) and what it keeps."""
    qa = qa_of(context)
    message = update.effective_message
    if message is None:
        return
    lang = qa.lang_of(update)
    extra = text(lang, "help_alerts") if qa.alerts_installed else ""
    if qa.is_admin(update.effective_user.id if update.effective_user else None):
        extra += text(lang, "help_admin")
    settings = qa.settings
    kept = text(
        lang,
        "help_kept_logged" if settings.log_questions else "help_kept_counts",
        minutes=f"{settings.conversation_minutes:g}",
        days=settings.feedback_retention_days,
    )
    body = text(lang, "help", username=esc(context.bot.username or "bot"), extra=extra, kept=kept)
    await qa.send(message, body, link_preview_options=NO_PREVIEW)


async def cmd_latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    qa = qa_of(context)
    message = update.effective_message
    if message is None:
        return
    n = LATEST_DEFAULT
    # isdecimal, not isdigit: int() reads Thai digits (๓) but not superscripts (²), which isdigit passes.
    if context.args and context.args[0].isdecimal():
        n = max(1, min(LATEST_MAX, int(context.args[0])))
    try:
        releases = await asyncio.to_thread(qa.service.latest, n)
    except IndexUnavailable as exc:
        await qa.index_problem(update, exc)
        return
    await qa.send(message, render_latest(releases, qa.lang_of(update)), link_preview_options=NO_PREVIEW)


async def cmd_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    qa = qa_of(context)
    message = update.effective_message
    if message is None:
        return
    try:
        body = await qa.about_text(qa.lang_of(update))
    except IndexUnavailable as exc:
        await qa.index_problem(update, exc)
        return
    await qa.send(message, body)


def menu(lang: str, with_alerts: bool) -> list[BotCommand]:
    """The command menu in ``lang`` (alerts' commands when that part is installed)."""
    rows = COMMANDS + (ALERT_COMMANDS if with_alerts else [])
    return [BotCommand(name, th if lang == "th" else en) for name, th, en in rows]


async def set_menus(bot: Bot, with_alerts: bool) -> None:
    """setMyCommands in both languages: Thai by default, English for clients set to English."""
    await bot.set_my_commands(menu("th", with_alerts), scope=BotCommandScopeDefault())
    await bot.set_my_commands(menu("en", with_alerts), scope=BotCommandScopeDefault(), language_code="en")
