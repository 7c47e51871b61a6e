"""Identity in-process behind a real HTTP server, with a real SMTP server for its email."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from support.identity import IdentityDriver, running_identity
from support.notify_smtp import Mailbox


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
async def identity(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> AsyncIterator[IdentityDriver]:
    async with running_identity(infra, unique_name("identity"), issuer, mailbox) as driver:
        yield driver
