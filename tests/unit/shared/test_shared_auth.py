"""Who a token names, and what each role may do: admins pass every check, viewers read what
managers and approvers read and nothing else; the HS256 tokens of old are refused."""

from __future__ import annotations

import time

import jwt
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.auth import InvalidToken, Principal, Role
from ensemble_shared.keys import JwksVerifier
from ensemble_shared.settings import AuthSettings

ALICE = Principal(
    subject="alice", workspace="acme", roles=frozenset({Role.MANAGER}), teams=frozenset({"legal"})
)


def principal(*roles: Role) -> Principal:
    return Principal(subject="p", workspace="acme", roles=frozenset(roles))


def test_roles_are_checked_and_admins_pass_every_check() -> None:
    assert ALICE.has_any(Role.MANAGER, Role.APPROVER)
    assert not ALICE.has_any(Role.ADMIN)
    assert principal(Role.ADMIN).has_any(Role.APPROVER)


def test_a_viewer_reads_what_managers_and_approvers_read_and_writes_nothing() -> None:
    viewer = principal(Role.VIEWER)
    assert viewer.may_read_as(Role.MANAGER)
    assert viewer.may_read_as(Role.MANAGER, Role.APPROVER)
    assert not viewer.may_read_as(Role.ADMIN)
    assert not viewer.may_read_as(Role.MEMBER)
    assert not viewer.has_any(Role.MANAGER, Role.APPROVER)


def test_settings_without_any_keys_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="ENSEMBLE_AUTH_JWKS_URL"):
        JwksVerifier.from_settings(AuthSettings())


ISSUER, OTHER = LocalIssuer(), LocalIssuer()
NOW = int(time.time())


async def test_an_identity_shaped_token_verifies_to_its_principal() -> None:
    verifier = JwksVerifier.from_settings(ISSUER.settings())
    token = ISSUER.token("acme", Role.MANAGER, subject="alice", teams=["legal"])
    assert await verifier.verify(token) == ALICE


@pytest.mark.parametrize(
    "token",
    [
        ISSUER.token("acme", Role.MANAGER, iat=NOW - 900, exp=NOW - 600),
        OTHER.token("acme", Role.ADMIN),
        ISSUER.token("acme", Role.ADMIN, aud="elsewhere"),
        ISSUER.token("acme", Role.ADMIN, iss="ensemble"),
        jwt.encode(
            {"sub": "a", "ws": "acme", "roles": ["admin"], "iss": "ensemble", "aud": "ensemble"},
            "s" * 40,
        ),
        jwt.encode({"sub": "a", "ws": "acme"}, "", algorithm="none"),
        "not-a-token",
    ],
    ids=["expired", "forged", "other-audience", "other-issuer", "old-hs256", "alg-none", "junk"],
)
async def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        await JwksVerifier.from_settings(ISSUER.settings()).verify(token)
