"""Optional LLM answers: an OpenAI-compatible chat-completions endpoint writes the answer from the sources.

Off unless ``LLM_BASE_URL`` and ``LLM_MODEL`` are set. The model sees only the numbered passages of the
extractive answer's sources and must cite them as ``[1]``, ``[2]``…, numbered as the reply lists them;
a citation of a number outside those sources is removed, and an answer left citing nothing is not used.
Any timeout, HTTP or protocol error falls back to the extractive answer, which is always computed first:
the LLM can only rewrite an answer, never invent one where the releases say nothing.

The API key goes only into the ``Authorization`` header; it is never logged, and error messages carry
the endpoint's status, not the request.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING

import httpx

from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.types import Answer, Source

log = logging.getLogger(__name__)

#: Most characters of each passage sent to the model.
LLM_CONTEXT_CHARS = 1200
MAX_TOKENS = 400
_CITATION = re.compile(r"\[(\d{1,3})\]")

_SYSTEM = {
    "th": (
        "คุณตอบคำถามเกี่ยวกับข่าวประชาสัมพันธ์ของรัฐบาลไทย โดยใช้เฉพาะข้อความจากแหล่งข่าวที่ให้มาเท่านั้น "
        "ตอบเป็นภาษาไทยให้สั้นและตรงคำถาม อ้างอิงแหล่งที่ใช้ด้วยหมายเลขในวงเล็บเหลี่ยม เช่น [1] "
        "ถ้าแหล่งข่าวไม่ได้ให้คำตอบ ให้ตอบว่าไม่พบข้อมูลในข่าว"
    ),
    "en": (
        "You answer questions about Royal Thai Government press releases using only the numbered sources "
        "given. Answer in English, briefly and to the point, citing the sources you use as [1], [2]. "
        "Sources may be in Thai: translate what you quote. If the sources do not answer, say so."
    ),
}


class LLMError(RuntimeError):
    """The endpoint failed or answered something unusable (the caller falls back)."""


def clean_citations(text: str, n_sources: int) -> tuple[str, list[int]]:
    """Drop citations outside ``1..n_sources``; return the text and the valid citations, in order."""
    valid: list[int] = []

    def keep(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= n_sources:
            if n not in valid:
                valid.append(n)
            return m.group(0)
        return ""

    cleaned = _CITATION.sub(keep, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, valid


class LLMClient:
    """A small chat-completions client (httpx, synchronous: the bot calls ``ask`` in a worker thread)."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = settings.llm_base_url.rstrip("/")
        self.model = settings.llm_model
        self._key = settings.llm_api_key
        self.timeout = float(settings.llm_timeout_seconds)
        self._transport = transport

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

    def _endpoint(self) -> str:
        if self.base_url.endswith("/chat/completions"):
            return self.base_url
        return self.base_url + "/chat/completions"

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The first choice's message content; raises :class:`LLMError` on any failure."""
        headers = {"Content-Type": "application/json"}
        key = self._key.get_secret_value() if self._key else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": MAX_TOKENS}
        try:
            with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
                resp = client.post(self._endpoint(), json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise LLMError(f"LLM endpoint timed out after {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"LLM endpoint unreachable ({type(exc).__name__})") from exc
        if resp.status_code != 200:
            raise LLMError(f"LLM endpoint answered HTTP {resp.status_code}")
        try:
            data = resp.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError("LLM endpoint answered something other than a chat completion") from exc
        if not isinstance(content, str) or not content.strip():
            raise LLMError("LLM endpoint answered an empty message")
        return content

    def messages(self, question: str, lang: str, sources: list[tuple[Source, str]]) -> list[dict[str, str]]:
        """The prompt: a system message in the question's language, then the numbered sources and question."""
        parts = []
        for i, (src, text) in enumerate(sources, 1):
            snippet = " ".join(text.split())[:LLM_CONTEXT_CHARS]
            parts.append(f"[{i}] {src.title} ({src.date})\n{snippet}")
        user = "Sources:\n\n" + "\n\n".join(parts) + f"\n\nQuestion: {question}"
        return [
            {"role": "system", "content": _SYSTEM["th" if lang == "th" else "en"]},
            {"role": "user", "content": user},
        ]

    def rewrite(self, answer: Answer, sources: list[tuple[Source, str]]) -> Answer | None:
        """The answer written by the LLM, or ``None`` (the caller keeps the extractive one)."""
        if not self.enabled or not sources:
            return None
        try:
            content = self.complete(self.messages(answer.question, answer.lang, sources))
        except LLMError as exc:
            log.warning("LLM answer unavailable, using the extractive answer: %s", exc)
            return None
        text, cited = clean_citations(content, len(sources))
        if not cited or not text:
            log.warning("LLM answer cited none of the sources; using the extractive answer")
            return None
        return dataclasses.replace(answer, answer=text, generated=True)
