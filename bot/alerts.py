"""New-release alerts in Telegram: ``/subscribe``, ``/unsubscribe``, ``/subscriptions`` and the poll job.

Who may subscribe what:

- anyone may subscribe their own private chat (``/subscribe [keywords…]`` in a private chat);
- a group is subscribed by an admin (``TELEGRAM_ADMIN_IDS``) sending ``/subscribe`` in that group;
- a channel (or a group, remotely) from an admin's private chat: ``/subscribe @channel_or_id [keywords…]``.
  Channel posts carry no sender to check, so the command never comes from the channel itself; the bot
  first asks Telegram (getChatMember) whether it may post there, so that a typo does not create a
  subscription that can only fail.

Filters: words are keywords (any one matches; quote a phrase: ``"digital economy"``), and
``category:NAME`` (or ``หมวด:NAME``) limits to a section, e.g. ``category:"Government News"``.

The commands' SQLite work runs in the database's threads (:func:`thaigov_qa.db.off_loop`): while another
process (an ``index build``) holds the write lock, a ``/subscribe`` waits for it, and the bot answers
every other chat meanwhile. A group upgraded to a supergroup takes its subscription along as soon as
Telegram says so (:meth:`_Handlers.migrate`), not only when a send fails with ``ChatMigrated``.

The moving parts live beside this module: ``alerts_store`` (tables), ``alerts_poll`` (a pass),
``alerts_delivery`` (sending), ``alerts_message`` (matching and the message). :func:`install` is what
``bot.app`` calls.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from telegram import Bot, Chat, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.alerts_delivery import DeliveryPolicy, DeliveryReport
from bot.alerts_poll import Poller, PollReport
from bot.alerts_store import AlertStore, Subscription
from bot.conversation import lang_for
from bot.logsafe import chat_label
from bot.migration import migration_ids
from bot.shared import qa_of
from thaigov_qa.db import off_loop
from thaigov_qa.markup import escape_html
from thaigov_qa.messages import text
from thaigov_qa.settings import Settings

__all__ = [
    "AlertStore",
    "DeliveryPolicy",
    "DeliveryReport",
    "Filters",
    "PollReport",
    "Poller",
    "Subscription",
    "install",
    "parse_filters",
]

log = logging.getLogger(__name__)

_CATEGORY_PREFIXES = ("category:", "cat:", "หมวด:")
_TARGET = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,}|-?\d{5,})$")
POLL_JOB_NAME = "alerts-poll"
#: The handler group of the subscription's move: group 0 moves the chat's ``chat_data`` (``bot.migration``)
#: and only one handler of a group takes an update.
MIGRATE_GROUP = 1
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    keywords: tuple[str, ...]
    categories: tuple[str, ...]


def parse_filters(words: list[str]) -> Filters:
    """``category:NAME`` words are categories, everything else a keyword (quoted phrases stay whole)."""
    keywords: list[str] = []
    categories: list[str] = []
    for word in words:
        word = word.strip()
        if not word:
            continue
        prefix = next((p for p in _CATEGORY_PREFIXES if word.casefold().startswith(p)), None)
        if prefix:
            name = word[len(prefix) :].strip()
            if name:
                categories.append(name)
        else:
            keywords.append(word)
    return Filters(tuple(dict.fromkeys(keywords)), tuple(dict.fromkeys(categories)))


def _words(text: str | None) -> list[str]:
    """The command's arguments, with shell-style quotes for phrases (unbalanced quotes: plain split)."""
    if not text:
        return []
    parts = text.split(maxsplit=1)
    rest = parts[1] if len(parts) > 1 else ""
    rest = rest.replace("“", '"').replace("”", '"')
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def describe_filters(sub: Subscription, lang: str) -> str:
    if not sub.keywords and not sub.categories:
        return text(lang, "all")
    none = text(lang, "none")
    return text(
        lang,
        "filters",
        keywords=escape_html(", ".join(sub.keywords)) or none,
        categories=escape_html(", ".join(sub.categories)) or none,
    )


