"""A GitHub channel connected with OAuth 2 on one scheduler (real store and broker), against a
fake authorization server (PKCE, client credentials, single-use rotating refresh tokens) and
a fake GitHub that takes only a currently valid access token: the state works once, for its
person and workspace only; the tokens are sealed at rest; a token about to expire is refreshed
once before publishing, also when two publications need it at the same moment; a refresh
token the platform refuses marks the channel "reconnect needed" and publishing is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import OAuthClientSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_scheduler.wiring import Scheduler as Services
from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support import oauth_provider as op
from support import scheduler_github as gh
from support import scheduler_meta as meta
from support.apps import running
from support.scheduler import Scheduler
from support.scheduler_connecting import connecting, go_out, published, refusal, sealed
from support.scheduler_publishing import approve, draft, schedule_in
from support.stored import stored
from support.waiting import eventually

CALLBACK = "https://console.example.org/oauth/callback"


@dataclass
class World:
    s: Scheduler
    provider: op.FakeOAuthProvider
    github: gh.FakeGitHub
    authorize_url: str = ""  # the last one scheduler gave

    @property
    def services(self) -> Services:
        assert self.s.app is not None
        services: Services = self.s.app.state.scheduler
        return services


@pytest.fixture(scope="module")
def provider() -> Iterator[op.FakeOAuthProvider]:
    with op.FakeOAuthProvider(CALLBACK) as running:
        yield running


@pytest.fixture(scope="module")
async def w(
    infra: Infra, issuer: LocalIssuer, provider: op.FakeOAuthProvider
) -> AsyncIterator[World]:
    client = OAuthClientSettings(
        client_id=op.CLIENT_ID,
        client_secret=op.CLIENT_SECRET,
        authorize_url=provider.authorize_url,
        token_url=provider.token_url,
        scopes="repo",
    )
    with gh.FakeGitHub(accepts=provider.valid) as github:
        async with connecting(
            infra,
            issuer,
            "oauth",
            oauth={"github": client, "facebook": client},
            console_url="https://console.example.org",
        ) as s:
            yield World(s, provider, github)


async def start(w: World, channel: str, headers: dict[str, str] | None = None) -> str:
    """A connection started by the admin: the authorize URL's query, checked, and its state."""
    started = await w.s.client.post(
        f"/publishing/channels/{channel}/connections",
        json={"platform": "github", "base_url": w.github.base_url},
        headers=headers or w.s.admin,
    )
    assert started.status_code == 201, started.text
    body = started.json()
    query = {k: v[0] for k, v in parse_qs(urlsplit(body["authorize_url"]).query).items()}
    assert body["authorize_url"].startswith(w.provider.authorize_url + "?")
    assert (query["client_id"], query["redirect_uri"]) == (op.CLIENT_ID, CALLBACK)
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == body["state"]
    w.authorize_url = body["authorize_url"]
    return str(body["state"])


async def connect(w: World, channel: str, *, lifetime: float | None = None) -> dict[str, Any]:
    """Start, authorize, exchange and use: the channel's account view."""
    if lifetime is not None:
        w.provider.lifetimes.append(lifetime)
    state = await start(w, channel)
    code = await authorized(w)
    exchanged = await w.s.client.post(
        f"/publishing/connections/{state}/code",
        json={"code": code, "redirect_uri": CALLBACK},
        headers=w.s.admin,
    )
    assert exchanged.status_code == 200, exchanged.text
    used = await w.s.client.post(f"/publishing/connections/{state}/use", headers=w.s.admin)
    assert used.status_code == 200, used.text
    view: dict[str, Any] = used.json()
    return view


async def authorized(w: World) -> str:
    """The person says yes at the provider (the authorize URL scheduler gave last): the code
    it sends the browser back with."""
    async with httpx.AsyncClient() as browser:
        go = await browser.get(w.authorize_url)
    assert go.status_code == 302, go.text
    return parse_qs(urlsplit(go.headers["location"]).query)["code"][0]


async def account(w: World, channel: str) -> dict[str, Any]:
    got = await w.s.client.get(f"/publishing/channels/{channel}", headers=w.s.admin)
    assert got.status_code == 200, got.text
    view: dict[str, Any] = got.json()
    return view


async def reply_on_github(w: World, channel: str, text: str) -> str:
    comment = w.github.issue_comment(40, f"Question for @acme: {text}?")
    return await go_out(
        w.s,
        kind="reply",
        channel=channel,
        title=None,
        body=text,
        reply_to={"platform": "github", "external_id": comment["node_id"]},
    )


