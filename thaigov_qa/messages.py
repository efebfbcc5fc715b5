"""Every user-facing string of the product, in Thai and English, in one module.

Why a table rather than strings inline in the handlers: every message must exist in both languages and
the choice of language is made in one place (:func:`user_lang`), so a handler can never forget it. Two
registers: the bot's messages (:func:`text`, alerts' included), whose values are HTML (the bot always sends
in HTML parse mode; placeholders are filled with escaped text), and the answers' wording
(:func:`reply_texts`), plain text that ``index.reply`` escapes for Telegram or prints on the console.
On the ground floor so that the index's replies and the bot read the same table.
"""

from __future__ import annotations

from typing import Any

#: Languages the bot speaks; anything else falls back to Thai (the corpus's language).
LANGS = ("th", "en")
DEFAULT_LANG = "th"


def user_lang(language_code: str | None) -> str:
    """The language to talk to a Telegram user in: English for ``en*``, Thai for everything else."""
    code = (language_code or "").lower()
    return "en" if code.startswith("en") else DEFAULT_LANG


_TEXTS: dict[str, dict[str, str]] = {
    "th": {
        "help": (
            "<b>ThaiGov QA</b> ตอบคำถามจากข่าวประชาสัมพันธ์ของรัฐบาลไทย (thaigov.go.th) "
            "พร้อมข้อความอ้างอิงและลิงก์แหล่งที่มา\n\n"
            "<b>วิธีใช้</b>\n"
            "• พิมพ์คำถามมาได้เลย (ภาษาไทยหรืออังกฤษ) เช่น\n"
            "  <i>รัฐบาลลงนาม MOU กับ Huawei เรื่องอะไร</i>\n"
            "  <i>What did the cabinet approve about rice farmers?</i>\n"
            "• ถามต่อได้เลย เช่น <i>แล้วใครเป็นผู้ลงนาม</i> บอทจะตอบจากข่าวของคำตอบก่อนหน้าก่อน "
            "(จำบทสนทนา 15 นาที; /new เริ่มเรื่องใหม่)\n"
            "• ถามมติของการประชุม ครม. เช่น <i>ครม. อนุมัติอะไรบ้างเมื่อวันที่ 13 กันยายน 2566</i> "
            "บอทจะแสดงรายการเรื่องของการประชุมนั้น (ปุ่ม <i>ดูอีก N เรื่อง</i> แสดงส่วนที่เหลือ)\n"
            "• ในกลุ่ม: ใช้ /ask ตามด้วยคำถาม, กล่าวถึง @{username} หรือตอบกลับข้อความของบอท "
            "(ตอบกลับคำตอบเพื่อถามต่อ)\n"
            "• ในแชตอื่น: พิมพ์ <code>@{username} คำถาม</code> แล้วเลือกคำตอบเพื่อส่ง\n"
            "• กด 👍 หรือ 👎 ใต้คำตอบเพื่อบอกว่าคำตอบถูกหรือผิด\n\n"
            "<b>คำสั่ง</b>\n"
            "/ask คำถาม: ถามคำถาม\n"
            "/new: เริ่มบทสนทนาใหม่ (ลืมคำถามก่อนหน้า)\n"
            "/lang th|en: ภาษาที่บอทตอบ (/lang auto: ตามภาษาของคำถาม)\n"
            "/latest [n]: ข่าวล่าสุดในดัชนี\n"
            "/about: ข้อมูลดัชนี (จำนวนข่าว วันที่ล่าสุด โมเดล)\n"
            "/forget: ลบข้อมูลของคุณที่บอทเก็บไว้\n"
            "/help: ข้อความนี้\n"
            "{extra}\n"
            "<b>ความเป็นส่วนตัว</b>: บอทไม่บันทึกข้อความคำถามหรือรหัสผู้ใช้ของคุณในบันทึกการทำงาน "
            "(เว้นแต่ผู้ดูแลเปิดการบันทึกเพื่อแก้ไขปัญหา) {kept}\n"
            "คำตอบดึงมาจากข่าวโดยอัตโนมัติ โปรดตรวจสอบกับแหล่งที่มาเสมอ"
        ),
        "help_kept_counts": (
            "ปุ่ม 👍/👎 เก็บเพียงจำนวนนับ (ไม่เก็บคำถาม) บทสนทนาล่าสุดเก็บไว้ {minutes} นาทีเพื่อให้ถามต่อได้"
        ),
        "help_kept_logged": (
            "ขณะนี้ผู้ดูแลเปิดการบันทึก: เมื่อคุณกด 👍/👎 คำถาม คำตอบ และการประเมินจะถูกเก็บไว้ไม่เกิน "
            "{days} วันเพื่อปรับปรุงบอท ลบได้ด้วย /forget"
        ),
        "new_conversation": "เริ่มบทสนทนาใหม่แล้ว คำถามถัดไปจะไม่อ้างอิงคำถามก่อนหน้า",
        "lang_set": "ต่อจากนี้บอทจะตอบเป็นภาษาไทย (/lang auto: ตามภาษาของคำถาม)",
        "lang_auto": "ต่อจากนี้บอทจะตอบตามภาษาของคำถาม",
        "lang_usage": "ใช้ <code>/lang th</code> หรือ <code>/lang en</code> (ตอนนี้: {current})",
        "feedback_thanks": "ขอบคุณสำหรับความคิดเห็น",
        "feedback_same": "บันทึกความคิดเห็นนี้ไว้แล้ว",
        "feedback_expired": "ปุ่มนี้หมดอายุแล้ว กรุณาถามใหม่อีกครั้ง",
        "forgotten": "ลบข้อมูลของคุณแล้ว ({n} รายการ) และลืมบทสนทนาในแชตนี้แล้ว",
        "feedback_stats": "<b>ความคิดเห็น</b> ({days} วันล่าสุด)",
        "feedback_stats_none": "<b>ความคิดเห็น</b>: ยังไม่มีใน 7 วันล่าสุด",
        "inline_answer": "คำตอบ",
        "inline_not_found": "ไม่พบคำตอบ: ดูข่าวที่ใกล้เคียง",
        "help_alerts": "/subscribe: รับแจ้งเตือนข่าวใหม่ · /unsubscribe · /subscriptions\n",
        "help_admin": "<b>ผู้ดูแล</b>: /reindex ปรับปรุงดัชนี · /stats สถิติ\n",
        "short_help": (
            "สวัสดีครับ พิมพ์คำถามเกี่ยวกับข่าวรัฐบาลไทยมาได้เลย เช่น "
            "<i>รัฐบาลลงนาม MOU กับ Huawei เรื่องอะไร</i>\nดูวิธีใช้ทั้งหมดที่ /help"
        ),
        "group_usage": "ใช้ /ask ตามด้วยคำถาม เช่น <code>/ask มาตรการช่วยเหลือเกษตรกร</code>",
        "thanks_reply": "ยินดีครับ 🙏 ถามต่อได้เลย",
        "rate_limited": ("ขออภัย คุณถามถี่เกินไป (ไม่เกิน {limit} คำถามต่อนาที) กรุณารอ {seconds} วินาทีแล้วลองใหม่"),
        "no_index": "ยังไม่มีดัชนีข่าวให้ค้นหา ผู้ดูแลระบบกำลังเตรียมข้อมูล กรุณาลองใหม่ภายหลัง",
        "no_index_admin": (
            "สร้างดัชนีด้วยคำสั่ง:\n<code>thaigov-qa index build PATH</code>\nหรือ /reindex (ใช้ CORPUS_SOURCES)"
        ),
        "index_error": "ดัชนีข่าวใช้งานไม่ได้ในขณะนี้ กรุณาลองใหม่ภายหลัง",
        "error": "ขออภัย เกิดข้อผิดพลาดขณะตอบคำถามนี้ กรุณาลองใหม่อีกครั้ง",
        "not_admin": "ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ดูแลระบบ",
        "more_sources": "📚 แหล่งข้อมูลเพิ่มเติม",
        "more_sources_title": "แหล่งข้อมูลเพิ่มเติม",
        "more_expired": "คำตอบนี้เก่าเกินไป กรุณาถามใหม่อีกครั้ง",
        "no_more_sources": "ไม่มีแหล่งข้อมูลเพิ่มเติม",
        "latest_title": "ข่าวล่าสุด {n} รายการ",
        "latest_empty": "ยังไม่มีข่าวในดัชนี",
        "about": (
            "<b>ThaiGov QA</b>\nจำนวนข่าว: {releases}\nข่าวล่าสุดลงวันที่: {newest}\n"
            "ชิ้นข้อความ: {chunks}\nโมเดล: <code>{model}</code>"
        ),
        "release_card": (
            "{card}\n\nถามคำถามเกี่ยวกับข่าวนี้ได้เลย (<i>ใคร อะไร เมื่อไร ที่ไหน เท่าไร</i>) "
            "ภายใน 10 นาที คำถามจะตอบจากข่าวนี้ก่อน"
        ),
        "release_unknown": "ไม่พบข่าวนี้ในดัชนี พิมพ์คำถามมาได้เลย",
        "question_truncated": "(คำถามยาวเกินไป ใช้เฉพาะ {n} ตัวอักษรแรก)",
        "reindex_no_sources": "ยังไม่ได้ตั้งค่า CORPUS_SOURCES จึงปรับปรุงดัชนีไม่ได้",
        "reindex_started": "⏳ กำลังปรับปรุงดัชนีจาก {sources}…",
        "reindex_progress": "⏳ กำลังปรับปรุงดัชนี… {seconds} วินาที",
        "reindex_done": (
            "✅ ปรับปรุงดัชนีเสร็จใน {seconds} วินาที\nข่าวใหม่ {new} · แก้ไข {changed} · ลบ {removed}\n"
            "ข่าวทั้งหมด {releases} · ชิ้นข้อความ {chunks} · ฝังเวกเตอร์ใหม่ {embedded}"
        ),
        "reindex_locked": "ขณะนี้มีการสร้างดัชนีอยู่แล้ว (มีโปรแกรมอื่นถือล็อกอยู่) กรุณาลองใหม่ภายหลัง",
        "reindex_busy": "กำลังปรับปรุงดัชนีอยู่แล้ว กรุณารอให้เสร็จก่อน",
        "reindex_failed": "❌ ปรับปรุงดัชนีไม่สำเร็จ: {error}",
        "stats": (
            "<b>สถิติ</b>\nทำงานมา {uptime}\nคำถาม {questions} (ไม่พบคำตอบ {not_found}) · "
            "เวลาเฉลี่ย {avg_ms} ms\nถูกจำกัดอัตรา {rate_limited} · ข้อผิดพลาด {errors} · ผู้ใช้ {users}\n\n{about}"
        ),
        # --- alerts (bot.alerts) ---
        "this_chat": "แชตนี้",
        "subscribed": "✅ สมัครรับข่าวใหม่แล้วสำหรับ {chat}\n{filters}",
        "updated": "✅ ปรับตัวกรองข่าวใหม่ของ {chat} แล้ว\n{filters}",
        "all": "ตัวกรอง: ทุกข่าว",
        "filters": "คำค้น: {keywords}\nหมวด: {categories}",
        "none": "-",
        "unsubscribed": "🛑 ยกเลิกการแจ้งข่าวใหม่ของ {chat} แล้ว",
        "not_subscribed": "{chat} ไม่ได้สมัครรับข่าวใหม่ไว้",
        "admins_only": "ขออภัย เฉพาะผู้ดูแลระบบเท่านั้นที่สมัครหรือยกเลิกการแจ้งข่าวให้กลุ่มหรือช่องได้",
        "cannot_post": (
            "บอตยังโพสต์ใน {chat} ไม่ได้ (สถานะ: {status}) กรุณาเพิ่มบอตเป็นผู้ดูแลที่โพสต์ข้อความได้ แล้วลองอีกครั้ง"
        ),
        "no_chat": "ไม่พบแชท {chat} หรือบอตเข้าถึงไม่ได้: {error}",
        "list_empty": "ยังไม่มีการสมัครรับข่าวใหม่",
        "list_title": "<b>การสมัครรับข่าวใหม่</b>",
        "paused": "⏸ หยุดชั่วคราว",
        "usage": (
            "วิธีใช้: <code>/subscribe [คำค้น…] [category:หมวด]</code>\n"
            "ช่อง: ส่งในแชทส่วนตัวกับบอต <code>/subscribe @channel [คำค้น…]</code> (ผู้ดูแลเท่านั้น)"
        ),
    },
    "en": {
        "help": (
            "<b>ThaiGov QA</b> answers questions about Thai government press releases (thaigov.go.th), "
            "with the evidence and links to the sources.\n\n"
            "<b>How to use</b>\n"
            "• Just type a question (Thai or English), e.g.\n"
            "  <i>What did the government sign with Huawei?</i>\n"
            "  <i>มาตรการช่วยเหลือเกษตรกรมีอะไรบ้าง</i>\n"
            "• Ask a follow-up, e.g. <i>and who signed it?</i>: it is answered from the previous answer's "
            "release first (the conversation is kept 15 minutes; /new starts afresh).\n"
            "• Ask what a cabinet meeting decided, e.g. <i>What did the cabinet approve on 13 September "
            "2023?</i>: the reply lists that meeting's agenda titles (<i>Show N more</i> sends the rest).\n"
            "• In groups: use /ask followed by the question, mention @{username}, or reply to the bot "
            "(reply to an answer to follow up).\n"
            "• In any other chat: type <code>@{username} question</code> and pick the answer to send.\n"
            "• Press 👍 or 👎 under an answer to say whether it was right.\n\n"
            "<b>Commands</b>\n"
            "/ask question: ask a question\n"
            "/new: start a new conversation (forget the previous question)\n"
            "/lang th|en: the language the bot replies in (/lang auto: the question's)\n"
            "/latest [n]: the newest releases in the index\n"
            "/about: about the index (releases, newest date, model)\n"
            "/forget: delete what the bot keeps about you\n"
            "/help: this message\n"
            "{extra}\n"
            "<b>Privacy</b>: the bot does not log your questions or your user id "
            "(unless an admin turns question logging on for debugging). {kept}\n"
            "Answers are extracted automatically; always check the linked sources."
        ),
        "help_kept_counts": (
            "👍/👎 are kept as counts only (no question text); your last question's topic is kept "
            "{minutes} minutes for follow-ups."
        ),
        "help_kept_logged": (
            "Question logging is on: when you press 👍/👎, the question, the answer and your verdict are "
            "kept for at most {days} days to improve the bot; /forget deletes them."
        ),
        "new_conversation": "New conversation: the next question does not lean on the previous ones.",
        "lang_set": "From now on the bot replies in English (/lang auto: in the question's language).",
        "lang_auto": "From now on the bot replies in the question's language.",
        "lang_usage": "Use <code>/lang th</code> or <code>/lang en</code> (now: {current})",
        "feedback_thanks": "Thanks for the feedback!",
        "feedback_same": "Already counted, thanks.",
        "feedback_expired": "This button has expired; please ask again.",
        "forgotten": "Deleted what was kept about you ({n} records) and this chat's conversation.",
        "feedback_stats": "<b>Feedback</b> (last {days} days)",
        "feedback_stats_none": "<b>Feedback</b>: none in the last 7 days",
        "inline_answer": "Answer",
        "inline_not_found": "No answer found: closest releases",
        "help_alerts": "/subscribe: alerts for new releases · /unsubscribe · /subscriptions\n",
        "help_admin": "<b>Admins</b>: /reindex updates the index · /stats\n",
        "short_help": (
            "Hello! Ask me anything about Thai government press releases, e.g. "
            "<i>What did the government sign with Huawei?</i>\nSee /help for more."
        ),
        "group_usage": "Use /ask followed by your question, e.g. <code>/ask help for rice farmers</code>",
        "thanks_reply": "You're welcome! Ask me anything else.",
        "rate_limited": (
            "Sorry, that is a lot of questions (at most {limit} a minute). "
            "Please wait {seconds} seconds and try again."
        ),
        "no_index": (
            "There is no index of releases to search yet. The admins are preparing it; please try later."
        ),
        "no_index_admin": (
            "Build one with:\n<code>thaigov-qa index build PATH</code>\nor /reindex (uses CORPUS_SOURCES)"
        ),
        "index_error": "The release index cannot be used right now; please try again later.",
        "error": "Sorry, something went wrong while answering. Please try again.",
        "not_admin": "Sorry, this command is for the bot's admins only.",
        "more_sources": "📚 More sources",
        "more_sources_title": "More sources",
        "more_expired": "This answer is too old; please ask again.",
        "no_more_sources": "No more sources.",
        "latest_title": "The {n} newest releases",
        "latest_empty": "The index has no releases yet.",
        "about": (
            "<b>ThaiGov QA</b>\nReleases: {releases}\nNewest publication date: {newest}\n"
            "Passages: {chunks}\nModel: <code>{model}</code>"
        ),
        "release_card": (
            "{card}\n\nAsk me about this release (<i>who, what, when, where, how much</i>): "
            "for the next 10 minutes your questions are answered from it first."
        ),
        "release_unknown": "That release is not in the index; just type your question.",
        "question_truncated": "(Your question was long; only its first {n} characters were used.)",
        "reindex_no_sources": "CORPUS_SOURCES is not set, so there is nothing to update the index from.",
        "reindex_started": "⏳ Updating the index from {sources}…",
        "reindex_progress": "⏳ Updating the index… {seconds} s",
        "reindex_done": (
            "✅ Index updated in {seconds} s\nnew {new} · changed {changed} · removed {removed}\n"
            "releases {releases} · passages {chunks} · newly embedded {embedded}"
        ),
        "reindex_locked": "Another index build is running (it holds the lock); please try again later.",
        "reindex_busy": "An update is already running; please wait for it to finish.",
        "reindex_failed": "❌ The index update failed: {error}",
        "stats": (
            "<b>Stats</b>\nUp for {uptime}\nQuestions {questions} (not found {not_found}) · "
            "average {avg_ms} ms\nRate-limited {rate_limited} · errors {errors} · users {users}\n\n{about}"
        ),
        # --- alerts (bot.alerts) ---
        "this_chat": "This chat",
        "subscribed": "✅ {chat} is subscribed to new releases.\n{filters}",
        "updated": "✅ New-release filters of {chat} updated.\n{filters}",
        "all": "Filters: every release",
        "filters": "Keywords: {keywords}\nCategories: {categories}",
        "none": "-",
        "unsubscribed": "🛑 {chat} no longer gets new-release alerts.",
        "not_subscribed": "{chat} was not subscribed.",
        "admins_only": "Sorry, only the bot's admins can subscribe or unsubscribe groups and channels.",
        "cannot_post": (
            "I cannot post in {chat} yet (status: {status}). "
            "Add me as an administrator allowed to post messages, then try again."
        ),
        "no_chat": "Cannot find chat {chat}, or I have no access to it: {error}",
        "list_empty": "No subscriptions yet.",
        "list_title": "<b>New-release subscriptions</b>",
        "paused": "⏸ paused",
        "usage": (
            "Usage: <code>/subscribe [keywords…] [category:NAME]</code>\n"
            "Channels: in a private chat with me, <code>/subscribe @channel [keywords…]</code> (admins only)"
        ),
    },
}


