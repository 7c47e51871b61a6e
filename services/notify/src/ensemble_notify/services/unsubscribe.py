"""One-click, signed unsubscribe links (RFC 8058) that turn one preference off.

A link names a workspace, a person, an event type (or `*`) and a channel, signed as an HS256
JWT under a key derived from the service's auth secret for this purpose only, so a link is
never a bearer token. Links do not expire: mail clients and RFC 8058 expect them to keep
working for the life of the message.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.preferences import PreferenceRule
from ensemble_notify.services.preferences import PreferenceService
from ensemble_shared.errors import Invalid, Unauthenticated
from ensemble_shared.events import utcnow

PATH = "/unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    workspace: str
    person: str
    event: str
    channel: ChannelName


class UnsubscribeLinks:
    def __init__(self, secret: str, base_url: str) -> None:
        self._key = hmac.new(secret.encode(), b"ensemble/notify-unsubscribe", hashlib.sha256)
        self._base = base_url.rstrip("/")

    def token(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        claims = {"ws": workspace, "sub": person, "ev": event, "ch": channel.value, "iat": utcnow()}
        return jwt.encode(claims, self._key.hexdigest(), algorithm="HS256")

    def url(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        query = urlencode({"token": self.token(workspace, person, event, channel)})
        return f"{self._base}{PATH}?{query}"

    def read(self, token: str) -> Unsubscription:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.hexdigest(),
                algorithms=["HS256"],
                options={"require": ["ws", "sub", "ev", "ch"]},
            )
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("unsubscribe link: the signature does not match") from exc
        except jwt.PyJWTError as exc:
            raise Invalid(f"unsubscribe link: not a link we sent ({exc})") from exc
        try:
            channel = ChannelName(claims["ch"])
        except ValueError:
            raise Invalid("unsubscribe link: unknown channel") from None
        return Unsubscription(str(claims["ws"]), str(claims["sub"]), str(claims["ev"]), channel)


class UnsubscribeService:
    def __init__(self, links: UnsubscribeLinks, preferences: PreferenceService) -> None:
        self._links = links
        self._preferences = preferences

    def preview(self, token: str) -> Unsubscription:
        """What the link turns off (GET shows it; only POST acts, so a mail scanner that
        follows links never unsubscribes anyone)."""
        return self._links.read(token)

    async def unsubscribe(self, token: str) -> Unsubscription:
        """Idempotent: the person's rule for that event and channel becomes `off`."""
        wanted = self._links.read(token)
        rule = PreferenceRule(event=wanted.event, channel=wanted.channel, enabled=False)
        await self._preferences.set_rule(wanted.workspace, wanted.person, rule)
        return wanted
