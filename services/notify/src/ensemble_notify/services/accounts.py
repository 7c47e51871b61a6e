"""Staff accounts followed from identity's events: the directory entry of each account.

Identity owns who a person is (verified email, name, language, time zone) and their roles and
teams per workspace; notify keeps a copy so it can route without asking. Every event is
applied only when it is newer than what the entry already reflects (`as_of`, the event's
time), so a redelivered event or an older one arriving late changes nothing. A removal leaves
a departure mark with its time, so an older membership event cannot bring the person back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_notify.models.people import Person
from ensemble_notify.storage.people import PeopleRepository
from ensemble_shared.auth import Role
from ensemble_shared.events import (
    AccountData,
    AccountRegisteredV1,
    AccountUpdatedV1,
    Event,
    MembershipChangedV1,
    MembershipData,
    MembershipRemovedV1,
)

STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.APPROVER, Role.VIEWER})


def _profile(data: AccountData) -> dict[str, object]:
    """The fields identity owns; an address the person has not proved is never used."""
    fields: dict[str, object] = {
        "name": data.display_name,
        "email": data.email if data.email_verified else None,
        "language": data.language,
    }
    if data.time_zone:
        fields["time_zone"] = data.time_zone
    return fields


def followed(current: Person | None, event: Event, at: datetime) -> Person | None:
    """The entry after `event` (None: the person is not in this workspace's directory).

    Only membership events create an entry (they say the account is staff here); profile
    events update an entry identity already placed.
    """
    if isinstance(event, MembershipRemovedV1):
        return None
    if isinstance(event, MembershipChangedV1) and isinstance(event.data, MembershipData):
        roles = tuple(Role(r) for r in event.data.roles if r in STAFF_ROLES)
        if event.data.kind != "staff" or not roles:
            return None
        base = current or Person(id=event.data.account_id, workspace=event.workspace, name="-")
        return base.model_copy(
            update={
                **_profile(event.data),
                "roles": roles,
                "teams": event.data.teams,
                # identity owns the email now: an address still waiting for proof here goes
                "pending": tuple(p for p in base.pending if p.channel != "email"),
                "origin": "identity",
                "as_of": at,
            }
        )
    if isinstance(event, AccountRegisteredV1 | AccountUpdatedV1) and current is not None:
        if current.origin != "identity":
            return current
        return current.model_copy(update={**_profile(event.data), "as_of": at})
    return current


class AccountFollower:
    """Applies the accounts stream to the directory, one account's events in order."""

    def __init__(self, people: PeopleRepository) -> None:
        self._people = people

    async def follow(self, events: Sequence[Event]) -> None:
        for event in events:
            await self._apply(event)

    async def _apply(self, event: Event) -> None:
        account_id = getattr(event.data, "account_id", None)
        if not isinstance(account_id, str):
            return
        current, seen = await self._people.followed(event.workspace, account_id)
        # The store keeps milliseconds: compare at that precision, or a redelivery looks newer.
        at = event.time.replace(microsecond=event.time.microsecond // 1000 * 1000)
        if seen is not None and at <= seen:
            return  # redelivered, or older than what the entry already reflects
        after = followed(current, event, at)
        if after is None:
            if current is not None or isinstance(event, MembershipRemovedV1):
                await self._people.depart(event.workspace, account_id, as_of=at)
        elif after is not current:
            await self._people.put(after)
