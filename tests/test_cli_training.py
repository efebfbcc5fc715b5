"""What the training commands share (index.cli.training): a model file that cannot be written ends the
command with one line naming it, and a written one is the file itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.cli.training import write_or_explain
from thaigov_qa.errors import UserError


def test_an_unwritable_path_is_one_line_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "model.json"
    with pytest.raises(UserError, match=r"cannot write the model to .*missing/model\.json: No such file"):
        write_or_explain(lambda path: path.write_text("{}"), out, "the model")
    assert not out.exists()
    good = tmp_path / "model.json"
    write_or_explain(lambda path: path.write_text("{}"), good, "the model")
    assert good.read_text() == "{}"
