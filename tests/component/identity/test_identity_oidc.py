"""Sign-in with OpenID Connect against a real provider (npm `oidc-provider`): authorization
code + PKCE + nonce, state kept server-side and single use; accounts are linked by a verified
email, and nobody gets an account without an invitation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from support.identity import ADMIN_EMAIL, PUBLIC_URL, IdentityDriver, running_identity, session
from support.identity_oidc import Provider, oidc_provider, sign_in_at_provider
from support.notify_smtp import Mailbox

REDIRECT = f"{PUBLIC_URL}/sign-in/oidc/callback"
ACCOUNTS = {
    "ana-at-keycloak": {"email": ADMIN_EMAIL, "email_verified": True, "name": "Ana K."},
    "unverified": {"email": ADMIN_EMAIL, "email_verified": False, "name": "Not Ana"},
    "stranger": {"email": "stranger@elsewhere.example", "email_verified": True, "name": "S"},
}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    with oidc_provider(tmp_path, REDIRECT, ACCOUNTS) as started:
        yield started


@pytest.fixture
async def identity_with_oidc(
    infra: Infra,
    unique_name: Callable[[str], str],
    issuer: LocalIssuer,
    mailbox: Mailbox,
    provider: Provider,
) -> AsyncIterator[IdentityDriver]:
    providers = [
        {
            "name": "keycloak",
            "title": "Company SSO",
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
        }
    ]
    async with running_identity(
        infra, unique_name("identity"), issuer, mailbox, oidc_providers=providers
    ) as driver:
        yield driver


async def _provider_round_trip(identity: IdentityDriver, login: str) -> tuple[str, dict[str, str]]:
    started = await identity.http.post("/oidc/keycloak/start")
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["nonce"]
    assert query["redirect_uri"] == REDIRECT
    back = await sign_in_at_provider(url, REDIRECT, login)
    assert back["state"] == started.json()["state"]
    return started.json()["state"], back


async def test_an_existing_account_signs_in_with_its_provider(
    identity_with_oidc: IdentityDriver,
) -> None:
    identity = identity_with_oidc
    await identity.setup()
    listed = (await identity.http.get("/oidc/providers")).json()
    assert listed == [{"name": "keycloak", "title": "Company SSO"}]

    state, back = await _provider_round_trip(identity, "ana-at-keycloak")
    completed = await identity.post("/oidc/complete", {"state": state, "code": back["code"]})
    replayed = await identity.post("/oidc/complete", {"state": state, "code": back["code"]})

    assert completed.status_code == 201, completed.text
    assert replayed.status_code == 410
    signed_in = completed.json()["session_token"]
    me = (await identity.http.get("/me", headers=session(signed_in))).json()
    assert me["account"]["email"] == ADMIN_EMAIL
    assert me["account"]["email_verified"] is True  # the provider vouched for it
    assert me["places"][0]["reachable"] is True  # a provider session reaches staff places
    sessions = (await identity.http.get("/me/sessions", headers=session(signed_in))).json()
    assert "oidc" in {s["method"] for s in sessions}

    # The identity is now linked: signing in again finds the account through the link.
    state, back = await _provider_round_trip(identity, "ana-at-keycloak")
    again = await identity.post("/oidc/complete", {"state": state, "code": back["code"]})
    assert again.status_code == 201


async def test_unverified_or_unknown_identities_get_no_session(
    identity_with_oidc: IdentityDriver,
) -> None:
    identity = identity_with_oidc
    await identity.setup()
    for login in ("unverified", "stranger"):
        state, back = await _provider_round_trip(identity, login)
        refused = await identity.post("/oidc/complete", {"state": state, "code": back["code"]})
        assert (login, refused.status_code) == (login, 401)
    made_up = await identity.post("/oidc/complete", {"state": "ens_o_made-up-state", "code": "x"})
    assert made_up.status_code == 422
    forged_code = await _provider_round_trip(identity, "ana-at-keycloak")
    wrong = await identity.post("/oidc/complete", {"state": forged_code[0], "code": "not-the-code"})
    assert wrong.status_code == 401
    unknown = await identity.http.post("/oidc/nope/start")
    assert unknown.status_code == 404
