"""Notify in-process with a real SMTP server, its digests swept quickly, and public URLs its
links are built on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from support.notify import NotifyDriver, running_notify
from support.notify_smtp import Mailbox


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def _running(
    infra: Infra, name: str, issuer: LocalIssuer, mailbox: Mailbox, *, digest_every: float
) -> AbstractAsyncContextManager[NotifyDriver]:
    return running_notify(
        infra,
        name,
        issuer,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        digest_interval_seconds=digest_every,
        message_id_domain="notify.test",
        public_url="https://notify.example.org",
        feedback_public_url="https://feedback.example.org",
        console_url="https://app.example.org",
    )


@pytest.fixture
async def notify(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> AsyncIterator[NotifyDriver]:
    async with _running(infra, unique_name("notify"), issuer, mailbox, digest_every=0.3) as driver:
        yield driver


@pytest.fixture
async def notify_hourly_digests(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> AsyncIterator[NotifyDriver]:
    """Notify whose own periodic digest pass runs at start, then only an hour later."""
    async with _running(infra, unique_name("notify"), issuer, mailbox, digest_every=3600) as driver:
        yield driver
