"""``thaigov-qa ask``, ``thaigov-qa chat`` and ``thaigov-qa demo``: answers from the command line.

``ask`` answers one question, or with no question reads standard input one question a line and writes one
JSON object a line, loading the model once (for scripts and evaluation). ``chat`` is the console version
of the bot: the same answers, rendered as plain text. ``demo`` is the README's first command: it indexes a
small corpus once (the shared sample when it sits beside the checkout, else the one release the repository
carries) into its own data folder, so it never touches a real index, then answers a question.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from thaigov_qa.jsonl import json_line
from thaigov_qa.messages import DEMO_CLOSING, reply_texts
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from index.answer import Answer, Answerer
    from index.conversation import TurnResult

log = logging.getLogger(__name__)

DEMO_QUESTION = "When was the Huawei MOU signed?"
#: The demo's own data folder (relative to the working directory): never the production ``DATA_DIR``.
DEMO_DATA_DIR = Path("var-demo")
#: The release the repository carries for the demo (public domain; see corpus/demo/).
BUILTIN_DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"
SHARED_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "sample"


def _open_answerer(settings: Settings) -> Answerer:
    """The live index's answerer, opened the way every index command opens it (:mod:`index.cli.opening`)."""
    from index.cli.opening import open_service

    return open_service(settings).answerer()


#: Longest question ``ask`` passes on and echoes back (a pasted document is not a question).
MAX_ASK_CHARS = 2000


def answer_data(answer: Answer) -> dict[str, Any]:
    """The ``ask --json`` object: the answer's data and the Telegram reply it renders to."""
    from index.reply import render_html

    return {**answer.to_json(), "reply": render_html(answer)}


def _answer_json(answerer: Answerer, question: str) -> dict[str, Any]:
    """The ``ask --json`` object; a question over :data:`MAX_ASK_CHARS` is cut there, and says so."""
    cut = question[:MAX_ASK_CHARS]
    data = answer_data(answerer.ask(cut))
    data["question"] = cut
    if len(question) > MAX_ASK_CHARS:
        data["question_truncated"] = len(question)
    return data


def _print_answer(answer: Answer | dict[str, Any], as_json: bool) -> None:
    from index.reply import render_text

    if as_json:
        print(json_line(answer), flush=True)
    else:
        print(render_text(answer), flush=True)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_qa.errors import UserError

    question = " ".join(args.question).strip() if args.question else ""
    if args.question and not question:
        raise UserError("empty question: ask something, or give no argument to read questions from stdin")
    answerer = _open_answerer(settings)
    if question:
        from corpus.release import linked_release_id
        from corpus.text import detect_lang

        release_id = linked_release_id(question)
        if args.json:
            _print_answer(_answer_json(answerer, question), True)
        elif release_id is not None:  # a pasted release link: that release's card, as the chat shows it
            print(ChatSession(answerer).show_release(release_id), flush=True)
        else:
            if len(question) > MAX_ASK_CHARS:
                cut = reply_texts(detect_lang(question))["question_cut"].format(n=MAX_ASK_CHARS)
                print(cut, file=sys.stderr)
            _print_answer(answerer.ask(question[:MAX_ASK_CHARS]), False)
        return 0
    return ask_lines(answerer, text_stdin(), sys.stdout)


def text_stdin() -> TextIO:
    """Standard input as text whose bytes that are not UTF-8 become U+FFFD, one line at a time: a stray
    byte in one line costs that line's words, never the other lines (under a strict locale Python would
    raise on the whole block). A closed standard input is a clear error."""
    from thaigov_qa.errors import UserError

    if sys.stdin is None:
        raise UserError("standard input is closed: give a question, or pipe questions in")
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test's StringIO)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline=None)


def ask_lines(answerer: Answerer, stdin: TextIO, stdout: TextIO) -> int:
    """Batch mode: exactly one JSON object a line out for each line in, so outputs line up with inputs.

    A blank line gets ``{"error": …}``; the exit status is 0 when at least one line was answered (or
    none came), 1 when every line was an error."""
    answered = errors = 0
    for n, raw in enumerate(stdin, start=1):
        line = raw.rstrip("\n").strip()
        if not line:
            out: dict[str, Any] = {"error": "empty question", "line": n}
        else:
            try:
                out = _answer_json(answerer, line)
            except Exception as exc:  # noqa: BLE001 - one bad line must not lose the others' answers
                log.warning("line %d could not be answered: %s", n, exc)
                out = {"error": f"{type(exc).__name__}: {exc}", "line": n}
        if "error" in out:
            errors += 1
        else:
            answered += 1
        print(json_line(out), file=stdout, flush=True)
    return 1 if errors and not answered else 0


