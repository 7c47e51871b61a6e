"""Access tokens per (session, workspace), kept in this process until shortly before expiry.

A page that calls three APIs of one workspace asks identity for a token once, not three times,
and the next page reuses it. The key is a digest of the session token, so the cache holds no
session secret; signing out drops the session's entries. Every replica keeps its own cache: a
token is only a cheaper way to say what the session already proves.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cachetools import TLRUCache

from ensemble_console.models.identity import AccessToken


def session_key(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


@dataclass(frozen=True)
class _Cached:
    token: str
    refresh_at: float  # time.monotonic()


Mint = Callable[[str, str], Awaitable[AccessToken]]
"""(session token, workspace) -> a fresh access token from identity."""


class AccessTokens:
    def __init__(self, mint: Mint, *, size: int, refresh_seconds: int) -> None:
        self._mint = mint
        self._refresh = refresh_seconds
        self._cache: TLRUCache[tuple[str, str], _Cached] = TLRUCache(
            maxsize=size, ttu=lambda _key, value, _now: value.refresh_at, timer=time.monotonic
        )

    async def get(self, session: str, workspace: str) -> str:
        key = (session_key(session), workspace)
        cached = self._cache.get(key)
        if cached is not None:
            return cached.token
        issued = await self._mint(session, workspace)
        lifetime = max(0, issued.expires_in - self._refresh)
        if lifetime > 0:
            self._cache[key] = _Cached(issued.access_token, time.monotonic() + lifetime)
        return issued.access_token

    def forget(self, session: str) -> None:
        """Drop every token of a session (signed out, or identity refused it)."""
        digest = session_key(session)
        for key in [k for k in list(self._cache.keys()) if k[0] == digest]:
            self._cache.pop(key, None)

    def __len__(self) -> int:
        return len(self._cache)
