"""The SMTP server a service sends email through: its settings (the same `<PREFIX>SMTP_*`
variables in identity and notify) and the one call that hands a message to it."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr, field_validator

SmtpSecurity = Literal["auto", "starttls", "tls", "none"]


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect; `send` raises aiosmtplib's errors for the caller to classify
    (identity retries a whole email, notify records an attempt)."""

    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None  # None: STARTTLS when the server offers it
    use_tls: bool = False
    timeout: float = 30.0

    async def send(self, message: EmailMessage) -> str:
        """Hands one message over; returns the server's reply to it (its queue id, often)."""
        _, response = await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
            use_tls=self.use_tls,
            timeout=self.timeout,
        )
        return response


class SmtpFields(BaseModel):
    """Mixed into a service's settings, which adds its own `email_from`."""

    smtp_host: str = Field(default="localhost", description="SMTP server for email.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_username: str | None = Field(default=None, description="SMTP login, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    smtp_security: SmtpSecurity = Field(
        default="auto",
        description="auto: STARTTLS when offered; starttls: required; tls: implicit (465).",
    )
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="Per SMTP attempt.")

    @field_validator("smtp_username", "smtp_password", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty variable (compose passes `SMTP_USERNAME=` through) means no login, since
        aiosmtplib would try to log in with an empty name."""
        return None if isinstance(value, str) and not value.strip() else value

    def smtp_server(self) -> SmtpServer:
        return SmtpServer(
            hostname=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            start_tls={"auto": None, "starttls": True, "tls": False, "none": False}[
                self.smtp_security
            ],
            use_tls=self.smtp_security == "tls",
            timeout=self.smtp_timeout_seconds,
        )
