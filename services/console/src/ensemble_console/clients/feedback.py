"""Feedback's API: the signed unsubscribe links of community members (no account needed);
the community portal and the staff console's community screens add their calls here, one
method per route (see README "Adding a screen").

Only the POST unsubscribes: the page never calls `GET /unsubscribe`."""

from __future__ import annotations

from ensemble_console.clients.base import Origin, WorkspaceClient
from ensemble_console.models.feedback import MemberUnsubscribed, MemberUnsubscribeLink


class FeedbackClient(WorkspaceClient):
    service = "feedback"

    async def unsubscribe_link(self, token: str, origin: Origin) -> MemberUnsubscribeLink:
        """What the link stops (401 forged, 400 not a link, 404 member gone); reads only."""
        answer = await self.call("GET", "/unsubscribe/link", params={"token": token}, origin=origin)
        return self.parse(MemberUnsubscribeLink, answer)

    async def unsubscribe(self, token: str, origin: Origin) -> MemberUnsubscribed:
        """RFC 8058's one-click POST; idempotent."""
        answer = await self.call("POST", "/unsubscribe", params={"token": token}, origin=origin)
        return self.parse(MemberUnsubscribed, answer)
