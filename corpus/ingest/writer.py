"""The one writer of the release registry: every ``Registry.upsert``/``remove`` of the product is here.

Two ways change what the registry holds, and both come through this module:

- :func:`record`, a release read from a feed or a watched folder: its ``index_pending`` row and its
  announcement (the alerts' outbox rows) are written *first*, the registry *last*. A crash in between
  leaves the registry without the release, so the next pass sees it as new again and writes the same rows
  again (ignored as duplicates). The other order would lose the alert: the registry would call the
  release "same".
- :func:`mirror_live`, after an index build or update switched generations: the registry is made to show
  what is live. It compares hashes rather than trusting the run's diff, so a run killed between the switch
  and this step (or a registry written by an older version) is repaired by the next run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from corpus.ingest.state import FetchState
from corpus.registry import Registry
from corpus.release import Release

#: ``announce(release)``: queue whatever a new release must trigger (alerts); returns how many were queued.
Announce = Callable[[Release], int]


def record(registry: Registry, state: FetchState, release: Release, announce: Announce | None) -> int:
    """Record one new or changed release: pending row, announcement, then the registry (see above)."""
    state.queue_index([release.url])
    queued = announce(release) if announce is not None else 0
    registry.upsert(release)
    return queued


def mirror_live(
    db_path: str | os.PathLike[str], releases: Sequence[Release], removed: Sequence[str], exact: bool = False
) -> None:
    """Make the registry hold the live index's releases: ``releases`` written, ``removed`` forgotten; with
    ``exact`` (``releases`` are all the live ones: a build or update) every other URL forgotten too, so
    that a run killed between its switch and this step leaves no removed release known for ever (its
    rerun finds nothing to remove against the new live generation)."""
    with Registry(db_path) as registry:
        known, paths = registry.hashes(), registry.paths()
        if exact:
            live = {r.url for r in releases}
            removed = [*removed, *(url for url in known if url not in live)]
        with registry.batch():
            for release in releases:
                if known.get(release.url) != release.hash:
                    registry.upsert(release)
                elif paths.get(release.url) != release.path:
                    registry.relocate(release)  # a file that cannot be read later is looked up by its path
            for url in dict.fromkeys(removed):
                if url in known:
                    registry.remove(url)
