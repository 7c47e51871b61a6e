"""Signed, expiring approval links for approvers without an account. Pure (no I/O).

A token is `<payload>.<mac>`: base64url JSON claims and an HMAC-SHA256 over them, keyed by a key
derived from the shared auth secret for this purpose only (a link is never a bearer token).
Single use is not the token's business: the service records each use under the link id with a
unique-key insert.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

PURPOSE = b"ensemble/approval-links/v1"


class LinkForged(Exception):
    """Malformed, or not signed with our key."""


class LinkExpired(Exception):
    """Authentic, but past its expiry."""


@dataclass(frozen=True)
class LinkClaims:
    link_id: str
    workspace: str
    content_id: str
    approval_id: str
    step: str
    round: int
    approver: str
    expires: int  # unix seconds

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def link_id(approval_id: str, step: str, round_: int, approver: str) -> str:
    """One link per external approver per opening of a step."""
    return f"{approval_id}:{step}:{round_}:{approver}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def sign(self, claims: LinkClaims) -> str:
        payload = _b64(json.dumps(asdict(claims), separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, *, now: datetime) -> LinkClaims:
        """The claims of an authentic, unexpired token; LinkForged / LinkExpired otherwise."""
        payload, dot, mac = token.partition(".")
        if not dot or not payload or not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkForged("this approval link is not valid (altered or not ours)")
        try:
            claims = LinkClaims(**json.loads(_unb64(payload)))
        except (ValueError, TypeError, binascii.Error) as exc:
            raise LinkForged("this approval link is not valid (unreadable)") from exc
        if claims.expires <= now.timestamp():
            raise LinkExpired(
                f"this approval link expired at {claims.expires_at.isoformat()}; ask for a new one"
            )
        return claims
