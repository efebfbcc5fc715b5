"""What the training commands share: reading the question folds and collecting examples over the index
under a progress bar (``rerank train``, ``adapter train``), and writing the fitted file or saying in one line
why it cannot be written (those two and ``reader train``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from index.search.retrieve import Searcher
    from thaigov_qa.settings import Settings

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
