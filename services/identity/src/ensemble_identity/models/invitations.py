"""Invitations: an admin asks someone, by email, to join a workspace with given roles."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ensemble_identity.models.accounts import DisplayName, Email, TimeZone
from ensemble_identity.models.links import LinkState
from ensemble_identity.models.roles import Locale, Roles, TeamName
from ensemble_shared.storage import Document


class Invitation(BaseModel):
    id: str
    workspace: str
    email: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()
    locale: Locale
    invited_by: str = Field(description="Account id (or 'operator').")
    invited_by_name: str
    created_at: datetime
    expires_at: datetime
    link: str = Field(description="Digest of the emailed secret.")

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump(exclude={"id"})}

    @classmethod
    def of(cls, document: Document) -> Invitation:
        return cls.model_validate({"id": document["_id"], **document})


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    roles: Roles
    teams: list[TeamName] = Field(default_factory=list, max_length=50)
    locale: Locale | None = Field(
        default=None, description="The email's language; else the account's or workspace's."
    )


class InvitationView(BaseModel):
    id: str
    email: str
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    invited_by: str
    invited_by_name: str
    created_at: datetime
    expires_at: datetime
    state: LinkState

    @classmethod
    def of(cls, invitation: Invitation, state: LinkState) -> InvitationView:
        return cls(
            **invitation.model_dump(exclude={"workspace", "locale", "link"}),
            state=state,
        )


class InvitationPreview(BaseModel):
    """The invitation page: who invites whom where, and whether a password must be chosen."""

    workspace: str
    workspace_name: str
    email: str
    roles: tuple[str, ...]
    invited_by_name: str
    expires_at: datetime
    account_exists: bool = Field(description="False: the page asks for a name and password.")


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    name: DisplayName | None = Field(default=None, description="Needed for a new account.")
    password: str | None = Field(default=None, max_length=1024, description="New account.")
    locale: Locale | None = None
    time_zone: TimeZone = None


class InvitationAccepted(BaseModel):
    workspace: str
    account_id: str
    session_token: str | None = Field(
        default=None, description="A new account is signed in at once; an existing one signs in."
    )
    session_id: str | None = None
    expires_at: datetime | None = None
