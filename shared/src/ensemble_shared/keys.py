"""Verifying identity's access tokens in any service: EdDSA JWTs checked against its JWKS.

Identity alone holds private keys; every other service fetches the public ones from
`GET /.well-known/jwks.json`, caches them, and fetches again when a token names a key it does
not know (identity rotated), at most once per `min_refetch` seconds, so a flood of tokens with
made-up key ids costs one request, not one per token. If identity is unreachable, the keys
already known keep working (a cache older than `max_age` is used rather than nothing).
Keys can also be pinned (a static JWKS document: tests, air-gapped deployments); a token signed
by a pinned key never waits for identity.

What is refused: any algorithm but EdDSA (so `none`, and HS256 "signed" with the public key as
an HMAC secret, never reach a key), a missing or unknown `kid`, a wrong `typ`, issuer or
audience, an expired token, and a token lacking any required claim.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from ensemble_shared.auth import InvalidToken, Principal, Role
from ensemble_shared.settings import AuthSettings

ALGORITHM = "EdDSA"
TOKEN_TYPE = "at+jwt"  # noqa: S105 - RFC 9068 `typ`: never mistaken for another JWT
REQUIRED_CLAIMS = ("sub", "ws", "kind", "iss", "aud", "iat", "exp", "jti")

TokenKind = Literal["staff", "member", "api_key"]


class UnknownKey(InvalidToken):
    """The token names a key that is not (or no longer) published."""


class KeysUnavailable(InvalidToken):
    """No keys could be fetched at all; the caller may answer 503 rather than 401."""


class AccessClaims(BaseModel):
    """The claims of a verified access token (see identity's README for the contract)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: str
    ws: str
    kind: TokenKind
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    iss: str
    aud: str | list[str]
    iat: int
    exp: int
    jti: str
    email: str | None = None
    email_verified: bool = False
    name: str | None = None
    locale: str | None = None
    sid: str | None = None
    client_id: str | None = None

    def principal(self) -> Principal:
        """The caller as every service's routes know it (a role no service knows is dropped)."""
        known = {role.value for role in Role}
        return Principal(
            subject=self.sub,
            workspace=self.ws,
            roles=frozenset(Role(r) for r in self.roles if r in known),
            teams=frozenset(self.teams),
            email=self.email if self.email_verified else None,
        )


def key_set(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """The Ed25519 signing keys of a JWKS document by `kid`; anything else is ignored."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in jwks.get("keys", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except jwt.PyJWTError:
            continue
    return keys


def verify_with(
    token: str,
    keys: Mapping[str, jwt.PyJWK],
    *,
    issuer: str,
    audience: str,
    leeway: float = 30.0,
) -> AccessClaims:
    """The claims of `token` if one of `keys` signed it and every check passes."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed token: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
    if header.get("typ") != TOKEN_TYPE:
        raise InvalidToken("not an access token")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        raise UnknownKey("the token's key is not published")
    try:
        claims = jwt.decode(
            token,
            keys[kid].key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        return AccessClaims.model_validate(claims)
    except (jwt.PyJWTError, ValidationError) as exc:
        raise InvalidToken(str(exc).splitlines()[0]) from exc


def _kid(token: str) -> object:
    try:
        return jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None


class JwksVerifier:
    """Verifies access tokens against a JWKS URL and/or pinned keys; one per process, shared by
    every request."""

    def __init__(
        self,
        jwks_url: str | None,
        *,
        issuer: str,
        audience: str,
        pinned: Mapping[str, Any] | None = None,
        client: httpx.AsyncClient | None = None,
        max_age: float = 300.0,
        min_refetch: float = 30.0,
        leeway: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._owns_client = client is None
        self._max_age = max_age
        self._min_refetch = min_refetch
        self._leeway = leeway
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()
        self._pinned = key_set(pinned or {})

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> JwksVerifier:
        if not settings.configured:
            raise ValueError(
                "no token keys: set ENSEMBLE_AUTH_JWKS_URL (identity's /.well-known/jwks.json) "
                "or ENSEMBLE_AUTH_JWKS (a JWKS document)"
            )
        return cls(
            settings.jwks_url,
            issuer=settings.issuer,
            audience=settings.audience,
            pinned=settings.jwks,
            max_age=settings.jwks_max_age_seconds,
            min_refetch=settings.jwks_min_refetch_seconds,
        )

    async def claims(self, token: str) -> AccessClaims:
        if self._url is None or _kid(token) in self._pinned:
            return self._verify(token, self._pinned)
        keys = await self._current_keys()
        try:
            return self._verify(token, keys)
        except UnknownKey:
            if not self._may_refetch():
                raise
            return self._verify(token, await self._refresh(force=True))

    async def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidToken otherwise."""
        return (await self.claims(token)).principal()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def _verify(self, token: str, keys: Mapping[str, jwt.PyJWK]) -> AccessClaims:
        return verify_with(
            token, keys, issuer=self._issuer, audience=self._audience, leeway=self._leeway
        )

    def _may_refetch(self) -> bool:
        return self._tried_at is None or self._clock() - self._tried_at >= self._min_refetch

    async def _current_keys(self) -> dict[str, jwt.PyJWK]:
        stale = self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age
        # A fetch in flight (the lock held) is waited for, not refused: the parallel calls
        # of one page to a service that just started all need its first keys.
        if stale and (self._may_refetch() or self._lock.locked()):
            return await self._refresh(force=False)
        if not self._keys and self._fetched_at is None:
            raise KeysUnavailable("the signing keys could not be fetched")
        return self._keys

    async def _refresh(self, *, force: bool) -> dict[str, jwt.PyJWK]:
        """Fetch the keys once for every caller waiting; keep the old ones if it fails."""
        assert self._url is not None  # pinned keys alone never fetch
        started, seen = self._clock(), self._tried_at
        async with self._lock:
            if self._tried_at != seen or (self._tried_at is not None and self._tried_at >= started):
                if self._fetched_at is None:  # another caller tried while we waited, and failed
                    raise KeysUnavailable("the signing keys could not be fetched")
                return self._keys  # another caller fetched while we waited
            fresh = (
                self._fetched_at is not None and self._clock() - self._fetched_at < self._max_age
            )
            if fresh and not force:
                return self._keys
            self._tried_at = self._clock()
            try:
                response = await self._client.get(self._url)
                response.raise_for_status()
                self._keys = key_set(response.json())
                self._fetched_at = self._clock()
            except (httpx.HTTPError, ValueError) as exc:
                if self._fetched_at is None:
                    raise KeysUnavailable(f"the signing keys could not be fetched: {exc}") from exc
            return self._keys
