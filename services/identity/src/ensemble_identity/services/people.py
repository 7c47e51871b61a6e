"""People: every write to accounts and memberships, each with the event that announces it.

One place builds the accounts stream's events, so notify's directory and feedback's members
(which will follow them) always get the same complete picture: who the person is (verified
email, name, language, time zone) and their kind, roles and teams in the event's workspace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ensemble_identity.models.accounts import Account
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.memberships import Membership
from ensemble_identity.models.roles import MEMBER, Locale
from ensemble_identity.services.audit import Audit
from ensemble_identity.storage import AccountRepository, MembershipRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import (
    AccountRegisteredV1,
    AccountUpdatedV1,
    MembershipChangedV1,
    MembershipRemovedData,
    MembershipRemovedV1,
    RegistrationData,
    Source,
    envelope,
    new_id,
    utcnow,
)
from ensemble_shared.events.accounts import Registration


class People:
    def __init__(
        self, accounts: AccountRepository, memberships: MembershipRepository, audit: Audit
    ) -> None:
        self.accounts = accounts
        self.memberships = memberships
        self._audit = audit

    async def account(self, account_id: str) -> Account | None:
        return await self.accounts.get(account_id)

    async def by_email(self, email: str) -> Account | None:
        return await self.accounts.by_email(email)

    async def register(
        self,
        *,
        email: str,
        name: str,
        locale: Locale,
        workspace: str,
        via: Registration,
        verified: bool,
        password_hash: str | None = None,
        time_zone: str | None = None,
    ) -> Account:
        """A new account for `email`; Conflict if the address already has one."""
        account_id = new_id()
        owner = await self.accounts.claim_email(email, account_id)
        if owner != account_id and await self.accounts.get(owner) is not None:
            raise Conflict("an account with this email already exists")
        account = Account(
            id=owner,  # a key left by a crashed attempt: complete its account
            email=email,
            email_verified=verified,
            name=name,
            locale=locale,
            time_zone=time_zone,
            password_hash=password_hash,
        )
        registered = AccountRegisteredV1(
            **envelope(Source.IDENTITY, workspace, account.id),
            data=RegistrationData(**account.data().model_dump(), via=via),
        )
        if not await self.accounts.create(account, [registered]):
            raise Conflict("an account with this email already exists")
        return account

    async def join(
        self,
        workspace: str,
        account: Account,
        roles: Iterable[str],
        teams: Iterable[str],
        *,
        actor: Actor,
        origin: Origin,
    ) -> Membership:
        """Give `account` a place in `workspace`, merged with the one it has: roles and teams
        add up (an invitation never takes a role away)."""
        before = await self.memberships.get(workspace, account.id)
        if before is not None:
            wanted = set(roles)
            # Staff stay staff (a member invitation adds nothing); a member may be promoted.
            roles = set(before.roles) | (wanted - {MEMBER}) if before.kind == "staff" else wanted
            teams = set(before.teams) | set(teams)
        return await self.place(
            workspace, account, roles=roles, teams=teams, actor=actor, origin=origin
        )

    async def place(
        self,
        workspace: str,
        account: Account,
        *,
        roles: Iterable[str],
        teams: Iterable[str],
        actor: Actor,
        origin: Origin,
    ) -> Membership:
        """Set `account`'s roles and teams in `workspace` exactly (announced and audited)."""
        before = await self.memberships.get(workspace, account.id)
        membership = Membership(
            workspace=workspace,
            account_id=account.id,
            roles=tuple(sorted(set(roles))),
            teams=tuple(sorted(set(teams))),
            created_at=before.created_at if before else utcnow(),
        )
        if before and (before.roles, before.teams) == (membership.roles, membership.teams):
            return before
        changed = MembershipChangedV1(
            **envelope(Source.IDENTITY, workspace, account.id),
            data=membership.announced(account, by=actor.id, before=before),
        )
        await self.memberships.put(membership, [changed])
        await self._audit.record(
            workspace,
            actor,
            origin,
            "membership.changed" if before else "membership.created",
            account.id,
            email=account.email,
            roles=list(membership.roles),
            teams=list(membership.teams),
            previous_roles=list(before.roles) if before else [],
            previous_teams=list(before.teams) if before else [],
        )
        return membership

    async def remove(
        self, membership: Membership, account: Account, *, actor: Actor, origin: Origin
    ) -> None:
        removed = MembershipRemovedV1(
            **envelope(Source.IDENTITY, membership.workspace, account.id),
            data=MembershipRemovedData(
                account_id=account.id,
                email=account.email,
                previous_roles=membership.roles,
                previous_teams=membership.teams,
                by=actor.id,
            ),
        )
        await self.memberships.remove(membership, [removed])
        await self._audit.record(
            membership.workspace,
            actor,
            origin,
            "membership.removed",
            account.id,
            email=account.email,
            previous_roles=list(membership.roles),
            previous_teams=list(membership.teams),
        )

    async def update(self, account: Account, changes: dict[str, Any]) -> Account:
        """Change profile fields and tell each of the account's workspaces."""
        updated = account.model_copy(update={**changes, "updated_at": utcnow()})
        if updated.data() == account.data():
            if changes:
                await self.accounts.update(account.id, changes, [])
            return updated
        places = await self.memberships.of_account(account.id)
        events = [
            AccountUpdatedV1(
                **envelope(Source.IDENTITY, place.workspace, account.id), data=updated.data()
            )
            for place in places
        ]
        await self.accounts.update(account.id, changes, events)
        return updated
