"""How every index command opens the live index: through the service the bot uses
(:class:`index.service.QAService`), with its one error mapping turned into one-line user errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from index.service import QAService


def open_service(settings: Settings) -> QAService:
    """The service with its index open; no index, another model's or an unreadable one is a
    :class:`thaigov_qa.errors.UserError` saying what to do."""
    from index.reply import texts
    from index.service import IndexUnavailable, QAService
    from thaigov_qa.errors import UserError

    service = QAService(settings)
    try:
        service.searcher()
    except IndexUnavailable as exc:
        if exc.missing:
            raise UserError(f"{texts('en')['no_index']} (DATA_DIR={settings.data_dir})") from None
        raise UserError(str(exc)) from None
    return service
