"""Workspaces come to be in two ways: the operator's command, or the first-run page.

First run (`POST /setup`) is allowed only while no workspace exists. Two browsers submitting
it at once are decided by a unique-key insert (a setup claim), not by a read-then-write: the
loser gets 409. A claim whose owner died mid-setup lapses after its lease.
"""

from __future__ import annotations

import socket
from datetime import timedelta

from ensemble_identity.models.context import OPERATOR, OPERATOR_ORIGIN, Actor, Origin
from ensemble_identity.models.invitations import InvitationCreate
from ensemble_identity.models.roles import ADMIN, Locale
from ensemble_identity.models.sessions import SessionOpened
from ensemble_identity.models.workspaces import (
    SetupRequest,
    SetupStatus,
    Workspace,
    WorkspaceUpdate,
)
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.invitations import Invitations
from ensemble_identity.services.letters import Letters
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.storage import WorkspaceRepository
from ensemble_shared.capabilities import same_secret
from ensemble_shared.errors import Conflict, Forbidden, NotFound
from ensemble_shared.events import new_id

SETUP_LEASE = timedelta(minutes=2)


class Workspaces:
    def __init__(
        self,
        workspaces: WorkspaceRepository,
        people: People,
        passwords: Passwords,
        sessions: Sessions,
        invitations: Invitations,
        letters: Letters,
        audit: Audit,
        *,
        setup_token: str | None,
        verification_ttl: timedelta,
    ) -> None:
        self._workspaces = workspaces
        self._people = people
        self._passwords = passwords
        self._sessions = sessions
        self._invitations = invitations
        self._letters = letters
        self._audit = audit
        self._setup_token = setup_token
        self._verification_ttl = verification_ttl

    async def setup_status(self) -> SetupStatus:
        return SetupStatus(
            needed=not await self._workspaces.any_exists(),
            token_required=self._setup_token is not None,
        )

    async def setup(
        self, request: SetupRequest, token: str | None, origin: Origin
    ) -> SessionOpened:
        """The first workspace and its admin, signed in at once."""
        if self._setup_token is not None and not same_secret(token or "", self._setup_token):
            raise Forbidden("the setup token is not right")
        if await self._workspaces.any_exists():
            raise Conflict("Ensemble is already set up; ask an admin for an invitation")
        self._passwords.check_policy(request.password, email=request.email)
        hashed = await self._passwords.hash(request.password)
        owner = f"{socket.gethostname()}:{new_id()}"
        if not await self._workspaces.claim_setup(lease=SETUP_LEASE, owner=owner):
            raise Conflict("Ensemble is already being set up")
        if await self._workspaces.any_exists():  # the operator's command was faster
            raise Conflict("Ensemble is already set up; ask an admin for an invitation")
        workspace = Workspace(
            id=request.workspace,
            name=request.workspace_name,
            default_locale=request.default_locale,
            created_by="setup",
        )
        if not await self._workspaces.create(workspace):
            raise Conflict("this workspace already exists")
        account = await self._people.register(
            email=request.email,
            name=request.name,
            locale=request.locale or request.default_locale,
            time_zone=request.time_zone,
            workspace=workspace.id,
            via="setup",
            verified=False,
            password_hash=hashed,
        )
        actor = Actor.account(account.id, name=account.name)
        await self._audit.record(workspace.id, actor, origin, "workspace.created", workspace.id)
        await self._people.place(
            workspace.id, account, roles=[ADMIN], teams=[], actor=actor, origin=origin
        )
        await self._letters.verification(account, self._verification_ttl)
        return await self._sessions.open(account, "setup", origin)

    async def create(
        self, workspace_id: str, name: str, default_locale: Locale, admin_email: str
    ) -> str:
        """The operator's command: a workspace and its first admin's invitation link."""
        workspace = Workspace(id=workspace_id, name=name, default_locale=default_locale)
        if not await self._workspaces.create(workspace):
            raise Conflict(f"workspace {workspace_id!r} already exists")
        await self._audit.record(
            workspace.id, OPERATOR, OPERATOR_ORIGIN, "workspace.created", workspace.id
        )
        _, link = await self._invitations.invite(
            workspace.id,
            InvitationCreate(email=admin_email, roles=[ADMIN]),
            OPERATOR,
            OPERATOR_ORIGIN,
        )
        return link

    async def get(self, workspace_id: str) -> Workspace:
        workspace = await self._workspaces.get(workspace_id)
        if workspace is None:
            raise NotFound("no such workspace")
        return workspace

    async def update(
        self, workspace_id: str, update: WorkspaceUpdate, actor: Actor, origin: Origin
    ) -> Workspace:
        workspace = await self.get(workspace_id)
        changes = update.model_dump(exclude_unset=True, exclude_none=True)
        if not changes:
            return workspace
        await self._workspaces.update(workspace_id, changes)
        await self._audit.record(
            workspace_id, actor, origin, "workspace.updated", workspace_id, **changes
        )
        return workspace.model_copy(update=changes)
