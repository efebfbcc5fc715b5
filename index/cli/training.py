"""What the training commands (``rerank train``, ``adapter train``) share: reading the question folds and
collecting examples under a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def fold_questions(paths: list[str]) -> list[dict[str, Any]]:
    """The train and validation questions of ``paths`` (the test fold is never read); a file that cannot be
    read, or lacks either fold, ends the command with its one-line reason."""
    from index.evaluate import BadQuestionSet, load_training_questions
    from thaigov_qa.errors import UserError

    try:
        return load_training_questions(paths)
    except BadQuestionSet as exc:
        raise UserError(str(exc)) from None


def with_progress(collect: Callable[[Callable[[], None]], list[T]], total: int, desc: str) -> list[T]:
    """``collect(tick)``, with a progress bar on standard error that ``tick`` advances by one question."""
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="question", file=sys.stderr) as bar:
        return collect(lambda: bar.update(1))
