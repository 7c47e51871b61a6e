"""Identity, scheduler, insights, ingest, notify, feedback and the console as real processes (the
dev stack's `Stack`), once per pytest session for the browser stories, with identity's and
notify's mail going to a real SMTP server and a real OpenID Connect provider for single sign-on;
and the first workspace, created through the first-run page."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from ensemble_devtools import processes
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.pytest_plugin import STACK_SECRET
from ensemble_devtools.stack import Stack
from ensemble_identity.models.opaque import digest
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, parse_event, utcnow
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import APPROVALS, Topics
from support.apps import bearer
from support.browser import Camera, new_context
from support.identity import PASSWORD, text_of
from support.identity_oidc import oidc_provider
from support.insights_app import publish_all, publisher_for
from support.kafka import read_topic
from support.notify_smtp import Mailbox
from support.waiting import eventually

OIDC_CALLBACK = "/sign-in/oidc/callback"
SSO_ACCOUNTS = {
    # The company's single sign-on vouches for the first run's admin, and for a stranger.
    "ana-sso": {"email": "ana@acme.example", "email_verified": True, "name": "Ana at SSO"},
    "stranger": {"email": "stranger@elsewhere.example", "email_verified": True, "name": "S"},
}


@dataclass
class ConsoleStack:
    stack: Stack
    mailbox: Mailbox
    console: str
    issuer: LocalIssuer

    def url(self, service: str) -> str:
        return self.stack.services[service].url

    def staff(self, subject: str, *roles: Role) -> dict[str, str]:
        """An access token of the test issuer, which every service of this stack trusts (besides
        the identity it runs)."""
        return bearer(self.issuer, "acme", *(roles or (Role.APPROVER,)), subject=subject)

    async def link(self, to: str, page: str) -> str:
        """The secret of the newest console link to `page` mailed to `to`."""
        pattern = re.compile(re.escape(f"{self.console}{page}") + r"([A-Za-z0-9_-]+)")

        async def found() -> list[str]:
            return [
                m.group(1)
                for rcpt, message in self.mailbox.messages
                if to in rcpt and (m := pattern.search(text_of(message)))
            ]

        links = await eventually(found, bool, what=f"a {page} link mailed to {to}")
        return links[-1]

    async def expire_link(self, secret: str) -> None:
        """What time does to an emailed link: its expiry passes (in identity's own store)."""
        database = f"{self.stack.database_prefix}identity"
        client = create_client(MongoSettings(url=self.stack.infra.mongodb_url))
        try:
            result = await client[database]["links"].update_one(
                {"_id": digest(secret)}, {"$set": {"expires_at": utcnow() - timedelta(minutes=1)}}
            )
            assert result.matched_count == 1
        finally:
            client.close()

    async def approval_events(self) -> list[Event]:
        topic = Topics(self.stack.topic_prefix).topic(APPROVALS)
        records = await read_topic(self.stack.infra.kafka_bootstrap, topic, idle_ms=500)
        return [parse_event(r.value or b"") for r in records]

    async def publish(self, events: list[Event]) -> None:
        """Events as their producing services would announce them (insights reads them)."""
        async with publisher_for(self.stack.infra, self.stack.topic_prefix) as publisher:
            await publish_all(publisher, events)

    async def scheduler(self, method: str, path: str, headers: dict[str, str], **body: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.url("scheduler"), timeout=30) as http:
            answer = await http.request(
                method, path, headers=headers, json=None if method == "GET" else body
            )
        assert answer.status_code < 300, answer.text
        return answer.json()


async def account_id(stack: ConsoleStack, page: Page) -> str:
    """The signed-in admin's account id, as identity answers their session."""
    cookies = await page.context.cookies()
    token = next(c["value"] for c in cookies if c["name"].endswith("ens_session"))
    async with httpx.AsyncClient(base_url=stack.url("identity"), timeout=30) as http:
        me = await http.get("/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    return str(me.json()["account"]["id"])


@pytest.fixture(scope="session")
def console_stack(
    infra: Infra, tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer
) -> Iterator[ConsoleStack]:
    tag = secrets.token_hex(4)
    stack = Stack(
        infra=infra,
        log_dir=tmp_path_factory.mktemp("console-stack"),
        secret=STACK_SECRET,
        pinned_jwks=issuer.jwks_json(),
        topic_prefix=f"t{tag}.",
        database_prefix=f"t{tag}_",
    )
    port = processes.free_port()
    console = f"http://127.0.0.1:{port}"
    with (
        Mailbox() as mailbox,
        oidc_provider(
            tmp_path_factory.mktemp("console-sso"), console + OIDC_CALLBACK, SSO_ACCOUNTS
        ) as sso,
    ):
        providers = [
            {
                "name": "sso",
                "title": "Company SSO",
                "issuer": sso.issuer,
                "client_id": sso.client_id,
                "client_secret": sso.client_secret,
            }
        ]
        try:
            stack.start(
                "identity",
                env={
                    "ENSEMBLE_PUBLIC_URL": console,
                    "IDENTITY_OIDC_PROVIDERS": json.dumps(providers),
                    "IDENTITY_SMTP_HOST": "127.0.0.1",
                    "IDENTITY_SMTP_PORT": str(mailbox.port),
                    "IDENTITY_EMAIL_RETRY_SECONDS": "0.2",
                    "IDENTITY_RATE_LIMIT_SIGNIN": "1000/minute",
                    "IDENTITY_RATE_LIMIT_EMAIL": "1000/minute",
                },
            )
            stack.start("scheduler", env={"ENSEMBLE_PUBLIC_URL": console})
            stack.start("insights", env={"ENSEMBLE_PUBLIC_URL": console})
            # Ingest's sweep leaves payloads pending for an hour: the sources story re-drives one.
            stack.start(
                "ingest",
                env={"ENSEMBLE_PUBLIC_URL": console, "INGEST_REDRIVE_AFTER_SECONDS": "3600"},
            )
            stack.start(
                "notify",
                env={
                    "ENSEMBLE_PUBLIC_URL": console,
                    "NOTIFY_SMTP_HOST": "127.0.0.1",
                    "NOTIFY_SMTP_PORT": str(mailbox.port),
                },
            )
            stack.start("feedback", env={"ENSEMBLE_PUBLIC_URL": console})
            stack.wait_ready("identity", "scheduler", "insights", "ingest", "notify", "feedback")
            stack.start(
                "console",
                port=port,
                env={"ENSEMBLE_PUBLIC_URL": console, **stack.console_env()},
            )
            stack.wait_ready("console")
            yield ConsoleStack(stack, mailbox, console, issuer)
        finally:
            stack.stop_all()


@dataclass
class Admin:
    email: str
    state: Any  # the signed-in browser's storage state (cookies)


@pytest.fixture(scope="session")
async def acme_admin(console_stack: ConsoleStack, browser: Browser, camera: Camera) -> Admin:
    """The first run, done in a browser: the workspace `acme` and its admin, signed in."""
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(console_stack.console + "/")
    assert page.url.endswith("/setup")
    await camera.check(page, "01-first-run")
    await page.get_by_label("Name", exact=True).fill("Acme")
    await page.get_by_label("Short address").fill("acme")
    await page.get_by_label("Your name").fill("Ana Admin")
    await page.get_by_label("Email").fill("ana@acme.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create the workspace").click()
    await page.wait_for_url("**/w/acme/")
    await camera.check(page, "02-workspace-home")
    state = await context.storage_state()
    await context.close()
    return Admin("ana@acme.example", state)


async def admin_context(browser: Browser, admin: Admin) -> BrowserContext:
    return await browser.new_context(
        locale="en-GB", viewport={"width": 1200, "height": 900}, storage_state=admin.state
    )


@pytest.fixture
async def admin_page(browser: Browser, acme_admin: Admin) -> AsyncIterator[Any]:
    context = await admin_context(browser, acme_admin)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def colleague_signed_in(
    s: ConsoleStack, browser: Browser, admin: Page, email: str, name: str, role: str
) -> Page:
    """A colleague the admin invites with one role (its checkbox label), joined from their own
    browser: the page they land on."""
    await admin.goto(s.console + "/w/acme/admin/invitations")
    await admin.get_by_label("Email", exact=True).fill(email)
    await admin.get_by_label(role).check()
    await admin.get_by_role("button", name="Send the invitation").click()
    await expect(admin.get_by_role("status")).to_contain_text("The invitation is sent.")
    token = await s.link(email, "/invitations/")
    colleague = await (await new_context(browser)).new_page()
    await colleague.goto(f"{s.console}/invitations/{token}")
    await colleague.get_by_label("Your name").fill(name)
    await colleague.get_by_label("Choose a password").fill(PASSWORD)
    await colleague.get_by_role("button", name="Accept the invitation").click()
    await colleague.wait_for_url("**/w/acme/?notice=welcome")
    return colleague
