"""Sending one message over SMTP (aiosmtplib): multipart text + HTML."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from ensemble_identity.email.templates import Rendered
from ensemble_shared.events import utcnow
from ensemble_shared.smtp import SmtpServer


@dataclass(frozen=True)
class SmtpConfig:
    server: SmtpServer
    sender: str


class SendFailed(Exception):
    """The server refused or could not be reached; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def build(email_id: str, to: str, message: Rendered, sender: str) -> EmailMessage:
    built = EmailMessage()
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "ensemble.invalid"
    built["From"] = sender
    built["To"] = to
    built["Subject"] = message.subject
    built["Date"] = format_datetime(utcnow())
    # Derived from our id: a resend after a crash is recognisably the same message.
    built["Message-ID"] = f"<{hashlib.sha256(email_id.encode()).hexdigest()[:32]}@{domain}>"
    built["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    built.set_content(message.text)
    built.add_alternative(message.html, subtype="html")
    built["Content-Language"] = message.language  # after set_content, which clears Content-*
    return built


class SmtpSender:
    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, email_id: str, to: str, message: Rendered) -> None:
        config = self._config
        try:
            await config.server.send(build(email_id, to, message, config.sender))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"recipient refused: {exc}", permanent=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
