"""Feedback's field events as the community portal calls them: the public list and page (no
sign-in: `/workspaces/{workspace}/field-events`), and a member's own RSVP with their token."""

from __future__ import annotations

from typing import Literal

from ensemble_console.clients.base import Caller, Origin, WorkspaceClient
from ensemble_console.models.portal_events import MyRsvp, PortalEvent, PortalEventPage


class PortalEventsClient(WorkspaceClient):
    service = "feedback"

    async def events(
        self,
        origin: Origin,
        workspace: str,
        when: Literal["upcoming", "past"],
        cursor: str | None = None,
        limit: int = 50,
    ) -> PortalEventPage:
        """Upcoming soonest first, past latest first."""
        params = {"when": when, "limit": limit, **({"cursor": cursor} if cursor else {})}
        path = f"/workspaces/{workspace}/field-events"
        return self.parse(
            PortalEventPage, await self.call("GET", path, origin=origin, params=params)
        )

    async def event(self, origin: Origin, workspace: str, event_id: str) -> PortalEvent:
        path = f"/workspaces/{workspace}/field-events/{event_id}"
        return self.parse(PortalEvent, await self.call("GET", path, origin=origin))

    async def mine(self, caller: Caller, workspace: str, event_id: str) -> MyRsvp:
        path = f"/field-events/{event_id}/my-rsvp"
        return self.parse(MyRsvp, await self.as_person(caller, workspace, "GET", path))

    async def rsvp(self, caller: Caller, workspace: str, event_id: str, on: bool) -> MyRsvp:
        """On: a seat or a waitlist place (twice answers the same); off: given back. 409 when
        the event is over or cancelled."""
        method = "POST" if on else "DELETE"
        path = f"/field-events/{event_id}/rsvp"
        return self.parse(MyRsvp, await self.as_person(caller, workspace, method, path))