class ChatSession:
    """One console conversation: the previous turn (``index.conversation``) and a ``/lang`` choice.

    Why a class: ``chat`` and the follow-up benchmark (``bench/followups.py``) answer through exactly this
    object, so the benchmark measures what the console (and, with the same functions, the bot) does."""

    def __init__(self, answerer: Answerer, lang: str | None = None) -> None:
        self.answerer = answerer
        self.lang = lang
        self.turn: dict[str, Any] | None = None
        #: The language of the last reply: what the chat's own lines (/help, /new) are said in.
        self.last_lang: str | None = None

    def ask(self, question: str, now: float | None = None) -> TurnResult:
        """Answer one turn."""
        from index.conversation import answer_turn, relabel

        ask = self.answerer.ask
        result = answer_turn(lambda q, url, fu: ask(q, within=url, follow_up=fu), question, self.turn, now)
        self.turn = result.turn
        if self.lang and result.answer.lang != self.lang:
            relabel(result.answer, self.lang)
        self.last_lang = result.answer.lang
        return result

    def show_release(self, release_id: str, now: float | None = None) -> str:
        """A pasted release link: the release's card, and the conversation moves to that release (the
        next follow-up is asked within it); a release the index lacks is said so."""
        from corpus.release import URL_PREFIX
        from index.conversation import release_turn
        from index.release_card import card_text

        release = self.answerer.searcher.release(URL_PREFIX + release_id)
        if release is not None:
            self.turn = release_turn(release.url, release.title, now)
        return card_text(release, self.lang or self.last_lang or (release.lang if release else "en"))

    def new(self) -> None:
        self.turn = None


def chat_loop(
    answerer: Answerer, stdin: TextIO | None = None, stdout: TextIO | None = None, lang: str = "en"
) -> int:
    """The console chat: a prompt, a question, the reply as plain text; ``/quit`` or end of input ends it.

    Lines starting with ``/`` are commands (``/new``, ``/lang``, ``/help``), never questions."""
    from corpus.release import linked_release_id
    from index.conversation import previous_note
    from index.reply import render_text, texts

    stdin = stdin or text_stdin()
    stdout = stdout or sys.stdout
    interactive = hasattr(stdin, "isatty") and stdin.isatty()
    session = ChatSession(answerer)
    intro = [texts(lang)["chat_intro"], texts("en" if lang == "th" else "th")["chat_intro"]]
    print("\n".join(intro), file=stdout, flush=True)  # both languages: nobody has written yet
    while True:
        if interactive:
            print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if _ends_chat(question):
            break
        if question.startswith("/"):
            print(_chat_command(session, question, lang), file=stdout, flush=True)
            continue
        release_id = linked_release_id(question)
        if release_id is not None:
            print(session.show_release(release_id) + "\n", file=stdout, flush=True)
            continue
        result = session.ask(question[:MAX_ASK_CHARS])
        note = previous_note(result.answer, result.answer.lang) if result.from_previous else ""
        print((note + "\n" if note else "") + render_text(result.answer), file=stdout, flush=True)
        if not interactive:
            print("", file=stdout, flush=True)
    return 0


def _ends_chat(line: str) -> bool:
    """``/quit``, ``/exit`` or ``/q`` (with anything after it), or a bare ``quit`` / ``exit``: "Quit smoking
    campaign…?" and "Exit polls…" are questions."""
    words = line.lower().split()
    return words[0] in ("/quit", "/exit", "/q") or words in (["quit"], ["exit"])


def _chat_command(session: ChatSession, line: str, lang: str) -> str:
    """A console command: ``/new``, ``/lang th|en|auto``; anything else (``/help`` too) shows the help."""
    name, _, arg = line[1:].partition(" ")
    name, arg = name.lower(), arg.strip().lower()
    shown = session.lang or session.last_lang or lang
    if name == "new":
        session.new()
        return reply_texts("en" if shown == "en" else "th")["chat_new"]
    if name == "lang" and arg in ("th", "en", "auto"):
        session.lang = None if arg == "auto" else arg
        return f"(reply language: {arg})"
    if name == "lang":
        usage = "/lang th, /lang en or /lang auto"
        return f"(unknown language {arg!r}: {usage})" if arg else f"({usage})"
    unknown = reply_texts(shown)["chat_unknown"].format(name="/" + name) + "\n" if name != "help" else ""
    return unknown + reply_texts(shown)["chat_help"]


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    return chat_loop(_open_answerer(settings))


