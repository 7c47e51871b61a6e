"""The console in front of identity and scheduler (both on real sockets, real store and
broker, identity's mail to a real SMTP server)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from support.apps import settings_for
from support.console import CONSOLE_URL, ConsoleDriver, running_console
from support.console_ops import Ops, running_ops
from support.identity import IdentityDriver, running_identity
from support.notify import serving
from support.notify_smtp import Mailbox
from support.scheduler import Scheduler


@dataclass
class Front:
    console: ConsoleDriver
    identity: IdentityDriver
    scheduler: Scheduler


@pytest.fixture
async def front(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Front]:
    """Scheduler trusts the identity running beside it (the tokens the console forwards) and
    the test issuer (the tests' own staff tokens)."""
    with Mailbox() as mailbox:
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            scheduler_settings = SchedulerSettings(
                **{
                    **settings_for(infra, unique_name("scheduler"), issuer),
                    "auth": issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json"),
                },
                console_url=CONSOLE_URL,
            )
            async with (
                serving(create_scheduler_app(scheduler_settings)) as scheduler_url,
                httpx.AsyncClient(base_url=scheduler_url, timeout=30) as scheduler_http,
                running_console(identity_url=identity.url, scheduler_url=scheduler_url) as console,
            ):
                scheduler = Scheduler(scheduler_http, scheduler_settings, issuer)
                yield Front(console, identity, scheduler)


@pytest.fixture(scope="session")
async def ops(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Ops]:
    """Identity, ingest, notify, feedback and the console, once for the sources,
    notifications and settings screens' tests (its workspace `acme` is made by the first
    test that signs the admin in)."""
    tag = secrets.token_hex(4)
    async with running_ops(infra, lambda kind: f"t{tag}_{kind}", issuer) as running:
        yield running
