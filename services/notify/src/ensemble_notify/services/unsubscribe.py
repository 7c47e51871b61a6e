"""One-click unsubscribe links (RFC 8058) that turn one preference off.

A link names a workspace, a person, an event type (or `*`) and a channel, signed as a
capability of its own purpose (ensemble_shared.capabilities), so a link is never a bearer token
nor any other service's link. Mail clients and RFC 8058 expect a link to keep working for the
life of the message, so links live for years rather than hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlencode

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.preferences import PreferenceRule
from ensemble_notify.services.preference_links import PreferenceLinks, verified
from ensemble_notify.services.preferences import PreferenceService
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.errors import Invalid
from ensemble_shared.events import utcnow

PATH = "/unsubscribe"
PAGE = "/hooks/unsubscribe/"  # the console's page (GET shows, POST acts)
MEMBER_PAGE = "/hooks/unsubscribe/members/"
PURPOSE = "notify-unsubscribe"
LIFETIME = timedelta(days=10 * 365)


@dataclass(frozen=True)
class Unsubscription:
    workspace: str
    person: str
    event: str
    channel: ChannelName


class Unsubscribing(Protocol):
    """Makes the unsubscribe link an email carries."""

    def url(self, workspace: str, person: str, event: str, channel: ChannelName) -> str: ...

    def page(self, workspace: str, person: str, event: str, channel: ChannelName) -> str: ...

    def preferences(self, workspace: str, person: str) -> str | None: ...

    def signed_in_preferences(self, workspace: str) -> str: ...


class UnsubscribeLinks:
    def __init__(
        self,
        capabilities: Capabilities,
        base_url: str,
        console_url: str,
        preferences: PreferenceLinks | None = None,
    ) -> None:
        self._capabilities = capabilities
        self._preferences = preferences
        self._base = base_url.rstrip("/")
        self._console = console_url.rstrip("/")

    def token(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        claims = {"ws": workspace, "sub": person, "ev": event, "ch": channel.value}
        return self._capabilities.sign(claims, expires=utcnow() + LIFETIME)

    def url(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        query = urlencode({"token": self.token(workspace, person, event, channel)})
        return f"{self._base}{PATH}?{query}"

    def page(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        """The console's page for the same link: what the email's text points to."""
        return self.page_for(self.token(workspace, person, event, channel))

    def preferences(self, workspace: str, person: str) -> str | None:
        """The console's page where the person manages their channels (the email's footer)."""
        return self._preferences.page(workspace, person) if self._preferences else None

    def signed_in_preferences(self, workspace: str) -> str:
        """The console's preferences page behind sign-in: what a chat message links to. A
        chat webhook may post into a channel others read, so it carries no capability."""
        return f"{self._console}/w/{workspace}/notifications/preferences"

    def page_for(self, token: str) -> str:
        return f"{self._console}{PAGE}{token}"

    def read(self, token: str) -> Unsubscription:
        claims = verified(self._capabilities, token, "unsubscribe link")
        try:
            return Unsubscription(
                str(claims["ws"]), str(claims["sub"]), str(claims["ev"]), ChannelName(claims["ch"])
            )
        except (KeyError, ValueError):
            raise Invalid("unsubscribe link: it does not name a preference") from None


class UnsubscribeService:
    def __init__(self, links: UnsubscribeLinks, preferences: PreferenceService) -> None:
        self._links = links
        self._preferences = preferences

    def preview(self, token: str) -> Unsubscription:
        """What the link turns off (GET shows it; only POST acts, so a mail scanner that
        follows links never unsubscribes anyone)."""
        return self._links.read(token)

    def page_for(self, token: str) -> str:
        """The console's page for a link (where a browser opening the API's URL goes)."""
        return self._links.page_for(token)

    async def unsubscribe(self, token: str) -> Unsubscription:
        """Idempotent: the person's rule for that event and channel becomes `off`."""
        wanted = self._links.read(token)
        rule = PreferenceRule(event=wanted.event, channel=wanted.channel, enabled=False)
        await self._preferences.set_rule(wanted.workspace, wanted.person, rule, "link")
        return wanted