def demo_source() -> Path:
    """The shared sample when it is there (a richer demo), else the built-in one-release corpus."""
    if SHARED_SAMPLE.is_dir() and any(SHARED_SAMPLE.rglob("*.txt")):
        return SHARED_SAMPLE
    return BUILTIN_DEMO


def demo_settings(settings: Settings, data_dir: Path | None = None) -> Settings:
    """The demo's settings: its own data folder, the model its index records (else the demo model: the
    offline copy when present), and int8 ONNX passages unless ``EMBEDDING_BACKEND`` is set.

    Passages are embedded by the default int8 ONNX engine: the first run is mostly embedding the sample
    (2,061 chunks), and the export is cached under the demo's folder (``EXPORT_CACHE_DIR`` unless set),
    so later runs load it in a second."""
    from thaigov_qa.settings import demo_model, recorded_model

    folder = Path(data_dir or DEMO_DATA_DIR)
    # A fresh object, not model_copy: derived paths (db_path, index_dir) are cached per instance.
    values = settings.model_dump()
    values.update(data_dir=folder, embedding_model=recorded_model(folder) or demo_model())
    return type(settings)(_env_file=None, **values)


def ensure_demo_index(settings: Settings, source: Path | None = None, progress: bool = True) -> Answerer:
    """Open the demo index, building it first when it is missing or was built with another model."""
    from index.answer import Answerer
    from index.build.pipeline import build_index
    from index.search.reader import IndexCorrupt, ModelMismatch, NoIndex
    from index.search.retrieve import Searcher

    try:
        searcher = Searcher.open(settings)
    except IndexCorrupt:
        raise  # unreadable files: said as they are, not silently rebuilt over
    except (NoIndex, ModelMismatch):
        src = source or demo_source()
        log.info("building the demo index from %s into %s (once)", src, settings.data_dir)
        build_index(settings, src, progress=progress)
        searcher = Searcher.open(settings)
    return Answerer(searcher, settings)


def demo_closing(data_dir: Path) -> str:
    """The demo's last lines: how to keep asking on its index, in English and Thai."""
    folder = str(data_dir) if Path(data_dir).is_absolute() else f"./{data_dir}"
    return DEMO_CLOSING.format(folder=folder)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_qa.errors import UserError

    question = " ".join(args.question).strip() if args.question else DEMO_QUESTION
    if not question:
        raise UserError('empty question: give the demo a question, or none for "' + DEMO_QUESTION + '"')
    dsettings = demo_settings(settings, args.data_dir)
    source = Path(args.source) if args.source else None
    if source is not None and not source.exists():
        raise UserError(f"demo source not found: {source}")
    answerer = ensure_demo_index(dsettings, source, progress=not args.json)
    if args.chat:
        return chat_loop(answerer)
    if args.json:
        _print_answer(_answer_json(answerer, question), True)
        return 0
    _print_answer(answerer.ask(question[:MAX_ASK_CHARS]), False)
    print(demo_closing(dsettings.data_dir), flush=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "ask",
        help="answer a question with evidence and sources (no question: read stdin, one a line, JSON out)",
    )
    p.add_argument("question", nargs="*", help="the question, Thai or English")
    p.add_argument("--json", action="store_true", help="one JSON object: question, lang, found, answer, …")
    p.set_defaults(handler=_ask)

    p = sub.add_parser("chat", help="console chat on the current index (the bot's answers, as plain text)")
    p.set_defaults(handler=_chat)

    p = sub.add_parser(
        "demo",
        help=f"index a small built-in corpus once (into ./{DEMO_DATA_DIR}) and answer a question",
    )
    p.add_argument("question", nargs="*", help=f"default: {DEMO_QUESTION!r}")
    p.add_argument("--chat", action="store_true", help="open the console chat on the demo index")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument(
        "--data-dir", type=Path, default=None, help=f"demo data folder (default ./{DEMO_DATA_DIR})"
    )
    p.add_argument(
        "--source",
        default=None,
        help="index this folder instead (default: the shared sample or the built-in release)",
    )
    p.set_defaults(handler=_demo)
