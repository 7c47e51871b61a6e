"""Connecting a channel's GitHub account with OAuth 2 from the console's plain pages (no
JavaScript), in front of the real identity and scheduler (real store and broker) and a fake
authorization server: the admin's button goes to the provider, the callback's GET shows the
account and changes nothing, "Use this account" saves it; a callback in another browser, a
refusal at the provider and a refresh the provider refuses are told readably, in English and
French."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from component.console.test_console_front_door import first_run
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import OAuthClientSettings, SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_scheduler.wiring import Scheduler as Services
from support import oauth_provider as op
from support.apps import settings_for
from support.console import CONSOLE_URL, Browser, running_console
from support.identity import PASSWORD, running_identity
from support.notify import serving
from support.notify_smtp import Mailbox
from support.scheduler import Scheduler

CHANNELS = "/w/acme/admin/channels"


@dataclass
class Desk:
    scheduler: Scheduler
    app: FastAPI
    provider: op.FakeOAuthProvider
    ana: Browser  # the workspace's first admin, in English
    chloe: Browser  # another admin, in French

    @property
    def services(self) -> Services:
        services: Services = self.app.state.scheduler
        return services


@pytest.fixture(scope="module")
async def desk(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Desk]:
    prefix = f"t{secrets.token_hex(4)}_oauthdesk"
    with (
        Mailbox() as mailbox,
        op.FakeOAuthProvider(f"{CONSOLE_URL}/oauth/callback") as provider,
    ):
        async with running_identity(infra, f"{prefix}_identity", issuer, mailbox) as identity:
            client = OAuthClientSettings(
                client_id=op.CLIENT_ID,
                client_secret=op.CLIENT_SECRET,
                authorize_url=provider.authorize_url,
                token_url=provider.token_url,
            )
            settings = SchedulerSettings(
                **{
                    **settings_for(infra, prefix, issuer),
                    "auth": issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json"),
                },
                console_url=CONSOLE_URL,
                oauth={"github": client},
            )
            app = create_scheduler_app(settings)
            async with (
                serving(app) as scheduler_url,
                httpx.AsyncClient(base_url=scheduler_url, timeout=30) as scheduler_http,
                running_console(identity_url=identity.url, scheduler_url=scheduler_url) as console,
                console.browser() as ana,
                console.browser("fr-FR,fr;q=0.9") as chloe,
            ):
                await first_run(ana)
                admin = (await identity.sign_in("ana@acme.example")).json()["session_token"]
                await identity.join(admin, "chloe@acme.example", ["admin"], name="Chloé")
                signed = await chloe.submit(
                    "/sign-in",
                    "/sign-in",
                    {"email": "chloe@acme.example", "password": PASSWORD, "next": "/"},
                )
                assert signed.status_code == 303, signed.text[:500]
                french = await chloe.submit(
                    "/w/acme/", "/language", {"language": "fr", "back": "/"}
                )
                assert french.status_code == 303, french.text[:500]
                yield Desk(Scheduler(scheduler_http, settings, issuer), app, provider, ana, chloe)


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def to_provider(browser: Browser, channel: str) -> str:
    """The admin presses "Connect with GitHub": the provider's URL the console sends them to."""
    page = f"{CHANNELS}/{channel}"
    shown = (await browser.get(page)).text
    assert f'action="{page}/connect"' in shown
    pressed = await browser.submit(page, f"{page}/connect", {"platform": "github"})
    assert pressed.status_code == 303, pressed.text[:500]
    location: str = pressed.headers["location"]
    return location


async def back_from_provider(authorize_url: str) -> str:
    """The provider's answer, as the path and query the browser comes back to the console with."""
    async with httpx.AsyncClient() as outside:
        answer = await outside.get(authorize_url)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{CONSOLE_URL}/oauth/callback"
    return f"{back.path}?{back.query}"


async def account(desk: Desk, channel: str) -> httpx.Response:
    return await desk.scheduler.client.get(
        f"/publishing/channels/{channel}", headers=desk.scheduler.admin
    )


async def test_an_admin_connects_github_and_confirms_the_account(desk: Desk) -> None:
    ana, chloe = desk.ana, desk.chloe
    authorize = await to_provider(ana, "gh")
    assert authorize.startswith(desk.provider.authorize_url + "?")
    assert parse_qs(urlsplit(authorize).query)["code_challenge_method"] == ["S256"]
    callback = await back_from_provider(authorize)

    # Another admin's browser holding the same answer: not theirs to complete.
    elsewhere = await chloe.get(callback)
    assert elsewhere.status_code == 400
    assert "ne correspond à aucune connexion commencée dans ce navigateur" in text(elsewhere.text)

    shown = await ana.get(callback)
    assert shown.status_code == 200, shown.text[:800]
    words = text(shown.text)
    assert "Connect a GitHub account to channel gh" in words
    assert "renewed automatically" in words
    assert "Use this account" in words
    assert (await account(desk, "gh")).status_code == 404  # the GET changed nothing
    assert desk.provider.calls.exchanges == 1

    used = await ana.submit(callback, "/oauth/callback", {"state": _state(callback)})
    assert used.status_code == 303, used.text[:800]
    assert used.headers["location"] == f"{CHANNELS}/gh?notice=account_connected"
    page = text((await ana.get(used.headers["location"])).text)
    assert "The account is connected: the channel publishes with it." in page
    assert "Connected with GitHub." in page
    assert "renewed automatically before then" in page
    saved = (await account(desk, "gh")).json()
    assert (saved["connector"], saved["oauth"], saved["revision"]) == ("github", "github", 1)
    assert not [t for t in desk.provider.all_tokens() if t in page]

    # The same answer again (reload, back button): the connection is spent.
    again = await ana.get(callback)
    assert again.status_code == 400
    assert "does not belong to a connection started in this browser" in text(again.text)


def _state(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["state"][0]


async def test_a_refusal_at_the_provider_is_told_readably(desk: Desk) -> None:
    desk.provider.deny = True
    try:
        for browser, said in (
            (desk.ana, "You declined on the platform's page: nothing was connected."),
            (desk.chloe, "Vous avez refusé sur la page de la plateforme : rien n’a été connecté."),
        ):
            callback = await back_from_provider(await to_provider(browser, "gh-denied"))
            assert "error=access_denied" in callback
            page = await browser.get(callback)
            assert page.status_code == 400
            assert said in text(page.text)
            assert "The user said no." in text(page.text)  # the provider's own words
    finally:
        desk.provider.deny = False
    assert (await account(desk, "gh-denied")).status_code == 404


async def test_a_refused_refresh_shows_reconnect_needed(desk: Desk) -> None:
    desk.provider.lifetimes.append(60)
    callback = await back_from_provider(await to_provider(desk.ana, "gh-old"))
    assert (await desk.ana.get(callback)).status_code == 200
    used = await desk.ana.submit(callback, "/oauth/callback", {"state": _state(callback)})
    assert used.status_code == 303, used.text[:800]

    desk.provider.refresh_tokens_revoked()
    await desk.services.tokens.sweep(timedelta(0))
    english = text((await desk.ana.get(f"{CHANNELS}/gh-old")).text)
    assert "Reconnect needed: GitHub refused to renew this account's access" in english
    assert "invalid_grant" in english
    french = text((await desk.chloe.get(f"{CHANNELS}/gh-old")).text)
    assert "Reconnexion nécessaire : GitHub a refusé de renouveler l’accès de ce compte" in french
    assert (await account(desk, "gh-old")).json()["reconnect"].startswith("invalid_grant")