def _chat_name(chat: Chat | None, chat_id: int, lang: str, here: Chat | None = None) -> str:
    """How a reply names the chat a command is about: "this chat" for the chat it was sent in when that is
    a private one (its id meant nothing to its user), else the group's or channel's title, else its id."""
    if chat is not None and chat.type == ChatType.PRIVATE and here is not None and chat.id == here.id:
        return text(lang, "this_chat")
    if chat is not None and chat.type != ChatType.PRIVATE and (chat.title or chat.username):
        return escape_html(chat.title or f"@{chat.username}")
    return str(chat_id)


def _is_admin(update: Update, settings: Settings) -> bool:
    user = update.effective_user
    return bool(user and user.id in settings.telegram_admin_ids)


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Reply through the bot's sender (``QABot.send``): in as many messages as Telegram's 4,096 characters
    need (a list of a hundred subscriptions is longer), and a reply a long flood wait holds back is sent
    after it instead of dropped."""
    if update.effective_message is not None:
        await qa_of(context).send(update.effective_message, text)


async def _may_post(bot: Bot, chat: Chat) -> tuple[bool, str]:
    """Whether the bot can post in ``chat``, asked to Telegram (getChatMember of the bot itself)."""
    member = await bot.get_chat_member(chat.id, bot.id)
    status = member.status
    if chat.type == ChatType.CHANNEL:
        ok = status == ChatMemberStatus.OWNER or (
            isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
        )
    elif isinstance(member, ChatMemberRestricted):
        ok = member.can_send_messages
    else:
        ok = status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
    return ok, str(status)


def _with_store(db_path: Path, action: Callable[[AlertStore], T]) -> T:
    """``action(store)`` on a store opened and closed in this thread (a database thread)."""
    with AlertStore(db_path) as store:
        return action(store)


def _listed(store: AlertStore, chat_id: int, everyone: bool) -> list[Subscription]:
    """What ``/subscriptions`` lists: every subscription (an admin in private), else the chat's own."""
    if everyone:
        return store.subscriptions()
    sub = store.subscription(chat_id)
    return [sub] if sub else []


