"""A service (ingest, in-process) verifying the tokens the real identity signs, through
identity's real JWKS URL: a viewer reads and cannot write, a key rotation by the operator
command is followed, a revoked key stops working once the cache ages, and identity going away
leaves cached keys working while a service that never fetched them answers 503."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import jwt

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from ensemble_shared.settings import AuthSettings
from support.apps import running, settings_for
from support.identity import IdentityDriver, operator, running_identity, session
from support.notify_smtp import Mailbox
from support.waiting import eventually


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


@asynccontextmanager
async def ingest_trusting(
    infra: Infra, name: str, issuer: LocalIssuer, jwks_url: str, **auth: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Ingest whose only source of keys is `jwks_url` (the test issuer is not trusted)."""
    settings = IngestSettings(
        **{
            **settings_for(infra, name, issuer),
            "auth": AuthSettings(jwks_url=jwks_url, jwks_min_refetch_seconds=0, **auth),
        }
    )
    async with running(create_app(settings)) as client:
        yield client


async def api_key_token(identity: IdentityDriver, admin: str, *roles: str) -> str:
    created = await identity.http.post(
        "/workspaces/acme/api-keys",
        json={"name": "script", "roles": list(roles)},
        headers=session(admin),
    )
    assert created.status_code == 201, created.text
    key = created.json()
    issued = await identity.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(key["client_id"], key["client_secret"]),
    )
    assert issued.status_code == 200, issued.text
    return str(issued.json()["access_token"])


async def test_identitys_tokens_verify_and_a_viewer_reads_but_cannot_write(
    identity: IdentityDriver, infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    admin = await identity.setup()
    jwks = f"{identity.url}/.well-known/jwks.json"
    async with ingest_trusting(infra, unique_name("ingest"), issuer, jwks) as ingest:
        person = bearer(await identity.access_token(admin))
        assert (
            await ingest.post("/sources", json={"name": "forum"}, headers=person)
        ).status_code == 201
        viewer = bearer(await api_key_token(identity, admin, "viewer"))
        assert (await ingest.get("/mentions", headers=viewer)).status_code == 200
        refused = await ingest.post(
            "/mentions/m-1/assignment", json={"assignee": "bo"}, headers=viewer
        )
        assert refused.status_code == 403
        assert (await ingest.get("/sources", headers=viewer)).status_code == 403  # admins only
        forged = bearer(issuer.token("acme", "admin"))  # well-formed, but not identity's key
        assert (await ingest.get("/sources", headers=forged)).status_code == 401


async def test_a_rotation_is_followed_and_a_revoked_key_stops_working(
    identity: IdentityDriver, infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    admin = await identity.setup()
    jwks = f"{identity.url}/.well-known/jwks.json"
    async with ingest_trusting(
        infra, unique_name("ingest"), issuer, jwks, jwks_max_age_seconds=0.5
    ) as ingest:
        old = await identity.access_token(admin)
        assert (await ingest.get("/sources", headers=bearer(old))).status_code == 200

        async with operator(identity) as ops:  # `python -m ensemble_identity.cli rotate-keys --now`
            rotated = await ops.keyring.rotate_now(immediately=True)
        await identity.services.keyring.refresh()  # what identity's own timer does
        new = await identity.access_token(admin)
        assert kid_of(new) == rotated.kid != kid_of(old)
        assert (await ingest.get("/sources", headers=bearer(new))).status_code == 200
        assert (await ingest.get("/sources", headers=bearer(old))).status_code == 200

        async with operator(identity) as ops:  # `revoke-key KID`: a compromised key
            assert await ops.keyring.revoke(kid_of(old))
        await identity.services.keyring.refresh()

        async def old_answers() -> int:
            return (await ingest.get("/sources", headers=bearer(old))).status_code

        await eventually(old_answers, lambda status: status == 401, what="the revoked key refused")


async def test_identity_down_cached_keys_keep_working_and_no_keys_answer_503(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> None:
    async with AsyncExitStack() as services:  # outlives identity
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            token = bearer(await identity.access_token(await identity.setup()))
            jwks = f"{identity.url}/.well-known/jwks.json"
            cached = await services.enter_async_context(
                ingest_trusting(
                    infra, unique_name("ingest"), issuer, jwks, jwks_max_age_seconds=0.001
                )
            )
            assert (await cached.get("/sources", headers=token)).status_code == 200
        # identity is stopped: its port no longer answers
        assert (await cached.get("/sources", headers=token)).status_code == 200

        async with ingest_trusting(infra, unique_name("fresh"), issuer, jwks) as fresh:
            answer = await fresh.get("/sources", headers=token)
        assert answer.status_code == 503, answer.text
        assert "identity's signing keys" in answer.json()["message"]
        assert answer.headers["retry-after"] == "5"
