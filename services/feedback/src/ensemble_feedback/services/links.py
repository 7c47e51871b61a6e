"""Links a member follows without logging in: one-click unsubscribe and email verification.

Each is a capability token of its own purpose (`ensemble_shared.capabilities`), so a link token
is never a bearer token nor the other kind of link. Unsubscribe links practically never expire
(mail clients and RFC 8058 expect them to keep working); verification links expire after a week
and name the address they verify. A link altered or signed with another key is refused as
forged (401); a string that is not a link at all is a bad request (400).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from ensemble_feedback.models.members import TOPICS, Topic
from ensemble_shared.capabilities import (
    Capabilities,
    CapabilityExpired,
    CapabilityForged,
    CapabilityInvalid,
)
from ensemble_shared.errors import EnsembleError, Unauthenticated
from ensemble_shared.events import utcnow

UNSUBSCRIBE = "unsubscribe"
VERIFY_EMAIL = "verify-email"
EMAIL_LINK_TTL = timedelta(days=7)
UNSUBSCRIBE_PATH = "/unsubscribe"
VERIFY_EMAIL_PATH = "/members/verify-email"


class BadLink(EnsembleError):
    """A link token that is not even well-formed (answered 400)."""


class SignedLinks:
    def __init__(self, secret: str) -> None:
        self._unsubscribe = Capabilities(secret, UNSUBSCRIBE)
        self._verification = Capabilities(secret, VERIFY_EMAIL)

    def unsubscribe_token(self, workspace: str, member_id: str, topic: Topic) -> str:
        claims = {"ws": workspace, "sub": member_id, "topic": topic}
        return self._unsubscribe.sign(claims, expires=None)  # RFC 8058 links do not expire

    def unsubscribe_path(self, workspace: str, member_id: str, topic: Topic) -> str:
        """`/unsubscribe?token=...`: the path notify appends to feedback's public URL."""
        token = self.unsubscribe_token(workspace, member_id, topic)
        return f"{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"

    def read_unsubscribe(self, token: str) -> tuple[str, str, Topic]:
        claims = _read(self._unsubscribe, token, "unsubscribe link", ["ws", "sub", "topic"])
        topic = claims["topic"]
        if topic not in TOPICS:
            raise BadLink(f"unsubscribe link: unknown topic {topic!r}")
        return str(claims["ws"]), str(claims["sub"]), topic

    def verification_path(self, workspace: str, member_id: str, email: str) -> str:
        claims = {"ws": workspace, "sub": member_id, "email": email.lower()}
        token = self._verification.sign(claims, expires=utcnow() + EMAIL_LINK_TTL)
        return f"{VERIFY_EMAIL_PATH}?{urlencode({'token': token})}"

    def read_verification(self, token: str) -> tuple[str, str, str]:
        claims = _read(self._verification, token, "verification link", ["ws", "sub", "email"])
        return str(claims["ws"]), str(claims["sub"]), str(claims["email"])


def _read(capabilities: Capabilities, token: str, what: str, required: list[str]) -> dict[str, Any]:
    try:
        claims = capabilities.verify(token)
    except CapabilityExpired as exc:
        raise Unauthenticated(f"{what}: the link has expired") from exc
    except CapabilityForged as exc:
        raise Unauthenticated(
            f"{what}: the signature does not match (the link was altered or forged)"
        ) from exc
    except CapabilityInvalid as exc:
        raise BadLink(f"{what}: not a link this service made ({exc.__cause__ or exc})") from exc
    missing = [name for name in required if name not in claims]
    if missing:
        raise BadLink(f"{what}: not a link this service made (no {', '.join(missing)})")
    return claims