class _Handlers:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def _in_store(self, action: Callable[[AlertStore], T]) -> T:
        """``action(store)`` off the event loop (see the module docstring)."""
        return await off_loop(_with_store, self.settings.db_path, action)

    async def _target(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        words: list[str],
        lang: str,
        reachable: bool = True,
    ) -> tuple[int, Chat | None, list[str]] | None:
        """Which chat a command is about: a named one (admins, private chat only) or the current one.

        ``reachable=False`` (``/unsubscribe``): a chat named by its id need not be one Telegram still shows
        the bot; a group that removed the bot, or a deleted one, can only be unsubscribed that way."""
        chat = update.effective_chat
        assert chat is not None
        if chat.type == ChatType.PRIVATE and words and _TARGET.match(words[0]):
            if not _is_admin(update, self.settings):
                await _reply(update, context, text(lang, "admins_only"))
                return None
            ref: int | str = int(words[0]) if words[0].lstrip("-").isdigit() else words[0]
            try:
                target = await context.bot.get_chat(ref)
            except TelegramError as exc:
                if not reachable and isinstance(ref, int):
                    return ref, None, words[1:]
                error = escape_html(str(exc))
                await _reply(update, context, text(lang, "no_chat", chat=escape_html(str(ref)), error=error))
                return None
            return target.id, target, words[1:]
        if chat.type != ChatType.PRIVATE and not _is_admin(update, self.settings):
            await _reply(update, context, text(lang, "admins_only"))
            return None
        return chat.id, chat, words

    async def subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = lang_for(update, context)
        message = update.effective_message
        words = _words(message.text if message else None)
        if words and words[0] in ("help", "-h", "--help"):
            await _reply(update, context, text(lang, "usage"))
            return
        found = await self._target(update, context, words, lang)
        if found is None:
            return
        chat_id, chat, words = found
        name = _chat_name(chat, chat_id, lang, update.effective_chat)
        if chat is not None and chat.id != (update.effective_chat.id if update.effective_chat else None):
            try:
                ok, status = await _may_post(context.bot, chat)
            except TelegramError as exc:
                await _reply(update, context, text(lang, "no_chat", chat=name, error=escape_html(str(exc))))
                return
            if not ok:
                await _reply(update, context, text(lang, "cannot_post", chat=name, status=status))
                return
        filters_ = parse_filters(words)
        user = update.effective_user
        sub, created = await self._in_store(
            lambda store: store.subscribe(
                chat_id,
                kind=str(chat.type) if chat else "unknown",
                title=(chat.title or chat.username or "") if chat and chat.type != ChatType.PRIVATE else "",
                keywords=filters_.keywords,
                categories=filters_.categories,
                created_by=user.id if user else None,
                lang=lang,
            )
        )
        log.info(
            "chat %s subscribed to alerts (%d keywords, %d categories)",
            chat_label(chat_id),
            len(sub.keywords),
            len(sub.categories),
        )
        key = "subscribed" if created else "updated"
        await _reply(update, context, text(lang, key, chat=name, filters=describe_filters(sub, lang)))

    async def unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = lang_for(update, context)
        message = update.effective_message
        words = _words(message.text if message else None)
        found = await self._target(update, context, words, lang, reachable=False)
        if found is None:
            return
        chat_id, chat, _ = found
        removed = await self._in_store(lambda store: store.unsubscribe(chat_id))
        name = _chat_name(chat, chat_id, lang, update.effective_chat)
        await _reply(update, context, text(lang, "unsubscribed" if removed else "not_subscribed", chat=name))

    async def subscriptions(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = lang_for(update, context)
        chat = update.effective_chat
        assert chat is not None
        everyone = chat.type == ChatType.PRIVATE and _is_admin(update, self.settings)
        subs = await self._in_store(lambda store: _listed(store, chat.id, everyone))
        if not subs:
            await _reply(update, context, text(lang, "list_empty"))
            return
        lines = [text(lang, "list_title")]
        for sub in subs:
            name = escape_html(sub.title) if sub.title else str(sub.chat_id)
            head = f"• <code>{sub.chat_id}</code> {name if sub.title else ''}".rstrip()
            if sub.paused:
                head += f" {text(lang, 'paused')}"
            lines.append(head)
            lines.append("  " + describe_filters(sub, lang).replace("\n", "\n  "))
        await _reply(update, context, "\n".join(lines))

    async def migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its subscription and unsent alerts move to the new id now.

        Both of Telegram's service messages come here; the move is the same and the second finds nothing
        left to move (:meth:`AlertStore.migrate_chat`)."""
        ids = migration_ids(update.effective_message)
        if ids is None:
            return
        old, new = ids
        await self._in_store(lambda store: store.migrate_chat(old, new))
        log.info("chat %s became %s: its alert subscription (if any) moved", old, new)


async def _poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    poller: Poller = context.job.data  # type: ignore[union-attr,assignment]
    try:
        report = await poller.poll(context.bot)
    except Exception:  # noqa: BLE001 - one failed pass must not kill the job
        log.exception("alert pass failed")
        return
    for error in report.errors:
        log.warning("alert pass: %s", error)


def install(application: Application, settings: Settings) -> Poller:  # type: ignore[type-arg]
    """Add the alert commands and the poll job (every ``ALERT_POLL_MINUTES``) to ``application``."""
    handlers = _Handlers(settings)
    only_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("subscribe", handlers.subscribe, filters=only_messages))
    application.add_handler(CommandHandler("unsubscribe", handlers.unsubscribe, filters=only_messages))
    application.add_handler(CommandHandler("subscriptions", handlers.subscriptions, filters=only_messages))
    migrated = filters.StatusUpdate.MIGRATE
    application.add_handler(MessageHandler(migrated, handlers.migrate), group=MIGRATE_GROUP)
    poller = Poller(settings)
    application.bot_data["alerts_poller"] = poller
    interval = settings.alert_poll_minutes * 60.0
    if application.job_queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): alerts are not polled")
    else:
        application.job_queue.run_repeating(
            _poll_job, interval=interval, first=min(30.0, interval), name=POLL_JOB_NAME, data=poller
        )
    return poller
