"""Notify's API: the signed unsubscribe links of people (no account needed); a person's
in-app inbox and preferences; for managers, the people directory; for admins, integrator
endpoints, the delivery log and replays, routing rules and the workspace's preference
defaults. One method per route (see README "Adding a screen")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_console.clients.base import Caller, Origin, WorkspaceClient, segment
from ensemble_console.models.notify import (
    AddressChange,
    Delivery,
    DeliveryDetail,
    Endpoint,
    EndpointCreated,
    EndpointDetail,
    InboxPage,
    LinkedPreferences,
    Person,
    Preferences,
    Replay,
    RoutingRules,
    Team,
    Unsubscribed,
    UnsubscribeLink,
)


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

    async def inbox(self, caller: Caller, workspace: str, cursor: str | None) -> InboxPage:
        answer = await self.as_person(
            caller, workspace, "GET", "/inbox", params={"cursor": cursor, "limit": 25}
        )
        return self.parse(InboxPage, answer)

    async def unread(self, caller: Caller, workspace: str) -> int:
        answer = await self.as_person(caller, workspace, "GET", "/inbox/unread-count")
        return int(answer["unread"])

    async def mark_read(self, caller: Caller, workspace: str, notification_id: str) -> None:
        await self.as_person(caller, workspace, "POST", f"/inbox/{notification_id}/read")

    async def my_preferences(self, caller: Caller, workspace: str) -> Preferences:
        answer = await self.as_person(caller, workspace, "GET", "/me/preferences")
        return self.parse(Preferences, answer)

    async def save_my_preferences(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> Preferences:
        answer = await self.as_person(caller, workspace, "PUT", "/me/preferences", json=body)
        return self.parse(Preferences, answer)

    async def endpoints(self, caller: Caller, workspace: str) -> list[Endpoint]:
        return self.parse_list(
            Endpoint, await self.as_person(caller, workspace, "GET", "/endpoints")
        )

    async def create_endpoint(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> EndpointCreated:
        answer = await self.as_person(caller, workspace, "POST", "/endpoints", json=body)
        return self.parse(EndpointCreated, answer)

    async def endpoint(self, caller: Caller, workspace: str, endpoint_id: str) -> EndpointDetail:
        """404 when the workspace has no such endpoint."""
        path = f"/endpoints/{segment(endpoint_id)}"
        return self.parse(EndpointDetail, await self.as_person(caller, workspace, "GET", path))

    async def disable_endpoint(
        self, caller: Caller, workspace: str, endpoint_id: str, enabled: bool
    ) -> Endpoint:
        answer = await self.as_person(
            caller, workspace, "PATCH", f"/endpoints/{endpoint_id}", json={"enabled": enabled}
        )
        return self.parse(Endpoint, answer)

    async def rotate_secret(
        self, caller: Caller, workspace: str, endpoint_id: str, grace_seconds: int
    ) -> str:
        """The new secret (shown once); the old ones keep signing for `grace_seconds`."""
        answer = await self.as_person(
            caller,
            workspace,
            "POST",
            f"/endpoints/{endpoint_id}/secrets/rotate",
            json={"expire_old_after_seconds": grace_seconds},
        )
        return str(answer["secret"])

    async def deliveries(
        self, caller: Caller, workspace: str, status: str | None
    ) -> list[Delivery]:
        answer = await self.as_person(
            caller, workspace, "GET", "/deliveries", params={"status": status, "limit": 100}
        )
        return self.parse_list(Delivery, answer["items"])

    async def delivery(self, caller: Caller, workspace: str, delivery_id: str) -> DeliveryDetail:
        """404 when the workspace has no such delivery."""
        path = f"/deliveries/{segment(delivery_id)}"
        return self.parse(DeliveryDetail, await self.as_person(caller, workspace, "GET", path))

    async def replay_delivery(self, caller: Caller, workspace: str, delivery_id: str) -> Replay:
        answer = await self.as_person(
            caller, workspace, "POST", f"/deliveries/{delivery_id}/replay"
        )
        return self.parse(Replay, answer)

    async def replay_endpoint(
        self, caller: Caller, workspace: str, endpoint_id: str, since: datetime
    ) -> Replay:
        body = {"since": since.isoformat()}
        answer = await self.as_person(
            caller, workspace, "POST", f"/endpoints/{endpoint_id}/replay", json=body
        )
        return self.parse(Replay, answer)

    async def replay(self, caller: Caller, workspace: str, replay_id: str) -> Replay:
        answer = await self.as_person(caller, workspace, "GET", f"/replays/{replay_id}")
        return self.parse(Replay, answer)

    async def routing_rules(self, caller: Caller, workspace: str) -> RoutingRules:
        answer = await self.as_person(caller, workspace, "GET", "/routing/rules")
        return self.parse(RoutingRules, answer)

    async def save_routing_rules(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> RoutingRules:
        """Replaces the whole rule set (admins; 422 names the field, e.g. `rules.0.event`)."""
        answer = await self.as_person(caller, workspace, "PUT", "/routing/rules", json=body)
        return self.parse(RoutingRules, answer)

    async def preference_defaults(self, caller: Caller, workspace: str) -> Preferences:
        answer = await self.as_person(caller, workspace, "GET", "/preferences/defaults")
        return self.parse(Preferences, answer)

    async def save_preference_defaults(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> Preferences:
        answer = await self.as_person(caller, workspace, "PUT", "/preferences/defaults", json=body)
        return self.parse(Preferences, answer)

    async def people(self, caller: Caller, workspace: str) -> list[Person]:
        answer = await self.as_person(caller, workspace, "GET", "/people", params={"limit": 100})
        return self.parse_list(Person, answer)

    async def person(self, caller: Caller, workspace: str, person_id: str) -> Person:
        path = f"/people/{segment(person_id)}"
        return self.parse(Person, await self.as_person(caller, workspace, "GET", path))

    async def save_person(
        self, caller: Caller, workspace: str, person_id: str, body: dict[str, Any]
    ) -> Person:
        """Managers; an address that differs from the one in use is a change only the person
        or an admin may make (403), and it waits for its proof; identity's fields: 409."""
        path = f"/people/{segment(person_id)}"
        answer = await self.as_person(caller, workspace, "PUT", path, json=body)
        return self.parse(Person, answer)

    async def set_addresses(
        self, caller: Caller, workspace: str, person_id: str, body: dict[str, str | None]
    ) -> Person:
        """The person or an admin (403 otherwise): a field given sets that address (null
        removes it), each new one pending until its owner confirms the message sent to it;
        422 names the field; an identity account's email, 409."""
        path = f"/people/{segment(person_id)}/addresses"
        answer = await self.as_person(caller, workspace, "PUT", path, json=body)
        return self.parse(Person, answer)

    async def address_changes(
        self, caller: Caller, workspace: str, person_id: str
    ) -> list[AddressChange]:
        """The person's or an admin's to read (403 otherwise), newest first."""
        path = f"/people/{segment(person_id)}/address-changes"
        answer = await self.as_person(caller, workspace, "GET", path, params={"limit": 100})
        return self.parse_list(AddressChange, answer)

    async def teams(self, caller: Caller, workspace: str) -> list[Team]:
        answer = await self.as_person(caller, workspace, "GET", "/teams", params={"limit": 100})
        return self.parse_list(Team, answer)

    async def team(self, caller: Caller, workspace: str, name: str) -> Team:
        path = f"/teams/{segment(name)}"
        return self.parse(Team, await self.as_person(caller, workspace, "GET", path))

    async def save_team(
        self, caller: Caller, workspace: str, name: str, body: dict[str, Any]
    ) -> Team:
        """Managers and admins; replaces the team (422 names the field, e.g. `on_call.0`)."""
        path = f"/teams/{segment(name)}"
        return self.parse(Team, await self.as_person(caller, workspace, "PUT", path, json=body))
