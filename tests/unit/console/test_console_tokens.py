"""Access tokens are asked of identity once per session and workspace, until shortly before
they expire; signing out forgets them."""

from __future__ import annotations

from ensemble_console.clients.tokens import AccessTokens
from ensemble_console.models.identity import AccessToken


class Identity:
    def __init__(self, lifetime: int = 600) -> None:
        self.minted: list[tuple[str, str]] = []
        self.lifetime = lifetime

    async def mint(self, session: str, workspace: str) -> AccessToken:
        self.minted.append((session, workspace))
        return AccessToken(access_token=f"jwt-{len(self.minted)}", expires_in=self.lifetime)


async def test_a_token_is_reused_per_session_and_workspace() -> None:
    identity = Identity()
    tokens = AccessTokens(identity.mint, size=100, refresh_seconds=60)
    assert await tokens.get("ens_s_a", "acme") == "jwt-1"
    assert await tokens.get("ens_s_a", "acme") == "jwt-1"
    assert await tokens.get("ens_s_a", "globex") == "jwt-2"
    assert await tokens.get("ens_s_b", "acme") == "jwt-3"
    assert len(identity.minted) == 3


async def test_signing_out_forgets_the_sessions_tokens_only() -> None:
    identity = Identity()
    tokens = AccessTokens(identity.mint, size=100, refresh_seconds=60)
    await tokens.get("ens_s_a", "acme")
    await tokens.get("ens_s_b", "acme")
    tokens.forget("ens_s_a")
    assert len(tokens) == 1
    assert await tokens.get("ens_s_a", "acme") == "jwt-3"
    assert await tokens.get("ens_s_b", "acme") == "jwt-2"


async def test_a_token_about_to_expire_is_not_kept() -> None:
    identity = Identity(lifetime=30)  # shorter than the refresh margin: never cached
    tokens = AccessTokens(identity.mint, size=100, refresh_seconds=60)
    await tokens.get("ens_s_a", "acme")
    await tokens.get("ens_s_a", "acme")
    assert len(identity.minted) == 2


async def test_the_cache_keeps_no_session_secret() -> None:
    tokens = AccessTokens(Identity().mint, size=100, refresh_seconds=60)
    await tokens.get("ens_s_secret", "acme")
    assert all("ens_s_secret" not in key[0] for key in tokens._cache)
