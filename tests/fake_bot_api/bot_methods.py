"""The Bot API methods about the bot itself: identity, updates (long polling, webhook), commands, chats.

Why: the bot calls these at start-up and shutdown (getMe, setMyCommands, setWebhook/deleteWebhook...),
while polling (getUpdates) and for the alerts (getChat, getChatMember); they answer with the shapes
python-telegram-bot parses, and refuse what Telegram refuses (getUpdates while a webhook is set, invalid
command names, a secret token with characters Telegram does not allow).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from tests.fake_bot_api.state import ApiError, FakeBotState


class BotMethodsMixin(FakeBotState):
    """The bot, update and chat handlers (``_m_<method>``) of :class:`tests.fake_bot_api.FakeBotAPI`."""

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def ready() -> bool:
            return bool(self._updates) or self._closing

        if not ready() and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(ready), timeout)
        return self._updates[:limit]

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name, desc = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(desc) <= 256:
                raise ApiError(400, f"Bad Request: BOT_COMMAND_INVALID ({name!r})")
        self.commands = commands
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = []
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret} if url else {}
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = dict(self._chat(params.get("chat_id")))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        status = self.member_status.get((chat["id"], user_id), "member")
        if user_id == self.bot_id:
            user = self.bot_user
        else:
            user = {"id": user_id, "is_bot": False, "first_name": "User"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        elif status == "restricted":
            raise ApiError(400, "Bad Request: restricted members are not simulated")
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_leaveChat(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _m_setChatMenuButton(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyDescription(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True
