"""Prometheus metrics on ``METRICS_PORT`` (off by default), with ``/healthz`` beside them.

Why prometheus_client: the exposition format and histogram buckets are its job, and any Prometheus or
Grafana agent reads it as is. Each bot gets its own registry (several bots in one test process must
not collide in the library's global one). Counters that the bot already keeps for ``/stats`` are read at
scrape time instead of being counted twice; the alert outbox, the index generation and the last poll
are read from the database and the index pointer, so they are right even for work done by another
process (a CLI ``alerts poll``, an ``index update`` timer).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Histogram, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import health
from bot.service import BotService
from thaigov_qa.db import query
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "dropped")


def outbox_counts(db_path: str | os.PathLike[str]) -> dict[str, int]:
    counts = dict.fromkeys(OUTBOX_STATES, 0)
    rows = query(db_path, "SELECT status, COUNT(*) FROM alert_outbox GROUP BY status")
    if rows is None:
        return counts  # no database or no alerts table yet
    counts.update({str(status): int(n) for status, n in rows})
    return counts


class _BotCollector(Collector):
    """Reads the service's counters, the outbox, the generation and the last poll at each scrape."""

    def __init__(self, settings: Settings, service: BotService, retries: dict[str, int]) -> None:
        self.settings = settings
        self.service = service
        self.retries = retries

    def collect(self) -> Iterator[Any]:
        c = self.service.counters
        for name, value, doc in (
            ("questions", c.questions, "Questions answered"),
            ("answers_not_found", c.not_found, "Answers that found nothing in the releases"),
            ("errors", c.errors, "Errors while handling an update"),
            ("rate_limited", c.rate_limited, "Questions refused by the per-user rate limit"),
            ("busy", self.service.gate.busy, "Questions told 'busy, please try again'"),
            ("send_retries", sum(self.retries.values()), "Bot API requests retried after a network error"),
        ):
            yield CounterMetricFamily(f"thaigov_qa_{name}", doc, value=value)
        alerts = GaugeMetricFamily("thaigov_qa_alerts", "Alert outbox entries by status", labels=["status"])
        for status, n in outbox_counts(self.settings.db_path).items():
            alerts.add_metric([status], n)
        yield alerts
        generation = health.live_generation(self.settings.index_dir)
        yield GaugeMetricFamily(
            "thaigov_qa_index_generation", "Live index generation (0: none)", value=generation or 0
        )
        polled = health.last_poll(self.settings.db_path)
        yield GaugeMetricFamily(
            "thaigov_qa_last_poll_timestamp_seconds",
            "Unix time of the last successful feed or folder poll (0: never)",
            value=polled or 0,
        )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """No per-request lines on standard error (a scrape every 15 s would drown the logs)."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class MetricsServer:
    """The registry and the HTTP server (a daemon thread); :meth:`stop` closes it."""

    def __init__(self, settings: Settings, service: BotService, started: float, mode: str) -> None:
        self.registry = CollectorRegistry()
        self.retries: dict[str, int] = {}
        self.registry.register(_BotCollector(settings, service, self.retries))
        self.latency = Histogram(
            "thaigov_qa_answer_seconds",
            "Time to compute an answer (in the worker thread)",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        metrics_app = make_wsgi_app(self.registry)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO") == health.HEALTH_PATH:
                body = json.dumps(health.snapshot(settings, started, mode)).encode()
                start_response("200 OK", [("Content-Type", "application/json")])
                return [body]
            return metrics_app(environ, start_response)

        self.server = make_server(
            settings.metrics_listen,
            settings.metrics_port,
            app,
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="metrics", daemon=True)

    def count_retry(self, endpoint: str) -> None:
        self.retries[endpoint] = self.retries.get(endpoint, 0) + 1

    def start(self) -> MetricsServer:
        self.thread.start()
        log.info("metrics on http://%s:%d/metrics", self.server.server_address[0], self.port)
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
