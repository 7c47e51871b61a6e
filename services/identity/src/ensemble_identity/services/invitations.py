"""Invitations: admins bring staff (or members) in by email; following the link accepts.

The invitation is a random single-use secret (stored as a digest) that expires. Inviting the
same address again revokes the earlier pending invitation, so only the newest link works.
Accepting proves the address: a new account starts verified, with the name and password given
on the page, and is signed in; an existing account gets the place and signs in as usual.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.invitations import (
    Invitation,
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationPreview,
    InvitationView,
)
from ensemble_identity.models.links import Link, LinkState
from ensemble_identity.models.opaque import short_id
from ensemble_identity.models.workspaces import Workspace
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.letters import Letters, language
from ensemble_identity.services.links import Links
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.storage import InvitationRepository, WorkspaceRepository
from ensemble_shared.errors import Invalid, NotFound
from ensemble_shared.events import utcnow


class Invitations:
    def __init__(
        self,
        invitations: InvitationRepository,
        workspaces: WorkspaceRepository,
        people: People,
        passwords: Passwords,
        sessions: Sessions,
        links: Links,
        letters: Letters,
        audit: Audit,
        *,
        ttl: timedelta,
    ) -> None:
        self._invitations = invitations
        self._workspaces = workspaces
        self._people = people
        self._passwords = passwords
        self._sessions = sessions
        self._links = links
        self._letters = letters
        self._audit = audit
        self.ttl = ttl

    async def invite(
        self, workspace_id: str, body: InvitationCreate, actor: Actor, origin: Origin
    ) -> tuple[InvitationView, str]:
        """Create and email an invitation; returns it and its link (the operator prints it)."""
        workspace = await self._workspace(workspace_id)
        for earlier in await self._invitations.in_workspace(workspace.id, email=body.email):
            await self._links.revoke(earlier.link)
        invitation_id = short_id()
        secret, link = await self._links.issue(
            "invitation", body.email, self.ttl, workspace=workspace.id, invitation_id=invitation_id
        )
        account = await self._people.by_email(body.email)
        invitation = Invitation(
            id=invitation_id,
            workspace=workspace.id,
            email=body.email,
            roles=tuple(body.roles),
            teams=tuple(sorted(set(body.teams))),
            locale=language(
                account.locale if account else None, body.locale, workspace.default_locale
            ),
            invited_by=actor.id,
            invited_by_name=actor.name or actor.id,
            created_at=link.created_at,
            expires_at=link.expires_at,
            link=link.digest,
        )
        await self._invitations.insert(invitation)
        await self._letters.send(
            "invitation",
            invitation.email,
            secret,
            lang=invitation.locale,
            ttl=self.ttl,
            workspace_name=workspace.name,
            inviter_name=invitation.invited_by_name,
            roles=invitation.roles,
        )
        await self._audit.record(
            workspace.id,
            actor,
            origin,
            "invitation.created",
            invitation.id,
            email=invitation.email,
            roles=list(invitation.roles),
            teams=list(invitation.teams),
        )
        return InvitationView.of(invitation, "valid"), self._links.url("invitation", secret)

    async def of_workspace(self, workspace_id: str) -> list[InvitationView]:
        invitations = await self._invitations.in_workspace(workspace_id)
        outcomes = await self._links.states([i.link for i in invitations])
        now = utcnow()

        def state(invitation: Invitation) -> LinkState:
            outcome = outcomes.get(invitation.link)
            if outcome is not None:
                return "revoked" if outcome == "revoked" else "used"
            return "expired" if invitation.expires_at <= now else "valid"

        return [InvitationView.of(i, state(i)) for i in invitations]

    async def revoke(
        self, workspace_id: str, invitation_id: str, actor: Actor, origin: Origin
    ) -> None:
        invitation = await self._invitations.get(invitation_id)
        if invitation is None or invitation.workspace != workspace_id:
            raise NotFound("no such invitation")
        if await self._links.revoke(invitation.link):
            await self._audit.record(
                workspace_id,
                actor,
                origin,
                "invitation.revoked",
                invitation.id,
                email=invitation.email,
            )

    async def preview(self, secret: str) -> InvitationPreview:
        _, invitation, workspace = await self._open(secret)
        return InvitationPreview(
            workspace=workspace.id,
            workspace_name=workspace.name,
            email=invitation.email,
            roles=invitation.roles,
            invited_by_name=invitation.invited_by_name,
            expires_at=invitation.expires_at,
            account_exists=await self._people.by_email(invitation.email) is not None,
        )

    async def accept(self, body: InvitationAccept, origin: Origin) -> InvitationAccepted:
        link, invitation, workspace = await self._open(body.token)
        account = await self._people.by_email(invitation.email)
        hashed = None
        if account is None:
            if not body.name or body.password is None:
                raise Invalid("a name and a password are needed to create the account")
            self._passwords.check_policy(body.password, email=invitation.email)
            hashed = await self._passwords.hash(body.password)
        await self._links.spend(link)
        how: Literal["created", "joined"] = "joined"
        if account is None:
            account = await self._people.register(
                email=invitation.email,
                name=body.name or invitation.email,
                locale=body.locale or invitation.locale,
                time_zone=body.time_zone,
                workspace=workspace.id,
                via="invitation",
                verified=True,
                password_hash=hashed,
            )
            how = "created"
        elif not account.email_verified:
            account = await self._people.update(account, {"email_verified": True})
        actor = Actor.account(account.id, name=account.name)
        await self._people.join(
            workspace.id, account, invitation.roles, invitation.teams, actor=actor, origin=origin
        )
        await self._audit.record(
            workspace.id, actor, origin, "invitation.accepted", invitation.id, account=how
        )
        accepted = InvitationAccepted(workspace=workspace.id, account_id=account.id)
        if how == "created":
            opened = await self._sessions.open(account, "invitation", origin)
            accepted.session_token = opened.session_token
            accepted.session_id = opened.session_id
            accepted.expires_at = opened.expires_at
        return accepted

    async def _open(self, secret: str) -> tuple[Link, Invitation, Workspace]:
        link = await self._links.open("invitation", secret)
        invitation = await self._invitations.get(link.invitation_id or "")
        workspace = await self._workspaces.get(link.workspace or "")
        if invitation is None or workspace is None:
            raise NotFound("no such invitation")
        return link, invitation, workspace

    async def _workspace(self, workspace_id: str) -> Workspace:
        workspace = await self._workspaces.get(workspace_id)
        if workspace is None:
            raise NotFound("no such workspace")
        return workspace
