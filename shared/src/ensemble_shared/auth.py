"""Workspace-scoped bearer tokens: signed JWTs naming a subject, a workspace, roles and teams."""

from __future__ import annotations

import copy
from datetime import timedelta
from enum import StrEnum
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.events import utcnow
from ensemble_shared.settings import AuthSettings

ALGORITHM = "HS256"


class Role(StrEnum):
    ADMIN = "admin"  # runs the workspace: sources, endpoints, policies
    MANAGER = "manager"  # community manager: inbox, drafts, approvals requests
    APPROVER = "approver"  # internal team member deciding approval steps
    MEMBER = "member"  # community member (public side)
    SERVICE = "service"  # another Ensemble service or an integration


class Principal(BaseModel):
    """Who is calling, within which workspace; every object access is scoped by `workspace`."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1)
    workspace: str = Field(min_length=1)
    roles: frozenset[Role] = frozenset()
    teams: frozenset[str] = frozenset()

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles)) or Role.ADMIN in self.roles


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by us."""


class Tokens:
    """Mints and verifies tokens with the secret every service shares."""

    def __init__(self, settings: AuthSettings) -> None:
        self._key = settings.secret.get_secret_value()
        self._issuer = settings.issuer
        self._audience = settings.audience

    def mint(self, principal: Principal, *, ttl: timedelta = timedelta(hours=12)) -> str:
        now = utcnow()
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "ws": principal.workspace,
            "roles": sorted(principal.roles),
            "teams": sorted(principal.teams),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def scoped(self, purpose: str) -> Tokens:
        """Tokens for one narrow use, such as a ticket that must travel in a URL: their own
        audience, so a scoped token is never accepted as a bearer token, nor the reverse."""
        scoped = copy.copy(self)
        scoped._audience = f"{self._audience}/{purpose}"
        return scoped

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["sub", "ws", "exp", "iat"]},
            )
            return Principal(
                subject=claims["sub"],
                workspace=claims["ws"],
                roles=frozenset(claims.get("roles", [])),
                teams=frozenset(claims.get("teams", [])),
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
