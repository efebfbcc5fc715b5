"""What the training commands share: reading the question folds and collecting examples over the index
under a progress bar (``rerank train``, ``adapter train``), and writing the fitted file or saying in one line
why it cannot be written (those two and ``reader train``)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.model import ReaderModel
    from index.search.retrieve import Searcher
    from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: The reader model the package ships (``reader train``/``bold``/``refusal`` write it unless told otherwise).
SHIPPED_MODEL = Path(__file__).resolve().parents[1] / "data" / "reader.json"
T = TypeVar("T")
#: ``collect(searcher, questions, progress)``: one example list from the train and validation questions.
Collect = Callable[["Searcher", list[dict[str, Any]], Callable[[], None]], list[T]]


def examples_over(
    settings: Settings, paths: list[str], collect: Collect[T], desc: str
) -> tuple[Searcher, list[T]]:
    """The index's searcher and what ``collect`` makes of the train and validation questions of ``paths``
    (the test fold is never read), with a progress bar on standard error. A question file that cannot be
    read, or lacks either fold, ends the command with its one-line reason."""
    from tqdm import tqdm

    from index.cli.opening import open_service
    from index.evaluate import BadQuestionSet, load_training_questions
    from thaigov_qa.errors import UserError

    try:
        questions = load_training_questions(paths)
    except BadQuestionSet as exc:
        raise UserError(str(exc)) from None
    searcher = open_service(settings).searcher()
    with tqdm(total=len(questions), desc=desc, unit="question", file=sys.stderr) as bar:
        return searcher, collect(searcher, questions, lambda: bar.update(1))


def write_or_explain(write: Callable[[Path], None], out: Path, what: str) -> None:
    """``write(out)``; a path that cannot be written (no such folder, no permission) ends the command with
    one line naming it instead of a traceback."""
    from thaigov_qa.errors import UserError

    try:
        write(out)
    except OSError as exc:
        raise UserError(f"cannot write {what} to {out}: {exc.strerror or exc}") from None


def settings_over(settings: Settings, data_dir: Path) -> Settings:
    """The same settings over another index (``--also-index``, ``--on``); one that is not an index is a user
    error."""
    from thaigov_qa.errors import UserError

    if not (data_dir / "index").is_dir():
        raise UserError(f"{data_dir}: no index there (build one with DATA_DIR={data_dir})")
    return settings.model_copy(update={"data_dir": data_dir})


def held_out_questions(paths: list[str], command: str, where: str = "") -> list[dict[str, Any]]:
    """The questions of ``paths`` that may choose a model's thresholds (``reader bold``, ``reader refusal``):
    every one but the test fold's. A file that cannot be read, or nothing left to choose on, ends the command
    (``where``: what the message names first); train-fold questions draw a warning, since a model trained on
    them would choose in-sample."""
    from index.answer.bolding import held_out
    from index.evaluate import BadQuestionSet, load_questions
    from thaigov_qa.errors import UserError

    try:
        questions = held_out([q for path in paths for q in load_questions(Path(path))])
    except BadQuestionSet as exc:
        raise UserError(str(exc)) from None
    if not questions:
        raise UserError(f"{where}no question to choose on (test-fold questions choose nothing)")
    if any(q.get("fold") == "train" for q in questions):
        log.warning(
            "%s: train-fold questions given: if the model was trained on them, it chooses in-sample", command
        )
    return questions


def model_to_rechoose(path: str | None, command: str) -> ReaderModel:
    """The reader model whose thresholds ``command`` chooses again (the package's without ``path``). One with
    a verification stage is refused: its replies' probabilities weigh the verifier in, and the command reads
    the reader's own."""
    from index.answer.model import ModelError, ReaderModel
    from thaigov_qa.errors import UserError

    try:
        model = ReaderModel.load(Path(path) if path else None)
    except ModelError as exc:
        raise UserError(str(exc)) from None
    if model.verification is not None:
        raise UserError(
            "this reader weighs a verifier into its replies' probabilities; its thresholds are chosen by "
            f"`thaigov-qa reader train --verifier` ({command} reads the reader's own probabilities)"
        )
    return model
