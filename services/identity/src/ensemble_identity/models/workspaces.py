"""Workspaces: created by the operator or the first-run flow, then run by their admins."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ensemble_identity.models.accounts import DisplayName, Email, TimeZone
from ensemble_identity.models.roles import Locale, WorkspaceId
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Document

WorkspaceName = Field(min_length=1, max_length=120)


class Workspace(BaseModel):
    id: str
    name: str
    default_locale: Locale = "en"
    member_signup: bool = Field(
        default=True,
        description="Anyone may join as a community member by magic link; off: only people "
        "already in the workspace receive links.",
    )
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "operator"

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump(exclude={"id"})}

    @classmethod
    def of(cls, document: Document) -> Workspace:
        return cls.model_validate({"id": document["_id"], **document})


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = WorkspaceName
    default_locale: Locale | None = None
    member_signup: bool | None = None


class SetupStatus(BaseModel):
    needed: bool = Field(description="True while no workspace exists: the first-run page.")
    token_required: bool = Field(description="POST /setup needs the X-Setup-Token header.")


class SetupRequest(BaseModel):
    """The first workspace and its first admin, from the first-run page."""

    model_config = ConfigDict(extra="forbid")

    workspace: WorkspaceId
    workspace_name: str = WorkspaceName
    default_locale: Locale = "en"
    email: Email
    name: DisplayName
    password: str = Field(max_length=1024)
    locale: Locale | None = Field(default=None, description="The admin's; else the workspace's.")
    time_zone: TimeZone = None
