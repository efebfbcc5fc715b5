"""Ingestion: how a new release comes in, in one place below the bot and the index.

sources (feeds, watched folders; :mod:`.pipeline`) → the registry (:mod:`.writer`, its one writer) →
``index_pending`` (:mod:`.state`, with the sources' fetch state) → the indexer the caller gives
(``index.build.apply_releases``). The index build also mirrors its live releases into the registry through
:func:`.writer.mirror_live`. The bot's alerts use this package and keep only subscriptions, matching, the
outbox and delivery.
"""
