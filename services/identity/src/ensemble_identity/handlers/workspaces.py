"""A workspace's people, invitations, API keys and audit log (admins, mostly)."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_identity.handlers.deps import (
    ClientOrigin,
    Identity,
    WorkspaceActor,
    WorkspaceAdmin,
    WorkspaceId,
    WorkspaceManager,
    WorkspaceStaff,
)
from ensemble_identity.models.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyView
from ensemble_identity.models.audit import AuditPage
from ensemble_identity.models.invitations import InvitationCreate, InvitationView
from ensemble_identity.models.memberships import MembershipUpdate, MemberView, TeamView
from ensemble_identity.models.workspaces import Workspace, WorkspaceUpdate
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/workspaces/{workspace}")


@router.get("", tags=["workspaces"], summary="The workspace.")
async def get_workspace(
    workspace: WorkspaceId, actor: WorkspaceActor, services: Identity
) -> Workspace:
    return await services.workspaces.get(workspace)


@router.patch("", tags=["workspaces"], summary="Rename, default language, member sign-up.")
async def update_workspace(
    workspace: WorkspaceId,
    body: WorkspaceUpdate,
    actor: WorkspaceAdmin,
    services: Identity,
    origin: ClientOrigin,
) -> Workspace:
    return await services.workspaces.update(workspace, body, actor, origin)


@router.get("/members", tags=["members"], summary="Everyone in the workspace.")
async def list_members(
    workspace: WorkspaceId, actor: WorkspaceManager, services: Identity
) -> list[MemberView]:
    return await services.members.everyone(workspace)


@router.get("/members/{account_id}", tags=["members"], summary="One person's place.")
async def get_member(
    workspace: WorkspaceId, account_id: str, actor: WorkspaceManager, services: Identity
) -> MemberView:
    return await services.members.get(workspace, account_id)


@router.patch(
    "/members/{account_id}", tags=["members"], summary="Set roles or teams (audited, announced)."
)
async def update_member(
    workspace: WorkspaceId,
    account_id: str,
    body: MembershipUpdate,
    actor: WorkspaceAdmin,
    services: Identity,
    origin: ClientOrigin,
) -> MemberView:
    return await services.members.update(workspace, account_id, body, actor, origin)


@router.delete(
    "/members/{account_id}", status_code=204, tags=["members"], summary="Remove from the workspace."
)
async def remove_member(
    workspace: WorkspaceId,
    account_id: str,
    actor: WorkspaceAdmin,
    services: Identity,
    origin: ClientOrigin,
) -> None:
    await services.members.remove(workspace, account_id, actor, origin)


@router.get("/teams", tags=["members"], summary="Teams and who is in them.")
async def list_teams(
    workspace: WorkspaceId, actor: WorkspaceStaff, services: Identity
) -> list[TeamView]:
    return await services.members.teams(workspace)


@router.post(
    "/invitations", status_code=201, tags=["invitations"], summary="Invite someone by email."
)
async def invite(
    workspace: WorkspaceId,
    body: InvitationCreate,
    actor: WorkspaceAdmin,
    services: Identity,
    origin: ClientOrigin,
) -> InvitationView:
    invitation, _ = await services.invitations.invite(workspace, body, actor, origin)
    return invitation


@router.get("/invitations", tags=["invitations"], summary="Invitations and their state.")
async def list_invitations(
    workspace: WorkspaceId, actor: WorkspaceAdmin, services: Identity
) -> list[InvitationView]:
    return await services.invitations.of_workspace(workspace)


@router.delete(
    "/invitations/{invitation_id}", status_code=204, tags=["invitations"], summary="Revoke."
)
async def revoke_invitation(
    workspace: WorkspaceId,
    invitation_id: str,
    actor: WorkspaceAdmin,
    services: Identity,
    origin: ClientOrigin,
) -> None:
    await services.invitations.revoke(workspace, invitation_id, actor, origin)


@router.post(
    "/api-keys",
    status_code=201,
    tags=["api keys"],
    summary="Create an API key (the secret is shown once).",
)
async def create_api_key(
    workspace: WorkspaceId,
    body: ApiKeyCreate,
    actor: WorkspaceStaff,
    services: Identity,
    origin: ClientOrigin,
) -> ApiKeyCreated:
    return await services.api_keys.create(workspace, body, actor, origin)


@router.get("/api-keys", tags=["api keys"], summary="Keys (admins: all; others: their own).")
async def list_api_keys(
    workspace: WorkspaceId, actor: WorkspaceStaff, services: Identity
) -> list[ApiKeyView]:
    return await services.api_keys.visible(workspace, actor)


@router.delete("/api-keys/{key_id}", status_code=204, tags=["api keys"], summary="Revoke a key.")
async def revoke_api_key(
    workspace: WorkspaceId,
    key_id: str,
    actor: WorkspaceStaff,
    services: Identity,
    origin: ClientOrigin,
) -> None:
    await services.api_keys.revoke(workspace, key_id, actor, origin)


@router.get("/audit", tags=["audit"], summary="Who changed what, newest first.")
async def audit_log(
    workspace: WorkspaceId,
    actor: WorkspaceAdmin,
    services: Identity,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> AuditPage:
    return await services.audit.page(workspace, cursor, limit)
