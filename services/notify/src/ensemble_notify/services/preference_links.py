"""Preference links: the "manage my notifications" link in a person's emails, which opens the
console's page (`/hooks/preferences/<token>`) where they turn whole channels on or off
without signing in.

A link names a workspace and a person, signed as a capability of its own purpose, so it is
never an unsubscribe link, a bearer token nor another service's link. It changes more than
one preference, so it lives for 90 days rather than an unsubscribe link's years; every email
carries a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.preferences import (
    ChannelSwitches,
    LinkedPreferences,
    PreferenceRule,
    Preferences,
)
from ensemble_notify.services.preferences import PreferenceService
from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Invalid, Unauthenticated
from ensemble_shared.events import utcnow

PURPOSE = "notify-preferences"
PAGE = "/hooks/preferences/"
LIFETIME = timedelta(days=90)
# The channels a person is reached on (webhooks are integrators' endpoints, not people's).
PERSONAL = (ChannelName.EMAIL, ChannelName.IN_APP, ChannelName.SLACK, ChannelName.TEAMS)


@dataclass(frozen=True)
class Holder:
    workspace: str
    person: str


class PreferenceLinks:
    def __init__(self, capabilities: Capabilities, console_url: str) -> None:
        self._capabilities = capabilities
        self._console = console_url.rstrip("/")

    def token(self, workspace: str, person: str) -> str:
        return self._capabilities.sign(
            {"ws": workspace, "sub": person}, expires=utcnow() + LIFETIME
        )

    def page(self, workspace: str, person: str) -> str:
        return f"{self._console}{PAGE}{self.token(workspace, person)}"

    def read(self, token: str) -> Holder:
        claims = verified(self._capabilities, token, "preferences link")
        if not isinstance(claims.get("ws"), str) or not isinstance(claims.get("sub"), str):
            raise Invalid("preferences link: it does not name a person")
        return Holder(claims["ws"], claims["sub"])


def verified(capabilities: Capabilities, token: str, what: str) -> dict[str, Any]:
    """The claims of one of our links: expired is 422, anything not ours 401."""
    try:
        return capabilities.verify(token)
    except CapabilityExpired as exc:
        raise Invalid(f"{what}: this link has expired") from exc
    except CapabilityInvalid as exc:
        raise Unauthenticated(f"{what}: not a link we sent") from exc


def switches(mine: Preferences) -> dict[str, bool]:
    """Each personal channel, on unless the person's own rule for every event turns it off."""
    off = {r.channel for r in mine.rules if r.event == "*" and not r.enabled}
    return {c.value: c not in off and "*" not in off for c in PERSONAL}


class PreferenceLinkService:
    def __init__(self, links: PreferenceLinks, preferences: PreferenceService) -> None:
        self._links = links
        self._preferences = preferences

    async def read(self, token: str) -> LinkedPreferences:
        """What the page shows; reads only."""
        holder = self._links.read(token)
        mine = await self._preferences.get(holder.workspace, holder.person)
        return LinkedPreferences(
            workspace=holder.workspace, person=holder.person, channels=switches(mine)
        )

    async def save(self, token: str, body: ChannelSwitches) -> LinkedPreferences:
        """Each channel named becomes the person's rule for every event on it; finer rules
        (per event type, digests) stay as they are."""
        holder = self._links.read(token)
        for channel, enabled in body.channels.items():
            rule = PreferenceRule(event="*", channel=ChannelName(channel), enabled=enabled)
            await self._preferences.set_rule(
                holder.workspace, holder.person, rule, "preferences_link"
            )
        return await self.read(token)