def tokens_used(w: World) -> list[str]:
    return [
        r["headers"]["authorization"].removeprefix("Bearer ")
        for r in w.github.requests
        if r["method"] == "POST" and r["path"].startswith("/repos/")
    ]


async def test_the_state_works_once_for_its_person_and_the_tokens_are_sealed(w: World) -> None:
    # The authorize URL as the browser gets it; a wrong verifier would fail at the provider.
    state = await start(w, "github-oauth")
    code = await authorized(w)

    body = {"code": code, "redirect_uri": CALLBACK}
    path = f"/publishing/connections/{state}/code"
    someone_else = w.s.staff("olga", roles=[Role.ADMIN])
    assert (await w.s.client.post(path, json=body, headers=someone_else)).status_code == 403
    elsewhere = w.s.staff("alice", roles=[Role.ADMIN], workspace="globex")
    assert (await w.s.client.post(path, json=body, headers=elsewhere)).status_code == 404
    wrong_uri = {"code": code, "redirect_uri": "https://evil.example/cb"}
    assert (await w.s.client.post(path, json=wrong_uri, headers=w.s.admin)).status_code == 422

    exchanged = await w.s.client.post(path, json=body, headers=w.s.admin)
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.json()["status"] == "exchanged"
    replay = await w.s.client.post(path, json=body, headers=w.s.admin)
    assert replay.status_code == 410, replay.text
    assert w.provider.calls.exchanges == 1
    # Exchanged, not yet used: the channel has no account.
    none_yet = await w.s.client.get("/publishing/channels/github-oauth", headers=w.s.admin)
    assert none_yet.status_code == 404

    use = f"/publishing/connections/{state}/use"
    assert (await w.s.client.post(use, headers=someone_else)).status_code == 403
    used = await w.s.client.post(use, headers=w.s.admin)
    assert used.status_code == 200, used.text
    view = used.json()
    assert (view["connector"], view["oauth"], view["reconnect"]) == ("github", "github", None)
    assert view["token_expires_at"] is not None
    assert (await w.s.client.post(use, headers=w.s.admin)).status_code == 410
    assert (await w.s.client.post(path, json=body, headers=w.s.admin)).status_code == 410

    # At rest: sealed; no token the provider issued appears in any stored document.
    url, database = w.s.settings.mongo.url, w.s.settings.database
    document = await stored(url, database, "publishing_accounts", "acme:github-oauth:000001")
    assert document["access_token"].startswith("sealed:v1:")
    assert document["refresh_token"].startswith("sealed:v1:")
    assert document["oauth"] == "github"
    pending = await w.s.database()["oauth_exchanges"].find({}).to_list(None)
    started = await w.s.database()["oauth_connections"].find({}).to_list(None)
    at_rest = repr([document, *pending, *started])
    assert not [t for t in w.provider.all_tokens() if t in at_rest]
    assert state not in at_rest

    # A connection left too long is gone.
    late = await start(w, "github-late")
    await w.s.database()["oauth_connections"].update_many(
        {"channel": "github-late"}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}}
    )
    expired = await w.s.client.post(
        f"/publishing/connections/{late}/code", json={"code": "x"}, headers=w.s.admin
    )
    assert expired.status_code == 410, expired.text


async def test_a_token_about_to_expire_is_refreshed_once_then_used(w: World) -> None:
    first = await connect(w, "gh-refresh", lifetime=60)  # within the 5 min margin
    before = w.provider.calls.refreshes
    reply_id = await reply_on_github(w, "gh-refresh", "Fixed in 2.2")
    await published(w.s, reply_id)
    assert w.provider.calls.refreshes == before + 1
    now = await account(w, "gh-refresh")
    assert now["revision"] == first["revision"] + 1
    assert now["updated_by"] == "scheduler/oauth-refresh"
    (token,) = tokens_used(w)[-1:]
    assert w.provider.valid(token)

    # Still fresh: the next publication refreshes nothing.
    again = await reply_on_github(w, "gh-refresh", "And 2.3")
    await published(w.s, again)
    assert w.provider.calls.refreshes == before + 1
    assert tokens_used(w)[-1] == token


