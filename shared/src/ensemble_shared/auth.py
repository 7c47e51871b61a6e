"""Who is calling: the principal an access token names (identity signs it, `keys` verifies it)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """Identity's four staff roles, plus the community's `member` and `service`."""

    ADMIN = "admin"  # runs the workspace: sources, endpoints, policies
    MANAGER = "manager"  # community manager: inbox, drafts, approvals requests
    APPROVER = "approver"  # internal team member deciding approval steps
    VIEWER = "viewer"  # reads what managers read (GET), changes nothing
    MEMBER = "member"  # community member (public side)
    SERVICE = "service"  # another Ensemble service or an integration


READERS = frozenset({Role.MANAGER, Role.APPROVER})
"""Roles whose reads a viewer may make too (a viewer never passes a check for a write)."""


class Principal(BaseModel):
    """Who is calling, within which workspace; every object access is scoped by `workspace`."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1)
    workspace: str = Field(min_length=1)
    roles: frozenset[Role] = frozenset()
    teams: frozenset[str] = frozenset()
    email: str | None = Field(
        default=None,
        description="The address identity has proven is this person's (a link it sent there "
        "was followed); None when unproven or for keys and services.",
    )

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles)) or Role.ADMIN in self.roles

    def may_read_as(self, *roles: Role) -> bool:
        """Reads: like `has_any`, and a viewer reads whatever a manager or approver reads."""
        return self.has_any(*roles) or (Role.VIEWER in self.roles and bool(READERS & set(roles)))


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by identity."""
