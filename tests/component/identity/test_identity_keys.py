"""Signing keys: rotation with the live JWKS, retirement, revocation, replicas agreeing, and
every kind of token a verifier must refuse."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ensemble_identity.main import key_schedule
from ensemble_identity.services.keyring import Keyring, cipher
from ensemble_identity.storage import SIGNING_KEYS, KeyRepository
from ensemble_shared.auth import InvalidToken as RefusedToken
from ensemble_shared.events import utcnow
from ensemble_shared.keys import UnknownKey, key_set, verify_with
from support.identity import IdentityDriver, session


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def replica(identity: IdentityDriver, store: Any, **clock: Any) -> Keyring:
    """Another identity replica's keyring on the same store."""
    return Keyring(
        KeyRepository(store[SIGNING_KEYS]),
        cipher(identity.settings.key_encryption_key.get_secret_value()),
        key_schedule(identity.settings),
        **clock,
    )


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    old_token = await identity.access_token(admin)
    verifier = identity.verifier(min_refetch=0.0)
    try:
        assert (await verifier.claims(old_token)).ws == "acme"  # caches the one key

        async with identity.store() as store:
            new_key = await replica(identity, store).rotate_now(immediately=True)
        await identity.services.keyring.refresh()  # what the replica's timer does
        new_token = await identity.access_token(admin)

        assert kid_of(old_token) != new_key.kid
        assert kid_of(new_token) == new_key.kid
        jwks = (await identity.http.get("/.well-known/jwks.json")).json()
        assert {k["kid"] for k in jwks["keys"]} == {kid_of(old_token), new_key.kid}
        assert (await verifier.claims(new_token)).ws == "acme"  # unknown kid: fetched again
        assert (await verifier.claims(old_token)).ws == "acme"  # still published
    finally:
        await verifier.aclose()


