"""What admins do to people's places: roles and teams, removal; a workspace keeps an admin.

Every change is written with its `membership.*` event (the outbox) and recorded in the audit
log by `People`. The last admin can neither be demoted nor removed (409): a workspace without
an admin could only be repaired by the operator.

A community member who erases their data in feedback (`member.erased`) loses their member
place in that workspace the same way, by the system; a staff place is never touched, and the
account stays, since one account (one email) serves every workspace the person belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_identity.models.accounts import Account
from ensemble_identity.models.context import SYSTEM, Actor, Origin
from ensemble_identity.models.memberships import (
    Membership,
    MembershipUpdate,
    MemberView,
    TeamView,
)
from ensemble_identity.models.roles import ADMIN
from ensemble_identity.services.people import People
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import Event, MemberErasedV1

ERASURE_ORIGIN = Origin(ip="event", user_agent="member.erased.v1")


class Members:
    def __init__(self, people: People) -> None:
        self._people = people

    async def everyone(self, workspace: str) -> list[MemberView]:
        places = await self._people.memberships.in_workspace(workspace)
        accounts = await self._people.accounts.many(p.account_id for p in places)
        return [
            MemberView.of(p, accounts[p.account_id]) for p in places if p.account_id in accounts
        ]

    async def get(self, workspace: str, account_id: str) -> MemberView:
        place, account = await self._place(workspace, account_id)
        return MemberView.of(place, account)

    async def update(
        self,
        workspace: str,
        account_id: str,
        update: MembershipUpdate,
        actor: Actor,
        origin: Origin,
    ) -> MemberView:
        place, account = await self._place(workspace, account_id)
        roles = tuple(update.roles) if update.roles is not None else place.roles
        teams = tuple(update.teams) if update.teams is not None else place.teams
        if ADMIN in place.roles and ADMIN not in roles:
            await self._keep_an_admin(workspace, account_id)
        changed = await self._people.place(
            workspace, account, roles=roles, teams=teams, actor=actor, origin=origin
        )
        return MemberView.of(changed, account)

    async def remove(self, workspace: str, account_id: str, actor: Actor, origin: Origin) -> None:
        place, account = await self._place(workspace, account_id)
        if ADMIN in place.roles:
            await self._keep_an_admin(workspace, account_id)
        await self._people.remove(place, account, actor=actor, origin=origin)

    async def erased(self, events: Sequence[Event]) -> None:
        """Remove the member place of every id feedback erased (once: a redelivered event
        finds no place left)."""
        for event in events:
            if not isinstance(event, MemberErasedV1):
                continue
            for account_id in sorted({event.data.member_id, *event.data.erased_member_ids}):
                place = await self._people.memberships.get(event.workspace, account_id)
                account = await self._people.account(account_id) if place else None
                if place is None or account is None or place.kind != "member":
                    continue
                await self._people.remove(place, account, actor=SYSTEM, origin=ERASURE_ORIGIN)

    async def teams(self, workspace: str) -> list[TeamView]:
        members: dict[str, list[str]] = {}
        for place in await self._people.memberships.in_workspace(workspace):
            for team in place.teams:
                members.setdefault(team, []).append(place.account_id)
        return [TeamView(name=name, members=ids) for name, ids in sorted(members.items())]

    async def _place(self, workspace: str, account_id: str) -> tuple[Membership, Account]:
        place = await self._people.memberships.get(workspace, account_id)
        account = await self._people.account(account_id) if place else None
        if place is None or account is None:
            raise NotFound("no such member in this workspace")
        return place, account

    async def _keep_an_admin(self, workspace: str, leaving: str) -> None:
        places = await self._people.memberships.in_workspace(workspace)
        if not any(ADMIN in p.roles and p.account_id != leaving for p in places):
            raise Conflict("a workspace keeps at least one admin")
