"""The operator's side of a running bot, plugged into ``bot.app`` with three calls.

``install`` (when the application is built): the operator-alert job. ``started`` (once updates flow):
``/healthz`` on the webhook server, the metrics server on ``METRICS_PORT``, send retries counted.
``stopped`` (at shutdown): the metrics server closed. Kept apart from ``bot/app.py`` so the handlers and
the operations can change independently.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.health import attach_to_webhook
from bot.ops_alerts import OpsAlerts
from bot.sending import RetryingRateLimiter
from bot.service import BotService
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: The first operator check runs this long after start-up at most (then every OPS_CHECK_MINUTES).
FIRST_CHECK_SECONDS = 60.0


def install(application: Application, settings: Settings) -> OpsAlerts:
    """Schedule the operator alerts (when there are admins to tell)."""
    ops = OpsAlerts(settings)
    application.bot_data["ops_alerts"] = ops
    if application.job_queue is not None and settings.telegram_admin_ids:
        interval = settings.ops_check_minutes * 60

        async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
            await ops.check(context.bot)

        application.job_queue.run_repeating(
            job, interval=interval, first=min(interval, FIRST_CHECK_SECONDS), name="ops-alerts"
        )
    return ops


async def started(application: Application, settings: Settings, service: BotService, mode: str) -> None:
    """After the updater started: ``/healthz`` in webhook mode, metrics when ``METRICS_PORT`` is set."""
    started_at = service.counters.started
    if mode == "webhook":
        attach_to_webhook(application, settings, started_at)
    if not settings.metrics_port:
        return
    from bot.metrics import MetricsServer

    try:
        server = MetricsServer(settings, service, started_at, mode).start()
    except OSError as exc:
        log.error("metrics server not started on port %d: %s", settings.metrics_port, exc)
        return
    application.bot_data["metrics"] = server
    service.gate.on_answer = server.latency.observe
    limiter = application.bot.rate_limiter
    if isinstance(limiter, RetryingRateLimiter):
        limiter.on_retry = server.count_retry


async def stopped(application: Application) -> None:
    server = application.bot_data.pop("metrics", None)
    if server is not None:
        server.stop()
