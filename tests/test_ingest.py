"""Ingestion's fetch state: a feed's failures and validators, and the backlog of releases to index."""

from __future__ import annotations

from pathlib import Path

from corpus.ingest.state import FetchState


def test_source_state_and_index_backlog(tmp_path: Path) -> None:
    store = FetchState(tmp_path / "thaigov.sqlite")
    state = store.source("http://f", "feed")
    assert not state.initialised and state.failures == 0
    assert store.source_failed("http://f", "feed", "timed out", next_try=50.0) == 1
    assert store.source_failed("http://f", "feed", "timed out", next_try=60.0) == 2
    assert not store.source("http://f", "feed").initialised
    store.source_ok("http://f", "feed", etag='"e"', last_modified="lm")
    state = store.source("http://f", "feed")
    assert state.initialised and state.failures == 0 and state.etag == '"e"' and state.next_try == 0
    store.queue_index(["a", "b"])
    store.queue_index(["a"])
    assert store.index_pending() == ["a", "b"]
    store.index_done(["a"])
    assert store.index_pending() == ["b"]
    store.close()
