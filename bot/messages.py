"""The bot's own user-facing strings, in Thai and English (answers themselves come from ``index.reply``).

Why a table rather than strings inline in the handlers: every message must exist in both languages and
the choice of language is made in one place (:func:`user_lang`), so a handler can never forget it. All
values are HTML (the bot always sends in HTML parse mode); placeholders are filled with escaped text.
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
        "help_kept_counts": ("ปุ่ม 👍/👎 เก็บเพียงจำนวนนับ (ไม่เก็บคำถาม) บทสนทนาล่าสุดเก็บไว้ 15 นาทีเพื่อให้ถามต่อได้"),
        "help_kept_logged": (
            "ขณะนี้ผู้ดูแลเปิดการบันทึก: เมื่อคุณกด 👍/👎 คำถาม คำตอบ และการประเมินจะถูกเก็บไว้ไม่เกิน "
            "90 วันเพื่อปรับปรุงบอท ลบได้ด้วย /forget"
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
            "{card}\n\nถามคำถามเกี่ยวกับข่าวนี้ได้เลย เช่น <i>ลงนามเมื่อไร</i> (ภายใน 10 นาที คำถามจะตอบจากข่าวนี้ก่อน)"
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
            "👍/👎 are kept as counts only (no question text); your last question is kept 15 minutes for "
            "follow-ups."
        ),
        "help_kept_logged": (
            "Question logging is on: when you press 👍/👎, the question, the answer and your verdict are "
            "kept for at most 90 days to improve the bot; /forget deletes them."
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
            "{card}\n\nAsk me about this release, e.g. <i>When was it signed?</i> "
            "(for the next 10 minutes your questions are answered from this release first)"
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
