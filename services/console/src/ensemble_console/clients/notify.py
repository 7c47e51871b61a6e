"""Notify's API: the signed unsubscribe links of people (no account needed); the in-app
inbox, preferences and routing screens add their calls here, one method per route (see
README "Adding a screen")."""

from __future__ import annotations

from ensemble_console.clients.base import Origin, WorkspaceClient
from ensemble_console.models.notify import LinkedPreferences, Unsubscribed, UnsubscribeLink


class NotifyClient(WorkspaceClient):
    service = "notify"

    async def unsubscribe_link(self, token: str, origin: Origin) -> UnsubscribeLink:
        """What the link turns off (401 forged, 422 expired or malformed); reads only."""
        answer = await self.call("GET", "/unsubscribe/link", params={"token": token}, origin=origin)
        return self.parse(UnsubscribeLink, answer)

    async def preferences_by_link(self, token: str, origin: Origin) -> LinkedPreferences:
        """A person's channels (401 forged, 422 expired or malformed); reads only."""
        answer = await self.call("GET", "/preferences/link", params={"token": token}, origin=origin)
        return self.parse(LinkedPreferences, answer)

    async def save_preferences_by_link(
        self, token: str, channels: dict[str, bool], origin: Origin
    ) -> LinkedPreferences:
        answer = await self.call(
            "PUT",
            "/preferences/link",
            params={"token": token},
            json={"channels": channels},
            origin=origin,
        )
        return self.parse(LinkedPreferences, answer)

    async def unsubscribe(self, token: str, origin: Origin) -> Unsubscribed:
        """The same POST as RFC 8058's one-click; idempotent."""
        answer = await self.call("POST", "/unsubscribe", params={"token": token}, origin=origin)
        return self.parse(Unsubscribed, answer)
