"""`./dev token` against identity as a real process (as `./dev up` runs it): the workspace and
an API key are made once by identity's operator commands, every token is identity's, verifies
with its JWKS and holds the roles asked for; a revoked key is replaced."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ensemble_devtools.operator_tokens import TokenError, access_token
from ensemble_devtools.stack import Stack, jwks_url
from ensemble_identity import cli
from ensemble_identity.config import IdentitySettings
from ensemble_identity.models.context import OPERATOR, OPERATOR_ORIGIN
from ensemble_shared.auth import Role
from ensemble_shared.keys import JwksVerifier


async def test_tokens_come_from_identity_through_one_kept_api_key(
    stack_factory: Callable[..., Stack], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = stack_factory()
    identity = stack.start("identity")
    stack.wait_ready("identity")
    env = stack.environment("identity", identity.port)
    keys = tmp_path / "api-keys.json"

    def token(workspace: str, *roles: str) -> str:
        return access_token(identity.url, env, keys, workspace, list(roles))

    first = await asyncio.to_thread(token, "acme", "manager", "viewer")
    kept = json.loads(keys.read_text())
    assert list(kept) == ["acme:manager,viewer"]
    assert keys.stat().st_mode & 0o777 == 0o600
    second = await asyncio.to_thread(token, "acme", "viewer", "manager")
    assert json.loads(keys.read_text()) == kept  # the same key, exchanged again
    assert first != second

    verifier = JwksVerifier(jwks_url(identity.url), issuer="ensemble/identity", audience="ensemble")
    try:
        claims = await verifier.claims(second)
        assert (claims.ws, claims.kind, claims.roles) == ("acme", "api_key", ("manager", "viewer"))
        principal = await verifier.verify(second)
        assert principal.roles == frozenset({Role.MANAGER, Role.VIEWER})

        for name, value in env.items():  # what identity's operator commands run with
            monkeypatch.setenv(name, value)
        async with cli.services(IdentitySettings()) as identity_services:
            key_id = kept["acme:manager,viewer"]["client_id"]
            await identity_services.api_keys.revoke("acme", key_id, OPERATOR, OPERATOR_ORIGIN)
        third = await asyncio.to_thread(token, "acme", "manager", "viewer")
        assert json.loads(keys.read_text()) != kept  # a new key replaced the revoked one
        assert (await verifier.claims(third)).ws == "acme"
    finally:
        await verifier.aclose()

    with pytest.raises(TokenError, match="unknown roles"):
        token("acme", "member")
