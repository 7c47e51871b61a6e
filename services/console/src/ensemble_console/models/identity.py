"""Identity's answers, as the console's pages read them (see services/identity/README.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Account(Answer):
    id: str
    email: str
    email_verified: bool
    name: str
    locale: str
    time_zone: str | None
    has_password: bool
    created_at: datetime


class WorkspaceSettings(Answer):
    """Identity's `GET /workspaces/{workspace}`: what its admins may change."""

    id: str
    name: str
    default_locale: str = "en"
    member_signup: bool = True


class Place(Answer):
    workspace: str
    workspace_name: str
    kind: str
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    reachable: bool

    @property
    def admin(self) -> bool:
        return "admin" in self.roles

    @property
    def staff(self) -> bool:
        return self.kind == "staff"


class Me(Answer):
    account: Account
    places: list[Place]

    def place(self, workspace: str) -> Place | None:
        return next((p for p in self.places if p.workspace == workspace), None)

    @property
    def home(self) -> Place | None:
        """Where `/` leads: the first staff place this session reaches, else any reachable."""
        reachable = [p for p in self.places if p.reachable]
        return next((p for p in reachable if p.staff), reachable[0] if reachable else None)


class SessionOpened(Answer):
    session_token: str
    session_id: str
    expires_at: datetime
    account: Account


class AccessToken(Answer):
    access_token: str
    expires_in: int


class SetupStatus(Answer):
    needed: bool
    token_required: bool


class Provider(Answer):
    name: str
    title: str


class OidcStarted(Answer):
    authorization_url: str
    state: str


class SessionView(Answer):
    id: str
    method: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str
    current: bool


class LinkStatus(Answer):
    purpose: str
    email: str
    workspace: str | None
    expires_at: datetime


class InvitationPreview(Answer):
    workspace: str
    workspace_name: str
    email: str
    roles: tuple[str, ...]
    invited_by_name: str
    expires_at: datetime
    account_exists: bool


class InvitationAccepted(Answer):
    workspace: str
    account_id: str
    session_token: str | None = None


class Invitation(Answer):
    id: str
    email: str
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    invited_by_name: str
    created_at: datetime
    expires_at: datetime
    state: str


class Member(Answer):
    account_id: str
    email: str
    email_verified: bool
    name: str
    locale: str
    kind: str
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    joined_at: datetime


class Team(Answer):
    name: str
    members: list[str]


class ApiKey(Answer):
    id: str
    name: str
    roles: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKey):
    client_id: str
    client_secret: str


class AuditEntry(Answer):
    id: str
    at: datetime
    actor: str
    actor_kind: str
    action: str
    target: str
    details: dict[str, Any] = Field(default_factory=dict)
    ip: str
    user_agent: str = ""


class AuditPage(Answer):
    items: list[AuditEntry]
    next_cursor: str | None


class Workspace(Answer):
    id: str
    name: str
    default_locale: str
