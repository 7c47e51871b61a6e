"""Roles, kinds of account, and the names people choose (workspaces, teams): rules on values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

Role = Literal["admin", "manager", "approver", "viewer", "member"]
StaffRole = Literal["admin", "manager", "approver", "viewer"]
Kind = Literal["staff", "member"]
Locale = Literal["en", "fr"]

ADMIN = "admin"
MEMBER = "member"
STAFF_ROLES: frozenset[str] = frozenset({"admin", "manager", "approver", "viewer"})

WORKSPACE_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
TEAM_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

WorkspaceId = Annotated[str, Field(pattern=WORKSPACE_PATTERN, description="e.g. acme")]
TeamName = Annotated[str, Field(pattern=TEAM_PATTERN, description="e.g. legal")]


def role_set(roles: Iterable[str]) -> tuple[str, ...]:
    """Sorted, without repeats; staff roles or `member` alone (one place in a workspace is
    either on the company's side or on the community's, never both)."""
    unique = tuple(sorted(set(roles)))
    if not unique:
        raise ValueError("at least one role is needed")
    if MEMBER in unique and len(unique) > 1:
        raise ValueError("'member' cannot be combined with staff roles")
    return unique


Roles = Annotated[list[Role], AfterValidator(lambda roles: list(role_set(roles)))]
"""A request's roles, checked by `role_set`."""


def kind_of(roles: Iterable[str]) -> Kind:
    return "member" if MEMBER in set(roles) else "staff"


def covers(held: Iterable[str], wanted: Iterable[str]) -> bool:
    """True when someone holding `held` may hand out `wanted` (to an API key, say): an admin
    covers every staff role, anyone else only the roles they hold."""
    held_set = set(held)
    wanted_set = set(wanted)
    if ADMIN in held_set:
        return wanted_set <= STAFF_ROLES
    return wanted_set <= held_set


def granted(held: Iterable[str], wanted: Iterable[str]) -> tuple[str, ...]:
    """The part of `wanted` that `held` still covers, role by role (sorted)."""
    held_set = set(held)
    return tuple(sorted(r for r in set(wanted) if covers(held_set, [r])))