async def test_two_replicas_publishing_at_once_refresh_the_rotating_token_once(
    w: World,
) -> None:
    """Replica A publishes one item at its slot; while A's refresh is at the token endpoint,
    replica B (a second app on the same store) publishes another item of the channel: B
    finds the refresh claimed, waits for A's revision and uses its token."""
    await connect(w, "gh-both", lifetime=60)
    before, refused = w.provider.calls.refreshes, len(w.provider.calls.refused)
    ids = []
    for text in ("One", "Two"):
        comment = w.github.issue_comment(41, f"{text}?")
        content_id = await draft(
            w.s,
            kind="reply",
            channel="gh-both",
            title=None,
            body=text,
            reply_to={"platform": "github", "external_id": comment["node_id"]},
            slot=(utcnow() + timedelta(days=1)).isoformat(),  # a time: not sent once approved
        )
        await approve(w.s, content_id)
        ids.append(content_id)
    w.provider.refresh_delay = 3.0
    try:
        app_b = create_scheduler_app(w.s.settings)
        async with running(app_b):
            replica_b: Services = app_b.state.scheduler
            await schedule_in(w.s, ids[0], 1)
            await schedule_in(w.s, ids[1], 600)  # its slot is far: B publishes it now

            async def refreshing() -> int:
                return w.provider.calls.in_flight

            await eventually(refreshing, bool, what="a refresh under way")
            entry = await replica_b.calendar.current("acme", ids[1])
            assert entry is not None
            assert await replica_b.publishing.publish(entry) == "published"
            await published(w.s, ids[0])
    finally:
        w.provider.refresh_delay = 0.0
    assert w.provider.calls.refreshes == before + 1
    assert len(w.provider.calls.refused) == refused  # no refresh token was used twice
    last_two = tokens_used(w)[-2:]
    assert last_two[0] == last_two[1]
    assert w.provider.valid(last_two[0])


async def test_a_refused_refresh_needs_a_reconnect_and_publishing_is_refused(w: World) -> None:
    await connect(w, "gh-revoked", lifetime=60)
    w.provider.refresh_tokens_revoked()
    writes = len(tokens_used(w))
    reply_id = await reply_on_github(w, "gh-revoked", "Hello")
    reason = await refusal(w.s, reply_id)
    assert "reconnect the account" in reason
    assert "invalid_grant" in reason
    view = await account(w, "gh-revoked")
    assert view["reconnect"] is not None
    assert "invalid_grant" in view["reconnect"]
    refreshes = w.provider.calls.refreshes
    second = await reply_on_github(w, "gh-revoked", "Hello again")
    assert "reconnect the account" in await refusal(w.s, second)
    assert w.provider.calls.refreshes == refreshes  # not asked again
    assert len(tokens_used(w)) == writes  # nothing reached GitHub

    # Connecting again clears it.
    fresh = await connect(w, "gh-revoked")
    assert fresh["reconnect"] is None


async def test_the_sweep_refreshes_idle_connected_accounts(w: World) -> None:
    first = await connect(w, "gh-idle")
    before = w.provider.calls.refreshes
    await w.services.tokens.sweep(timedelta(0))
    assert w.provider.calls.refreshes > before
    assert (await account(w, "gh-idle"))["revision"] == first["revision"] + 1


async def test_a_facebook_page_is_connected_with_its_own_long_lived_token(w: World) -> None:
    """Meta has no refresh grant: the code's user token becomes a long-lived one at once, and
    the Page's own token (read with it) is what the channel keeps and publishes with."""
    with meta.FakeGraph() as graph:
        graph.user_tokens = w.provider.valid
        started = await w.s.client.post(
            "/publishing/channels/fb-page/connections",
            json={"platform": "facebook", "base_url": graph.base_url, "target": meta.PAGE_ID},
            headers=w.s.admin,
        )
        assert started.status_code == 201, started.text
        query = parse_qs(urlsplit(started.json()["authorize_url"]).query)
        assert "code_challenge" not in query  # Facebook Login: no PKCE
        w.authorize_url = started.json()["authorize_url"]
        state = started.json()["state"]
        exchanged = await w.s.client.post(
            f"/publishing/connections/{state}/code",
            json={"code": await authorized(w)},
            headers=w.s.admin,
        )
        assert exchanged.status_code == 200, exchanged.text
        assert exchanged.json()["account_name"] == "Acme Page"
        assert w.provider.calls.long_lived == 1
        used = await w.s.client.post(f"/publishing/connections/{state}/use", headers=w.s.admin)
        assert used.status_code == 200, used.text
        view = used.json()
        assert (view["connector"], view["target"], view["token_expires_at"]) == (
            "facebook",
            meta.PAGE_ID,
            None,
        )
        assert await sealed(w.s, "fb-page", "access_token") == meta.TOKEN

        post_id = await go_out(w.s, channel="fb-page", title=None, body="Hello from OAuth")
        await published(w.s, post_id)
        (sent,) = graph.writes(f"/{meta.VERSION}/{meta.PAGE_ID}/feed")
        assert sent["headers"]["authorization"] == f"Bearer {meta.TOKEN}"