def text(lang: str, key: str, **values: Any) -> str:
    """The string ``key`` in ``lang`` (Thai when unknown), with ``values`` filled in (escape them first)."""
    table = _TEXTS.get(lang, _TEXTS[DEFAULT_LANG])
    template = table.get(key) or _TEXTS[DEFAULT_LANG][key]
    return template.format(**values) if values else template


#: The command menu (setMyCommands): command, Thai description, English description.
COMMANDS: list[tuple[str, str, str]] = [
    ("ask", "ถามคำถามเกี่ยวกับข่าวรัฐบาล", "Ask about Thai government releases"),
    ("new", "เริ่มบทสนทนาใหม่", "Start a new conversation"),
    ("lang", "ภาษาที่ตอบ: /lang th หรือ /lang en", "Reply language: /lang th or /lang en"),
    ("latest", "ข่าวล่าสุด", "The newest releases"),
    ("about", "ข้อมูลดัชนีข่าว", "About the index"),
    ("forget", "ลบข้อมูลของฉันที่บอทเก็บไว้", "Delete what the bot keeps about me"),
    ("help", "วิธีใช้", "How to use the bot"),
]
ALERT_COMMANDS: list[tuple[str, str, str]] = [
    ("subscribe", "รับแจ้งเตือนข่าวใหม่", "Get alerts for new releases"),
    ("unsubscribe", "เลิกรับแจ้งเตือน", "Stop alerts"),
    ("subscriptions", "การแจ้งเตือนที่รับอยู่", "Your alerts"),
]


