"""The JWKS verifier every service will use: caching, refetch on an unknown key (rate
limited), keeping known keys when identity is unreachable, and the claims → principal map."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ensemble_shared.auth import InvalidToken, Role
from ensemble_shared.keys import JwksVerifier, KeysUnavailable, UnknownKey

URL = "http://identity.test/.well-known/jwks.json"


def jwk(private: Ed25519PrivateKey, kid: str) -> dict[str, str]:
    raw = private.public_key().public_bytes_raw()
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": "EdDSA"}


def token(private: Ed25519PrivateKey, kid: str, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "sub": "acc-1",
        "ws": "acme",
        "kind": "staff",
        "roles": ["manager"],
        "teams": ["legal"],
        "iss": "ensemble/identity",
        "aud": "ensemble",
        "iat": now,
        "exp": now + 300,
        "jti": "j",
        **claims,
    }
    return jwt.encode(body, private, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})


class Identity:
    """A stand-in JWKS endpoint that counts its fetches and can be taken down."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self.down = False
        self.now = 1000.0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.down:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": self.keys})

    def verifier(self, **options: Any) -> JwksVerifier:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return JwksVerifier(
            URL,
            issuer="ensemble/identity",
            audience="ensemble",
            client=client,
            clock=lambda: self.now,
            **options,
        )


async def test_keys_are_fetched_once_then_cached() -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    verifier = identity.verifier()
    for _ in range(3):
        principal = await verifier.verify(token(key, "k1"))
    assert principal.roles == frozenset({Role.MANAGER})
    assert principal.teams == frozenset({"legal"})
    assert identity.fetches == 1


async def test_an_unknown_key_is_fetched_again_at_most_once_per_interval() -> None:
    identity, old, new = Identity(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(old, "k1")]
    verifier = identity.verifier(min_refetch=30.0)
    await verifier.verify(token(old, "k1"))

    identity.keys = [jwk(old, "k1"), jwk(new, "k2")]  # identity rotated
    identity.now += 31
    assert (await verifier.claims(token(new, "k2"))).sub == "acc-1"
    assert identity.fetches == 2

    stranger = Ed25519PrivateKey.generate()
    for n in range(5):  # a flood of made-up key ids costs no more than one fetch
        with pytest.raises(UnknownKey):
            await verifier.verify(token(stranger, f"made-up-{n}"))
    assert identity.fetches == 2
    identity.now += 31
    with pytest.raises(UnknownKey):
        await verifier.verify(token(stranger, "made-up"))
    assert identity.fetches == 3


async def test_known_keys_keep_working_while_identity_is_down() -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    verifier = identity.verifier(max_age=60.0, min_refetch=1.0)
    await verifier.verify(token(key, "k1"))
    identity.down = True
    identity.now += 120  # the cache is stale and the refresh fails: keep what we know
    assert (await verifier.verify(token(key, "k1"))).workspace == "acme"
    assert identity.fetches == 2


async def test_no_keys_at_all_is_unavailable_not_forged() -> None:
    identity = Identity()
    identity.down = True
    with pytest.raises(KeysUnavailable):
        await identity.verifier().verify(token(Ed25519PrivateKey.generate(), "k1"))


async def test_keys_of_other_types_in_the_jwks_are_ignored() -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [
        {**jwk(key, "k1"), "alg": "RS256"},
        {"kty": "oct", "k": "c2VjcmV0", "kid": "k2"},
    ]
    verifier = identity.verifier()
    for kid in ("k1", "k2"):
        with pytest.raises(UnknownKey):
            await verifier.verify(token(key, kid))


@pytest.mark.parametrize(
    ("roles", "principal_roles"),
    [
        (["viewer"], frozenset({Role.VIEWER})),
        (["admin"], frozenset({Role.ADMIN})),
        (["member"], frozenset({Role.MEMBER})),
        (["approver", "viewer"], frozenset({Role.APPROVER, Role.VIEWER})),
        (["auditor"], frozenset()),
    ],
)
async def test_roles_map_onto_the_principal(
    roles: list[str], principal_roles: frozenset[Role]
) -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    principal = await identity.verifier().verify(token(key, "k1", roles=roles))
    assert principal.roles == principal_roles


@pytest.mark.parametrize(
    ("claims", "email"),
    [
        ({"email": "mia@fans.example", "email_verified": True}, "mia@fans.example"),
        ({"email": "mia@fans.example", "email_verified": False}, None),
        ({"email": "mia@fans.example"}, None),
        ({}, None),
    ],
)
async def test_the_principal_carries_only_an_address_identity_proved(
    claims: dict[str, Any], email: str | None
) -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    principal = await identity.verifier().verify(token(key, "k1", **claims))
    assert principal.email == email


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 120},
        {"aud": "elsewhere"},
        {"iss": "someone"},
        {"kind": "superuser"},
        {"ws": None},
    ],
)
async def test_tokens_failing_a_check_are_refused(claims: dict[str, Any]) -> None:
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    body = {k: v for k, v in claims.items() if v is not None}
    raw = token(key, "k1", **body)
    if "ws" in claims:
        raw = jwt.encode(
            {
                k: v
                for k, v in jwt.decode(raw, options={"verify_signature": False}).items()
                if k != "ws"
            },
            key,
            algorithm="EdDSA",
            headers={"kid": "k1", "typ": "at+jwt"},
        )
    with pytest.raises(InvalidToken):
        await identity.verifier().verify(raw)


async def test_pinned_keys_alone_verify_without_fetching() -> None:
    key, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    verifier = JwksVerifier(
        None, issuer="ensemble/identity", audience="ensemble", pinned={"keys": [jwk(key, "p1")]}
    )
    assert (await verifier.verify(token(key, "p1"))).subject == "acc-1"
    with pytest.raises(UnknownKey):
        await verifier.verify(token(stranger, "p2"))
    with pytest.raises(InvalidToken):  # a pinned kid does not make another key's signature good
        await verifier.verify(token(stranger, "p1"))


async def test_pinned_keys_work_while_identity_is_down_and_its_keys_are_unavailable() -> None:
    identity, pinned, published = (
        Identity(),
        Ed25519PrivateKey.generate(),
        Ed25519PrivateKey.generate(),
    )
    identity.down = True
    verifier = identity.verifier(pinned={"keys": [jwk(pinned, "p1")]})
    assert (await verifier.verify(token(pinned, "p1"))).workspace == "acme"
    with pytest.raises(KeysUnavailable):
        await verifier.verify(token(published, "k1"))
    identity.down, identity.keys, identity.now = False, [jwk(published, "k1")], identity.now + 31
    assert (await verifier.verify(token(published, "k1"))).workspace == "acme"


async def test_requests_arriving_while_the_first_fetch_runs_wait_for_it() -> None:
    """A page's parallel calls to a service that just started: one fetch, no refusal."""
    identity, key = Identity(), Ed25519PrivateKey.generate()
    identity.keys = [jwk(key, "k1")]
    gate = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return identity.handler(request)

    verifier = JwksVerifier(
        URL,
        issuer="ensemble/identity",
        audience="ensemble",
        client=httpx.AsyncClient(transport=httpx.MockTransport(slow)),
        clock=lambda: identity.now,
    )
    calls = [asyncio.create_task(verifier.verify(token(key, "k1"))) for _ in range(3)]
    await asyncio.sleep(0.05)
    gate.set()
    principals = await asyncio.gather(*calls)
    assert [p.workspace for p in principals] == ["acme"] * 3
    assert identity.fetches == 1
