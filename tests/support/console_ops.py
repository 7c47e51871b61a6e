"""The console in front of identity, ingest, notify and feedback, all on real sockets (real
store and broker): the sources, notifications and settings screens' component tests. Ingest,
notify and feedback trust the identity beside them (the tokens the console forwards) and the
test issuer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app as create_ingest_app
from ensemble_ingest.models.raw import RawPayload
from ensemble_ingest.storage.raw import RawArchive
from support.apps import settings_for
from support.console import Browser, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings
from support.identity import PASSWORD, IdentityDriver, running_identity, session
from support.ingest import Ingest
from support.notify import NotifyDriver, running_notify, serving
from support.notify_smtp import Mailbox

SESSION_COOKIE = "__Host-ens_session"  # the console is served over https in these tests


@dataclass
class Ops:
    console: ConsoleDriver
    identity: IdentityDriver
    ingest: Ingest
    notify: NotifyDriver
    ingest_app: Any
    feedback: Feedback

    async def crashed_payload(self, source: dict[str, str], body: bytes) -> str:
        """What a crash right after archiving leaves: the payload pending, nothing else."""
        raw = RawPayload.webhook(
            workspace="acme", source_id=source["id"], platform="generic", headers={}, body=body
        )
        archive: RawArchive = self.ingest_app.state.ingest.repositories.raws
        await archive.archive([raw])
        return raw.id

    admin_id: str = ""
    admin_cookies: httpx.Cookies | None = None

    @asynccontextmanager
    async def admin(self, language: str = "en") -> AsyncIterator[Browser]:
        """A browser where the workspace's admin is signed in (the first run made them), in
        `language` (the account's choice, which wins over the browser's: set, then restored)."""
        async with self.console.browser() as browser:
            if self.admin_cookies is None:
                self.admin_id = await self.first_run(browser)
                self.admin_cookies = httpx.Cookies(browser.http.cookies)
            else:
                browser.http.cookies = httpx.Cookies(self.admin_cookies)
            if language != "en":
                await self.choose(browser, language)
            try:
                yield browser
            finally:
                if language != "en":
                    await self.choose(browser, "en")

    @staticmethod
    async def choose(browser: Browser, language: str) -> None:
        home = "/w/acme/"
        switched = await browser.submit(home, "/language", {"language": language, "back": home})
        assert switched.status_code == 303, switched.text[:300]

    async def first_run(self, browser: Browser) -> str:
        """The workspace `acme` and its admin, signed in in `browser`; the admin's account id."""
        created = await browser.submit(
            "/setup",
            "/setup",
            {
                "workspace": "acme",
                "workspace_name": "Acme",
                "name": "Ana Admin",
                "email": "ana@acme.example",
                "password": PASSWORD,
                "time_zone": "Europe/Paris",
            },
        )
        assert created.status_code == 303, created.text[:500]
        token = next(c.value for c in browser.http.cookies.jar if c.name == SESSION_COOKIE)
        me = await self.identity.http.get("/me", headers=session(str(token)))
        assert me.status_code == 200, me.text
        return str(me.json()["account"]["id"])


@asynccontextmanager
async def running_ops(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Ops]:
    with Mailbox() as mailbox:
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            trusted = issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json")
            ingest_settings = IngestSettings(
                **{**settings_for(infra, unique_name("ingest"), issuer), "auth": trusted},
                redrive_after_seconds=3600,  # the sweep leaves the tests' pending payloads
            )
            ingest_app = create_ingest_app(ingest_settings)
            feedback_config = feedback_settings(
                infra, unique_name("feedback"), issuer, auth=trusted
            )
            async with (
                serving(ingest_app) as ingest_url,
                httpx.AsyncClient(base_url=ingest_url, timeout=30) as ingest_http,
                running_notify(infra, unique_name("notify"), issuer, auth=trusted) as notify,
                serving(create_feedback_app(feedback_config)) as feedback_url,
                httpx.AsyncClient(base_url=feedback_url, timeout=30) as feedback_http,
                running_console(
                    identity_url=identity.url,
                    ingest_url=ingest_url,
                    notify_url=notify.url,
                    feedback_url=feedback_url,
                ) as console,
            ):
                ingest = Ingest(ingest_http, ingest_settings, issuer)
                feedback = Feedback(feedback_http, feedback_config, issuer)
                yield Ops(console, identity, ingest, notify, ingest_app, feedback)
