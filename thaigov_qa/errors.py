"""The error every command may raise for something the user can fix: one readable line, exit status 2.

In its own module so that any part (corpus, index, bot) can raise it without importing the command-line
dispatcher, which imports every part.
"""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix (bad path, no index yet...): printed as one line, exit status 2."""
