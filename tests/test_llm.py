"""The optional LLM path against a small local server speaking the chat-completions protocol."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from index.answer import Answer, Source
from index.answer.llm import LLMClient, clean_citations
from thaigov_qa.settings import Settings

SECRET = "sk-test-secret-value-123"


class ChatServer(ThreadingHTTPServer):
    """Answers POST /v1/chat/completions with ``reply`` after ``delay`` seconds (or ``status``)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply = ""
        self.delay = 0.0
        self.status = 200
        self.requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        time.sleep(self.server.delay)
        if self.server.status != 200:
            self.send_response(self.server.status)
            self.end_headers()
            return
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.server.reply}}],
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        return


@pytest.fixture
def server() -> Iterator[ChatServer]:
    srv = ChatServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _settings(tmp_path: Path, server: ChatServer, timeout: float = 5.0) -> Settings:
    return Settings(
        data_dir=tmp_path,
        llm_base_url=server.base_url,
        llm_model="test-model",
        llm_api_key=SECRET,
        llm_timeout_seconds=timeout,
        _env_file=None,
    )


def _extractive(lang: str = "en") -> tuple[Answer, list[tuple[Source, str]]]:
    sources = [
        Source(
            "https://www.thaigov.go.th/news/contents/details/76362",
            "รัฐบาลร่วม Huawei",
            "2023-12-19",
            "p1",
            1.0,
        ),
        Source(
            "https://www.thaigov.go.th/news/contents/details/76312", "Huawei MOU", "2023-12-18", "p2", 0.5
        ),
    ]
    answer = Answer(
        "When was the Huawei MOU signed?",
        lang,
        True,
        "18 December 2023 (18 ธ.ค. 2566)",
        "ลงนาม MOU กับ บริษัท หัวเว่ย ในวันที่ 18 ธ.ค. 2566",
        sources,
    )
    return answer, [(s, s.passage) for s in sources]


def test_happy_path_cites_sources(
    tmp_path: Path, server: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply = "The MOU was signed on 18 December 2023 [1], as the English release also says [2]."
    client = LLMClient(_settings(tmp_path, server))
    assert client.enabled
    answer, passages = _extractive()
    with caplog.at_level(logging.DEBUG):
        got = client.rewrite(answer, passages)
    assert got is not None and got.generated
    assert got.answer == server.reply
    assert got.evidence == answer.evidence and got.sources == answer.sources  # evidence stays verbatim
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == f"Bearer {SECRET}"
    assert req["body"]["model"] == "test-model"
    user = req["body"]["messages"][-1]["content"]
    assert "[1] รัฐบาลร่วม Huawei" in user and "[2] Huawei MOU" in user and answer.question in user
    assert SECRET not in caplog.text


def test_citations_outside_the_sources_are_dropped(tmp_path: Path, server: ChatServer) -> None:
    server.reply = "Signed on 18 December 2023 [1][7], see also [0] and [2]."
    got = LLMClient(_settings(tmp_path, server)).rewrite(*_extractive())
    assert got is not None
    assert got.answer == "Signed on 18 December 2023 [1], see also and [2]."


def test_answer_citing_nothing_valid_falls_back(tmp_path: Path, server: ChatServer) -> None:
    server.reply = "It was signed in 2023 [9]."
    assert LLMClient(_settings(tmp_path, server)).rewrite(*_extractive()) is None


def test_timeout_falls_back(tmp_path: Path, server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    server.reply = "Too late [1]."
    server.delay = 1.5
    client = LLMClient(_settings(tmp_path, server, timeout=0.3))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert client.rewrite(*_extractive()) is None
    assert time.monotonic() - started < 1.4
    assert "timed out" in caplog.text
    assert SECRET not in caplog.text


def test_http_error_falls_back(tmp_path: Path, server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    server.status = 500
    with caplog.at_level(logging.WARNING):
        assert LLMClient(_settings(tmp_path, server)).rewrite(*_extractive()) is None
    assert "HTTP 500" in caplog.text and SECRET not in caplog.text


def test_disabled_without_endpoint(tmp_path: Path) -> None:
    client = LLMClient(Settings(data_dir=tmp_path, _env_file=None))
    assert not client.enabled
    assert client.rewrite(*_extractive()) is None


def test_clean_citations() -> None:
    assert clean_citations("a [1] b [3] c [2] [1]", 2) == ("a [1] b c [2] [1]", [1, 2])
    assert clean_citations("none here", 3) == ("none here", [])
