"""Email over SMTP (aiosmtplib): multipart text + HTML, one message per delivery.

The Message-ID is derived from the delivery id, so a resend after a crash (the server took
the message, we died before recording it) carries the same id and mail clients and our own
log can recognise it as the same message.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
from pydantic import BaseModel

from ensemble_notify.channels.base import RenderError
from ensemble_notify.channels.templates import Templates
from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import AddressError, email_address
from ensemble_shared.smtp import SmtpServer

# SMTP replies about the session rather than this message (auth, TLS): fix the config, retry.
RETRYABLE_5XX = frozenset({530, 534, 535, 538})


@dataclass(frozen=True)
class SmtpConfig:
    server: SmtpServer
    sender: str
    message_id_domain: str


class EmailPayload(BaseModel):
    to: str
    subject: str
    text: str
    html: str
    language: str
    unsubscribe_url: str | None = None


def message_id(delivery_id: str, domain: str) -> str:
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_message(delivery: Delivery, payload: EmailPayload, config: SmtpConfig) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = payload.to
    message["Subject"] = payload.subject
    message["Date"] = format_datetime(delivery.created_at)
    message["Message-ID"] = message_id(delivery.id, config.message_id_domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
    message["X-Ensemble-Delivery"] = delivery.id
    message["X-Ensemble-Event-Type"] = delivery.event_type
    if payload.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{payload.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(payload.text)
    message.add_alternative(payload.html, subtype="html")
    message["Content-Language"] = payload.language  # after set_content, which clears Content-*
    return message


def _smtp_failure(exc: aiosmtplib.SMTPException, started: float) -> AttemptResult:
    code: int | None = None
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        code = exc.code
    permanent = code is not None and 500 <= code < 600 and code not in RETRYABLE_5XX
    return AttemptResult(
        status_code=code,
        error=f"SMTP {code or ''} {type(exc).__name__}: {exc}".replace("  ", " ")[:500],
        latency_ms=(time.perf_counter() - started) * 1000,
        permanent=permanent,
    )


class EmailChannel:
    name = ChannelName.EMAIL

    def __init__(self, config: SmtpConfig, templates: Templates) -> None:
        self._config = config
        self._templates = templates

    def render(self, notification: Notification) -> str:
        try:
            to = email_address(notification.address)
        except AddressError as exc:
            raise RenderError(f"address error: {exc}") from exc
        message = self._templates.render(notification, html=True)
        assert message.html is not None
        return EmailPayload(
            to=to,
            subject=message.subject,
            text=message.text,
            html=message.html,
            language=notification.language,
            unsubscribe_url=notification.unsubscribe_url,
        ).model_dump_json()

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        payload = EmailPayload.model_validate_json(delivery.payload)
        message = build_message(delivery, payload, self._config)
        started = time.perf_counter()
        try:
            response = await self._config.server.send(message)
        except aiosmtplib.SMTPException as exc:
            return _smtp_failure(exc, started)
        except OSError as exc:
            return AttemptResult(
                error=f"{type(exc).__name__}: {exc}"[:500],
                latency_ms=(time.perf_counter() - started) * 1000,
            )
        code = int(response[:3]) if response[:3].isdigit() else 250
        return AttemptResult(
            status_code=code, accepted=True, latency_ms=(time.perf_counter() - started) * 1000
        )