#: The "ask about this release" button under an alert.
ALERT_BUTTON = {"th": "ถามเกี่ยวกับข่าวนี้", "en": "Ask about this release"}

#: The admins' notice when a chat's alerts are paused: Thai and English in one message ({chat}, {reason}).
ALERTS_PAUSED_NOTICE = (
    "⏸ หยุดส่งข่าวใหม่ไปยังแชท {chat} ชั่วคราว: บอตถูกบล็อกหรือถูกนำออก\n"
    "⏸ Alerts to chat {chat} are paused: the bot was blocked or removed ({reason}).\n"
    "/subscribe ในแชทนั้นอีกครั้งเพื่อส่งต่อ · /subscribe there again to resume."
)

#: Said when every answer worker is busy (plain text: the bot escapes it); Thai for any other language.
BUSY_TEXT = {
    "th": "ขณะนี้มีผู้ถามจำนวนมาก โปรดลองใหม่อีกครั้งในอีกสักครู่",
    "en": "The bot is busy right now, please try again in a moment.",
}

#: The operators' alerts (``bot.ops_alerts``), HTML, as (Thai, English); the values come escaped.
OPS_TEXTS = {
    "feed_failing": (
        "แหล่งข่าว <code>{source}</code> อ่านไม่ได้มา {n} ชั่วโมงแล้ว ({failures} ครั้ง): {reason}",
        "The source <code>{source}</code> has failed for {n} hours ({failures} tries): {reason}",
    ),
    "stale_index": (
        "ข่าวล่าสุดในดัชนีลงวันที่ {newest} ({age} วันก่อน): ตรวจสอบ <code>index update</code> และแหล่งข่าว",
        "The newest indexed release is from {newest} ({age} days ago): check <code>index update</code> "
        "and the sources",
    ),
    "disk": (
        "พื้นที่ดิสก์ของ <code>{folder}</code> เหลือ {free:.1f}% ({gb:.1f} GB)",
        "The disk of <code>{folder}</code> is nearly full: {free:.1f}% free ({gb:.1f} GB)",
    ),
}