async def test_a_retired_key_leaves_the_jwks_once_its_tokens_have_expired(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    old_token = await identity.access_token(admin)
    async with identity.store() as store:
        rotated_at = utcnow()
        await replica(identity, store, clock=lambda: rotated_at).rotate_now(immediately=True)
        lifetime = timedelta(seconds=identity.settings.access_token_seconds)
        just_before = replica(identity, store, clock=lambda: rotated_at + lifetime)
        after = replica(identity, store, clock=lambda: rotated_at + lifetime + timedelta(minutes=2))
        await just_before.refresh()
        await after.refresh()
        issuer, audience = identity.settings.issuer, identity.settings.audience
        # An old token lives at most `lifetime`: until then its key stays published.
        kept = verify_with(
            old_token, just_before.verification_keys(), issuer=issuer, audience=audience
        )
        assert kept.ws == "acme"
        with pytest.raises(UnknownKey):
            verify_with(old_token, after.verification_keys(), issuer=issuer, audience=audience)
        assert kid_of(old_token) not in {k["kid"] for k in after.jwks()["keys"]}


async def test_a_revoked_key_is_unpublished_at_once_and_a_new_one_signs(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    token = await identity.access_token(admin)
    async with identity.store() as store:
        assert await replica(identity, store).revoke(kid_of(token))
    await identity.services.keyring.refresh()

    jwks = (await identity.http.get("/.well-known/jwks.json")).json()
    assert kid_of(token) not in {k["kid"] for k in jwks["keys"]}
    verifier = identity.verifier()
    try:
        with pytest.raises(UnknownKey):
            await verifier.claims(token)
        fresh = await identity.access_token(admin)
        assert kid_of(fresh) != kid_of(token)
        assert (await verifier.claims(fresh)).ws == "acme"
    finally:
        await verifier.aclose()


async def test_replicas_due_to_rotate_together_create_one_key(identity: IdentityDriver) -> None:
    later = utcnow() + timedelta(days=identity.settings.key_rotation_days)
    async with identity.store() as store:
        replicas = [replica(identity, store, clock=lambda: later) for _ in range(4)]
        await asyncio.gather(*(r.refresh() for r in replicas))
        generations = await store[SIGNING_KEYS].distinct("generation")
    assert generations == [1, 2]  # the first key, and one rotation however many replicas
    published = [{k["kid"] for k in r.jwks()["keys"]} for r in replicas]
    assert all(kids == published[0] for kids in published)
    assert len(published[0]) == 2


async def test_private_keys_are_encrypted_at_rest(identity: IdentityDriver) -> None:
    async with identity.store() as store:
        (document,) = await store[SIGNING_KEYS].find({}).to_list(None)
        stranger = Keyring(
            KeyRepository(store[SIGNING_KEYS]),
            cipher(Fernet.generate_key().decode()),
            key_schedule(identity.settings),
        )
        await stranger.refresh()
        with pytest.raises(InvalidToken):
            stranger.sign({"sub": "x"})
    assert set(document["public_jwk"]) == {"kty", "crv", "x", "kid", "use", "alg"}
    kek = cipher(identity.settings.key_encryption_key.get_secret_value())
    assert len(kek.decrypt(document["private_key"].encode())) == 32  # a raw Ed25519 key


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HMAC token keyed with public material (PyJWT itself refuses to make one)."""
    header = _b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "at+jwt"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _claims(identity: IdentityDriver, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "someone",
        "ws": "acme",
        "kind": "staff",
        "roles": ["admin"],
        "teams": [],
        "iss": identity.settings.issuer,
        "aud": identity.settings.audience,
        "iat": now,
        "exp": now + 300,
        "jti": "j-1",
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


async def test_a_verifier_refuses_every_token_identity_did_not_sign_as_is(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    real = await identity.access_token(admin)
    kid = kid_of(real)
    jwks = (await identity.http.get("/.well-known/jwks.json")).json()
    public = base64.urlsafe_b64decode(jwks["keys"][0]["x"] + "==")
    keyring = identity.services.keyring
    header = {"kid": kid, "typ": "at+jwt"}
    stranger = Ed25519PrivateKey.generate()
    head, _, signature = real.split(".")
    genuine = jwt.decode(real, options={"verify_signature": False})
    forged_body = _b64(json.dumps({**genuine, "ws": "another-workspace"}).encode())
    refused = {
        "expired": keyring.sign(
            _claims(identity, iat=int(time.time()) - 900, exp=int(time.time()) - 600)
        ),
        "wrong audience": keyring.sign(_claims(identity, aud="another-system")),
        "wrong issuer": keyring.sign(_claims(identity, iss="someone-else")),
        "no workspace": keyring.sign(_claims(identity, ws=None)),
        "no jti": keyring.sign(_claims(identity, jti=None)),
        "altered claims": f"{head}.{forged_body}.{signature}",
        "alg none": jwt.encode(_claims(identity), "", algorithm="none", headers=header),
        "HS256 keyed with the public key": hs256(_claims(identity), public, kid),
        "HS256 keyed with the JWK": hs256(
            _claims(identity), json.dumps(jwks["keys"][0]).encode(), kid
        ),
        "unknown key": jwt.encode(
            _claims(identity), stranger, algorithm="EdDSA", headers={**header, "kid": "other"}
        ),
        "a stranger's key under our kid": jwt.encode(
            _claims(identity), stranger, algorithm="EdDSA", headers=header
        ),
        "not an access token": jwt.encode(
            _claims(identity), stranger, algorithm="EdDSA", headers={"kid": kid}
        ),
        "garbage": "not.a.token",
    }
    verifier = identity.verifier()
    try:
        assert (await verifier.claims(real)).sub  # the genuine one passes
        accepted = []
        for what, token in refused.items():
            try:
                await verifier.claims(token)
            except RefusedToken:
                continue
            accepted.append(what)
        assert accepted == []
    finally:
        await verifier.aclose()
    # Identity's own routes refuse them the same way.
    for token in refused.values():
        answer = await identity.http.get("/workspaces/acme", headers=session(token))
        assert answer.status_code == 401, answer.text
    assert key_set(jwks)[kid]
