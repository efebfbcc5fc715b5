"""A file that cannot be read this time keeps the release it gave before.

Why: a build indexes what it read and an update drops what it did not, so a release file that turned
unreadable (its permissions changed, a disk error, an edit that left it malformed, grown past the size limit)
made its release vanish from the index at the next build, while the file was still there and only reported as
skipped. An admin loses nothing to a bad file: its previous version, as the registry holds it, goes into the
new generation, and the run says so. A file that is gone (``not_found``: listed in ``--only`` but not in the
source) is a removal and is not kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from corpus.registry import Registry
from corpus.release import Release
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: Skip reasons that say the file is not there: its release goes, as a deleted file's does.
GONE = ("not_found",)


def keep_unread(
    settings: Settings, releases: Sequence[Release], skipped: Sequence[tuple[str, str]]
) -> tuple[list[Release], list[tuple[str, str]]]:
    """``releases`` plus the stored release of each skipped file that had one and whose URL nothing read
    this time gives; and the (path, URL) pairs kept that way."""
    paths = [path for path, why in skipped if why.partition(":")[0] not in GONE]
    if not paths or not settings.db_path.exists():
        return list(releases), []
    # A folder that could not be listed is one read_error under its own path: its files' releases stay.
    folders = [path for path, why in skipped if why.partition(":")[0] == "read_error"]
    incoming = {r.url for r in releases}
    with Registry(settings.db_path) as registry:
        found = {r.url: r for r in (*registry.by_paths(paths), *registry.under(folders))}
    stored = [r for r in found.values() if r.url not in incoming]
    if stored:
        log.warning("kept the previous version of %d releases whose files could not be read", len(stored))
    return [*releases, *stored], [(r.path, r.url) for r in stored]