#: The demo's last lines (``thaigov-qa demo``): how to keep asking on its index, English then Thai.
DEMO_CLOSING = (
    '\nKeep asking:  DATA_DIR={folder} thaigov-qa chat   (or: DATA_DIR={folder} thaigov-qa ask "…")\n'
    "ถามต่อ:  DATA_DIR={folder} thaigov-qa chat"
)

#: Answers (``index.reply``): plain wording the bot and the console share; the renderer escapes it.
_REPLY_TEXTS = {
    "th": {
        "answer": "คำตอบ",
        "evidence": "หลักฐานจากข่าว",
        "sources": "ที่มา",
        "found_no_span": "ข้อความจากข่าวประชาสัมพันธ์ที่ตอบคำถามนี้:",
        "hedged": "ข้อความที่ใกล้เคียงที่สุดในข่าวระบุว่า:",
        "more_evidence": "ข่าวเดียวกันยังระบุว่า:",
        "several": "มีข่าวหลายฉบับที่ตอบคำถามนี้:",
        "not_found": "ไม่พบข่าวประชาสัมพันธ์ที่ตอบคำถามนี้ได้ชัดเจน",
        "closest": "ข่าวที่ใกล้เคียงที่สุด:",
        "no_results": "ไม่พบข่าวที่เกี่ยวข้อง",
        "unknown_words": "ไม่มีข่าวใดที่มีคำว่า {words} เลย ลองตรวจการสะกด หรือถามด้วยคำอื่นนะครับ",
        "clarify": "หมายถึงข่าวไหนครับ ช่วยพิมพ์คำถามให้ครบ เช่น “ใครลงนาม MOU กับหัวเว่ย”",
        "empty": "กรุณาพิมพ์คำถาม เช่น “ลงนาม MOU กับหัวเว่ยเมื่อไร”",
        "quoted_th": "(อ้างอิงจากข่าวภาษาไทย)",
        "quoted_en": "(อ้างอิงจากข่าวภาษาอังกฤษ)",
        "llm_note": "สรุปโดยโมเดลภาษาจากข่าวที่อ้างถึง",
        "no_index": "ยังไม่มีดัชนีข่าว: สร้างด้วย `thaigov-qa index build SOURCE` หรือลอง `thaigov-qa demo`",
        "chat_intro": "ถามคำถามเกี่ยวกับข่าวรัฐบาลไทย (ภาษาไทยหรืออังกฤษ) พิมพ์ /quit เพื่อออก",
        "chat_help": (
            'พิมพ์คำถาม (ไทยหรืออังกฤษ) ถามต่อได้ เช่น "แล้วใครเป็นผู้ลงนาม" จะตอบจากข่าวของคำตอบก่อนหน้าก่อน\n'
            "/new  เริ่มบทสนทนาใหม่\n/lang th|en|auto  ภาษาที่ตอบ\n/help  ข้อความนี้\n/quit  ออก"
        ),
        "chat_new": "(เริ่มบทสนทนาใหม่)",
        "chat_unknown": "ไม่รู้จักคำสั่ง {name}",
        "card_ask": "ถามคำถามเกี่ยวกับข่าวนี้ได้เลย (ใคร อะไร เมื่อไร ที่ไหน เท่าไร) คำถามต่อไปจะตอบจากข่าวนี้ก่อน",
        "card_unknown": "ไม่พบข่าวนี้ในดัชนี พิมพ์คำถามมาได้เลย",
        "newest": "(ข่าวล่าสุดที่มีคือวันที่ {date} ข้อมูลหลังจากนั้นยังไม่มี)",
        "question_cut": "(คำถามยาวเกินไป ใช้เฉพาะ {n:,} ตัวอักษรแรก)",
        "from_release": "จากข่าววันที่ {date}:",
        "from_previous": "จากข่าวก่อนหน้า:",
        "agenda_head": "มติ ครม. วันที่ {date}: {n} เรื่อง",
        "agenda_more": "และอีก {n} เรื่อง",
        "agenda_more_button": "ดูอีก {n} เรื่อง",
        "agenda_rest": "มติ ครม. วันที่ {date} (ต่อ):",
        "agenda_also": "สรุปการประชุมเดียวกัน:",
        "agenda_not_on": "ยังไม่มีสรุปมติ ครม. ของ{days} ในข่าวที่มีอยู่ ครั้งล่าสุดคือ:",
        "agenda_day": "วันที่ {date}",
        "agenda_days": "วันที่ {first} ถึง {last}",
        "agenda_untitled": "(สรุปข่าวไม่ได้ระบุชื่อเรื่องนี้ ดูในข่าว)",
        "agenda_not_on_near": "ยังไม่มีสรุปมติ ครม. ของ{days} ในข่าวที่มีอยู่ การประชุมที่ใกล้ที่สุด: {near}",
        "agenda_before": "{date} (ก่อนหน้า)",
        "agenda_after": "{date} (หลังจากนั้น)",
    },
    "en": {
        "answer": "Answer",
        "evidence": "Evidence",
        "sources": "Sources",
        "found_no_span": "What the press releases say:",
        "hedged": "The closest passage says:",
        "more_evidence": "The same release also says:",
        "several": "Several releases answer this:",
        "not_found": "I found no press release that clearly answers this question.",
        "closest": "Closest releases:",
        "no_results": "No related press releases found.",
        "unknown_words": (
            "None of the releases I have contains {words}. Check the spelling, or ask in other words."
        ),
        "clarify": (
            "Which release do you mean? Please ask the whole question, e.g. “Who signed the Huawei MOU?”"
        ),
        "empty": "Please type a question in English or Thai, e.g. “When was the Huawei MOU signed?”",
        "quoted_th": "(quoted from the Thai release)",
        "quoted_en": "(quoted from the English release)",
        "llm_note": "Written by a language model from the cited releases",
        "no_index": "No index yet: build one with `thaigov-qa index build SOURCE`, or try `thaigov-qa demo`",
        "chat_intro": "Ask about Thai government press releases (Thai or English). Type /quit to leave.",
        "chat_help": (
            'Type a question (Thai or English). Follow-ups such as "and who signed it?" are answered '
            "from the previous answer's release first.\n/new  start a new conversation\n"
            "/lang th|en|auto  reply language\n/help  this text\n/quit  leave"
        ),
        "chat_new": "(new conversation)",
        "chat_unknown": "Unknown command {name}",
        "card_ask": (
            "Ask about this release (who, what, when, where, how much): "
            "the next questions are answered from it first."
        ),
        "card_unknown": "This release is not in the index. Type a question instead.",
        "newest": "(My newest release is of {date}: nothing after that date is covered.)",
        "question_cut": "(the question was cut at {n:,} characters)",
        "from_release": "From the release of {date}:",
        "from_previous": "From the previous release:",
        "agenda_head": "The cabinet meeting of {date}: {n} items",
        "agenda_more": "and {n} more",
        "agenda_more_button": "Show {n} more",
        "agenda_rest": "The cabinet meeting of {date} (continued):",
        "agenda_also": "Other summaries of this meeting:",
        "agenda_not_on": "No cabinet meeting summary for {days} in the releases I have; the latest:",
        "agenda_day": "{date}",
        "agenda_days": "{first} to {last}",
        "agenda_untitled": "(the summary gives no title for this item; see the release)",
        "agenda_not_on_near": (
            "No cabinet meeting summary for {days} in the releases I have; the nearest: {near}"
        ),
        "agenda_before": "{date} (before)",
        "agenda_after": "{date} (after)",
    },
}


def reply_texts(lang: str) -> dict[str, str]:
    """The answer's own wording for ``lang`` ('th' or 'en'; anything else gets English)."""
    return dict(_REPLY_TEXTS["th" if lang == "th" else "en"])
