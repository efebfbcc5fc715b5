"""``thaigov-qa alerts …``: subscriptions from the command line and one alert pass (``alerts poll``).

Channel and group ids are negative (``-1001234567890``). argparse reads an argument that looks like a
negative number as a positional as long as no option of the parser itself looks like one, which is the
case here; ``CHAT_ID`` is parsed as an integer with a readable error for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.alerts_store import AlertStore, Subscription
from thaigov_qa.settings import Settings


def _chat_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a numeric Telegram chat id such as -1001234567890 (channels and groups) or 123456789 "
            f"(a user), got {value!r}; in Telegram, /subscribe @channel resolves a name"
        ) from None


def _print_sub(sub: Subscription, as_json: bool) -> None:
    if as_json:
        print(json.dumps(sub.to_dict(), ensure_ascii=False))
        return
    filters = []
    if sub.keywords:
        filters.append("keywords: " + ", ".join(sub.keywords))
    if sub.categories:
        filters.append("categories: " + ", ".join(sub.categories))
    state = f"  PAUSED ({sub.paused_reason})" if sub.paused else ""
    title = f" {sub.title}" if sub.title else ""
    print(f"{sub.chat_id}{title} [{sub.kind}]  {'; '.join(filters) or 'every release'}{state}")


def cmd_subscribe(args: argparse.Namespace, settings: Settings) -> int:
    with AlertStore(settings.db_path) as store:
        sub, created = store.subscribe(
            args.chat_id,
            kind="private" if args.chat_id > 0 else "unknown",
            title=args.title or "",
            keywords=[k.strip() for k in args.keyword if k.strip()],
            categories=[c.strip() for c in args.category if c.strip()],
            lang=args.lang,
        )
    if not args.json:
        print("subscribed:" if created else "updated:", end=" ")
    _print_sub(sub, args.json)
    return 0


def cmd_unsubscribe(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_qa.errors import UserError

    with AlertStore(settings.db_path) as store:
        removed = store.unsubscribe(args.chat_id)
    if not removed:
        raise UserError(f"chat {args.chat_id} has no subscription (see `thaigov-qa alerts list`)")
    if args.json:
        print(json.dumps({"chat_id": args.chat_id, "unsubscribed": True}))
    else:
        print(f"unsubscribed: {args.chat_id}")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with AlertStore(settings.db_path) as store:
        subs = store.subscriptions()
        counts = store.counts()
    for sub in subs:
        _print_sub(sub, args.json)
    if not args.json:
        if not subs:
            print("no subscriptions")
        print(
            f"outbox: {counts.get('pending') + counts.get('sending')} pending, {counts.get('sent')} sent, "
            f"{counts.get('failed')} failed",
            file=sys.stderr,
        )
    return 0


async def _poll(settings: Settings, deliver: bool, index: bool) -> tuple[dict[str, object], bool]:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from bot.alerts_poll import Poller
    from thaigov_qa.errors import UserError

    poller = Poller(settings)
    report = await poller.poll(None, deliver=False, index=index)
    result = report.to_dict()
    ok = not report.errors
    if deliver:
        bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_base_url)
        try:
            async with bot:
                delivery = await poller.deliver(bot)
        except InvalidToken:
            raise UserError("Telegram refused TELEGRAM_BOT_TOKEN; alerts stay pending") from None
        except TelegramError as exc:
            result["delivery"] = {"error": f"cannot reach Telegram: {exc}; alerts stay pending"}
            return result, False
        result["delivery"] = delivery.to_dict()
        ok = ok and not delivery.errors and not delivery.stopped
    return result, ok


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_qa.errors import UserError

    deliver = not args.no_deliver
    if deliver and not settings.telegram_bot_token.get_secret_value():
        raise UserError("TELEGRAM_BOT_TOKEN is not set: set it to deliver alerts, or pass --no-deliver")
    if not settings.release_feeds and not settings.watch_dirs:
        print("thaigov-qa: no RELEASE_FEEDS or WATCH_DIRS set: only pending alerts", file=sys.stderr)
    result, ok = asyncio.run(_poll(settings, deliver, not args.no_index))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for src in result["sources"]:  # type: ignore[union-attr]
            line = f"{src['kind']} {src['source']}: {src['status']}"
            if src["status"] == "ok":
                line += f", {src['releases']} entries, {src['new']} new ({src['backlog']} backlog), "
                line += f"{src['changed']} changed"
            if src["error"]:
                line += f" — {src['error']}"
            print(line)
        print(f"alerts queued: {result['alerts_queued']}; indexed: {result['indexed']}", end="")
        if result["index_error"]:
            print(f" ({result['index_error']})", end="")
        print()
        delivery = result.get("delivery")
        if isinstance(delivery, dict):
            if "error" in delivery:
                print(f"delivery: {delivery['error']}")
            else:
                print(
                    f"delivery: {delivery['sent']} sent, {delivery['failed']} failed, "
                    f"{delivery['waiting']} waiting, paused chats: {delivery['paused_chats'] or 'none'}"
                )
                for err in delivery["errors"]:
                    print(f"  {err}")
    return 0 if ok else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = sub.add_parser(
        "alerts",
        help="new-release alerts: subscriptions and one poll pass",
        description="Subscribe Telegram chats to new releases and run one alert pass.",
    )
    asub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    p = asub.add_parser(
        "subscribe",
        help="subscribe a chat (or replace its filters)",
        description="Subscribe a Telegram chat to new releases. Channel and group ids are negative "
        "(-1001234567890): give them as they are.",
    )
    p.add_argument("chat_id", type=_chat_id, metavar="CHAT_ID", help="numeric chat id, e.g. -1001234567890")
    p.add_argument("--keyword", "-k", action="append", default=[], metavar="K", help="keyword (repeatable)")
    p.add_argument("--category", "-c", action="append", default=[], metavar="C", help="category (repeatable)")
    p.add_argument("--title", default="", help="a name to show in lists")
    p.add_argument(
        "--lang",
        choices=("th", "en"),
        default="",
        help="language of the alerts' dates and buttons (default: each release's own)",
    )
    p.add_argument("--json", action="store_true", help="print the subscription as JSON")
    p.set_defaults(handler=cmd_subscribe)

    p = asub.add_parser("unsubscribe", help="remove a chat's subscription")
    p.add_argument("chat_id", type=_chat_id, metavar="CHAT_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_unsubscribe)

    p = asub.add_parser("list", help="list subscriptions")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.set_defaults(handler=cmd_list)

    p = asub.add_parser(
        "poll",
        help="one pass: fetch feeds and watched folders, record, index, deliver",
        description="One alert pass, then exit: fetch RELEASE_FEEDS and WATCH_DIRS, record new releases, "
        "index them, send pending alerts (needs TELEGRAM_BOT_TOKEN). Exit status 1 when a source or a "
        "delivery failed (the rest of the pass still ran).",
    )
    p.add_argument("--no-deliver", action="store_true", help="record and index only; alerts stay pending")
    p.add_argument("--no-index", action="store_true", help="index on a later pass")
    p.add_argument("--json", action="store_true", help="the pass's report as one JSON object")
    p.set_defaults(handler=cmd_poll)
