"""Workspace-scoped bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from ensemble_shared.auth import InvalidToken, Principal, Role, Tokens
from ensemble_shared.settings import AuthSettings

SECRET = "s" * 40
ALICE = Principal(
    subject="alice", workspace="acme", roles=frozenset({Role.MANAGER}), teams=frozenset({"legal"})
)


def tokens(secret: str = SECRET, audience: str = "ensemble") -> Tokens:
    return Tokens(AuthSettings(secret=secret, audience=audience))


def test_a_minted_token_verifies_to_the_same_principal() -> None:
    assert tokens().verify(tokens().mint(ALICE)) == ALICE


@pytest.mark.parametrize(
    "token",
    [
        tokens().mint(ALICE, ttl=timedelta(seconds=-1)),
        tokens("o" * 40).mint(ALICE),
        tokens(audience="elsewhere").mint(ALICE),
        jwt.encode(
            {"sub": "alice", "exp": 4_000_000_000, "iat": 0, "aud": "ensemble", "iss": "ensemble"},
            SECRET,
        ),
        jwt.encode({"sub": "a", "ws": "acme"}, "", algorithm="none"),
        "not-a-token",
    ],
    ids=["expired", "other-secret", "other-audience", "no-workspace", "alg-none", "garbage"],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        tokens().verify(token)


def test_a_short_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        AuthSettings(secret="short")


def test_roles_are_checked_and_admins_pass_every_check() -> None:
    assert ALICE.has_any(Role.MANAGER, Role.APPROVER)
    assert not ALICE.has_any(Role.ADMIN)
    admin = Principal(subject="root", workspace="acme", roles=frozenset({Role.ADMIN}))
    assert admin.has_any(Role.APPROVER)


def test_scoped_tokens_and_bearer_tokens_never_stand_in_for_each_other() -> None:
    bearer, tickets = tokens(), tokens().scoped("inbox-stream")
    assert tickets.verify(tickets.mint(ALICE)) == ALICE
    with pytest.raises(InvalidToken):
        bearer.verify(tickets.mint(ALICE))
    with pytest.raises(InvalidToken):
        tickets.verify(bearer.mint(ALICE))
    with pytest.raises(InvalidToken):
        tokens().scoped("other").verify(tickets.mint(ALICE))
