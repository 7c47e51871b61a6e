"""JSON logs on stderr, each line carrying the service name and the current correlation id,
and no secret: access logs lose the tokens of paths and queries, every line its capability
tokens (`ensemble_shared.redaction`)."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from ensemble_shared.redaction import install_access_log_redaction, redact_path

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.correlation_id = correlation_id.get()
        try:  # any line can hold a link (an HTTP client's request line...): blank its secrets
            message = record.getMessage()
        except Exception:  # a malformed record: logging's own error report says so
            return True
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route every logger (uvicorn's too) to one JSON handler; idempotent."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    install_access_log_redaction()
    # aiokafka reports every coordinator hiccup at WARNING/ERROR; keep them but not the chatter.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    # httpx logs every outgoing request at INFO: a line per API call a page or a delivery makes,
    # which the access log and the delivery log already tell. Its warnings stay.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
