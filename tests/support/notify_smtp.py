"""A real SMTP server (aiosmtpd) for notify's tests: records messages, refuses some addresses."""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from ensemble_devtools.processes import free_port

VERIFICATION = "address.verification"


class Mailbox:
    """Accepts mail on 127.0.0.1; RCPT to an address in `refuse` gets a 550, in `defer` a 451
    (try later: the sender keeps the message and retries).

    Like a mail rule, it files the address verification messages notify sends
    (`X-Ensemble-Event-Type: address.verification`) apart, in `verifications`: `messages`
    holds every other message."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.port = free_port()
        self.refuse = refuse or set()
        self.defer: set[str] = set()
        self._messages: list[tuple[list[str], EmailMessage]] = []
        self._verifications: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        if address in self.defer:
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        filed = self._verifications if message["X-Ensemble-Event-Type"] == VERIFICATION else None
        with self._lock:
            (filed if filed is not None else self._messages).append(
                (list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        with self._lock:
            return list(self._messages)

    @property
    def verifications(self) -> list[tuple[list[str], EmailMessage]]:
        with self._lock:
            return list(self._verifications)

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def plain_text(message: EmailMessage) -> str:
    """The text/plain part of a message, decoded."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())
