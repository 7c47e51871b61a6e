"""Capability tokens: the signed, expiring strings inside links people follow without signing in.

Approval decision links, calendar feed links, unsubscribe links and email verification links
all use this one format: a JWT (HS256) whose key is derived from the service's secret for one
purpose only, and whose audience names that purpose. A token made for one purpose is therefore
refused for every other, and none of them is ever a bearer token. Single use and revocation are
not the token's business: the service that honours a token records its uses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt

from ensemble_shared.events import utcnow

ALGORITHM = "HS256"
_RESERVED = frozenset({"aud", "exp", "iat", "nbf", "iss"})


def same_secret(given: str, expected: str) -> bool:
    """Whether a token, code or secret someone gave is the one held, in constant time.

    The one comparison for every capability, code and shared secret: `compare_digest` on two
    `str` raises TypeError when either holds non-ASCII text (a 500 for a prober's `é`), so both
    are compared as UTF-8 bytes (lone surrogates included, as they are).
    """
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


class CapabilityInvalid(Exception):
    """Malformed, altered, or signed for another purpose."""


class CapabilityForged(CapabilityInvalid):
    """Well-formed, but the signature or the purpose is not ours: altered or forged."""


class CapabilityExpired(Exception):
    """Authentic, but past its expiry."""

    def __init__(self, message: str, *, expired_at: datetime) -> None:
        super().__init__(message)
        self.expired_at = expired_at


class Capabilities:
    """Signs and verifies the capability tokens of one purpose (e.g. "approval-link")."""

    def __init__(self, secret: str, purpose: str) -> None:
        if not purpose:
            raise ValueError("a capability needs a purpose")
        self.purpose = purpose
        self._audience = f"ensemble/{purpose}"
        self._key = hmac.new(
            secret.encode(), f"ensemble/capability/{purpose}".encode(), hashlib.sha256
        ).digest()

    def sign(self, claims: Mapping[str, Any], *, expires: datetime | None) -> str:
        """A token carrying `claims` (JSON values) until `expires` (None: until revoked by the
        service that honours it, e.g. an unsubscribe link)."""
        reserved = _RESERVED & claims.keys()
        if reserved:
            raise ValueError(f"claims may not set {sorted(reserved)}")
        payload = {**claims, "aud": self._audience}
        if expires is not None:
            payload["exp"] = int(expires.timestamp())
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def verify(self, token: str, *, now: datetime | None = None) -> dict[str, Any]:
        """The claims of an authentic token of this purpose, not expired at `now`."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                options={"require": ["aud"], "verify_exp": False},
            )
            expires = claims.pop("exp", None)
            expires_at = None if expires is None else datetime.fromtimestamp(int(expires), UTC)
        except (
            jwt.InvalidSignatureError,
            jwt.InvalidAudienceError,
            jwt.InvalidAlgorithmError,  # a well-formed token signed another way: not ours
        ) as exc:
            raise CapabilityForged(f"this {self.purpose} was altered or is not ours") from exc
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError) as exc:
            raise CapabilityInvalid(f"this {self.purpose} is not valid") from exc
        claims.pop("aud", None)
        if expires_at is not None and expires_at <= (now or utcnow()):
            raise CapabilityExpired(f"this {self.purpose} has expired", expired_at=expires_at)
        return claims
