"""Memberships: an account's roles and teams in one workspace."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ensemble_identity.models.accounts import Account
from ensemble_identity.models.roles import Kind, Roles, TeamName, kind_of
from ensemble_shared.events import MembershipData, utcnow
from ensemble_shared.storage import Document


def membership_id(workspace: str, account_id: str) -> str:
    return f"{workspace}:{account_id}"


class Membership(BaseModel):
    workspace: str
    account_id: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def id(self) -> str:
        return membership_id(self.workspace, self.account_id)

    @property
    def kind(self) -> Kind:
        return kind_of(self.roles)

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump()}

    @classmethod
    def of(cls, document: Document) -> Membership:
        return cls.model_validate(document)

    def announced(
        self, account: Account, *, by: str, before: Membership | None = None
    ) -> MembershipData:
        return MembershipData(
            **account.data().model_dump(),
            kind=self.kind,
            roles=self.roles,
            teams=self.teams,
            previous_roles=before.roles if before else (),
            previous_teams=before.teams if before else (),
            by=by,
        )


class MembershipUpdate(BaseModel):
    """An admin's change to someone's place: absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    roles: Roles | None = None
    teams: list[TeamName] | None = Field(default=None, max_length=50)


class MemberView(BaseModel):
    """One person of a workspace, as admins see them."""

    account_id: str
    email: str
    email_verified: bool
    name: str
    locale: str
    kind: Kind
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    joined_at: datetime

    @classmethod
    def of(cls, membership: Membership, account: Account) -> MemberView:
        return cls(
            account_id=account.id,
            email=account.email,
            email_verified=account.email_verified,
            name=account.name,
            locale=account.locale,
            kind=membership.kind,
            roles=membership.roles,
            teams=membership.teams,
            joined_at=membership.created_at,
        )


class TeamView(BaseModel):
    name: str
    members: list[str] = Field(description="Account ids.")
