"""Events of the accounts stream, produced by identity (key: account id).

Identity owns who a person is (verified email, name, language, time zone) and what they may do
in each workspace (roles, teams). Every event names one workspace: an account that belongs to
three workspaces gets three `account.updated.v1` events when its name changes, so a consumer
keeping a per-workspace directory (notify's people, feedback's members) only ever reads its own
workspace's events.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload
from ensemble_shared.events.members import Language

AccountKind = Literal["staff", "member"]
"""staff: holds admin, manager, approver or viewer; member: the community side (`member`)."""

Registration = Literal["setup", "operator", "invitation", "magic_link", "oidc"]


class AccountData(Payload):
    """Who the person is, as identity knows them; the same fields in every account event."""

    account_id: str
    email: str = Field(description="The sign-in address (lower-cased).")
    email_verified: bool = Field(
        description="The person proved the address (invitation or magic link followed, "
        "verification link opened, or an identity provider vouched for it)."
    )
    display_name: str
    language: Language = Field(default="en", description="For messages sent to this person.")
    time_zone: str | None = Field(
        default=None, description="IANA time zone (Europe/Paris) for quiet hours and digests."
    )


class RegistrationData(AccountData):
    via: Registration = Field(description="How the account came to be.")


class AccountRegisteredV1(Event):
    """Sent by identity when an account is created, in the workspace it first joined (its
    place there follows as `membership.changed.v1`)."""

    type: Literal["account.registered.v1"] = "account.registered.v1"
    data: RegistrationData


class AccountUpdatedV1(Event):
    """Sent by identity when a person's profile changes (name, language, time zone, email
    verification), once per workspace the account belongs to."""

    type: Literal["account.updated.v1"] = "account.updated.v1"
    data: AccountData


class MembershipData(AccountData):
    """A person's place in one workspace, with who they are so a consumer needs nothing else."""

    kind: AccountKind
    roles: tuple[str, ...] = Field(
        description="Sorted; staff: admin, manager, approver, viewer; community: member."
    )
    teams: tuple[str, ...] = Field(default=(), description="Sorted team names.")
    previous_roles: tuple[str, ...] = Field(
        default=(), description="The roles before this change (empty when the person joined)."
    )
    previous_teams: tuple[str, ...] = Field(default=(), description="The teams before.")
    by: str = Field(description="Who made the change: an account id, an API key id, or system.")


class MembershipChangedV1(Event):
    """Sent by identity when a person joins a workspace or their roles or teams change."""

    type: Literal["membership.changed.v1"] = "membership.changed.v1"
    data: MembershipData


class MembershipRemovedData(Payload):
    account_id: str
    email: str
    previous_roles: tuple[str, ...]
    previous_teams: tuple[str, ...] = ()
    by: str


class MembershipRemovedV1(Event):
    """Sent by identity when a person is removed from a workspace: forget them there."""

    type: Literal["membership.removed.v1"] = "membership.removed.v1"
    data: MembershipRemovedData
