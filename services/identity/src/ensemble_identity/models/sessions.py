"""Sessions: what a sign-in gives the console, exchanged for short-lived access tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_identity.models.accounts import AccountView, Email
from ensemble_identity.models.roles import Kind
from ensemble_shared.storage import Document

Method = Literal["password", "oidc", "invitation", "setup", "magic_link"]

MEMBER_ONLY_METHODS: frozenset[str] = frozenset({"magic_link"})
"""A session opened by a magic link proves control of a mailbox, nothing more: it reaches the
community side of a workspace, never a staff place (those need a password or a provider)."""


class Session(BaseModel):
    """Stored under the digest of its token; `id` is the public handle shown in lists."""

    digest: str
    id: str
    account_id: str
    method: Method
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str = ""

    def document(self) -> Document:
        return {"_id": self.digest, **self.model_dump(exclude={"digest"})}

    @classmethod
    def of(cls, document: Document) -> Session:
        return cls.model_validate({"digest": document["_id"], **document})

    def ends_at(self, idle: timedelta) -> datetime:
        return min(self.expires_at, self.last_seen_at + idle)

    def reaches(self, kind: Kind) -> bool:
        return kind == "member" or self.method not in MEMBER_ONLY_METHODS


class SessionView(BaseModel):
    """One session on the account page: where and when it was used."""

    id: str
    method: Method
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str
    current: bool

    @classmethod
    def of(cls, session: Session, *, current: bool, idle: timedelta) -> SessionView:
        return cls(
            **session.model_dump(
                include={"id", "method", "created_at", "last_seen_at", "ip", "user_agent"}
            ),
            expires_at=session.ends_at(idle),
            current=current,
        )


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: str = Field(max_length=1024)


class Place(BaseModel):
    """A workspace the person belongs to, for the console's workspace switcher."""

    workspace: str
    workspace_name: str
    kind: Kind
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    reachable: bool = Field(
        description="This session may get tokens for it (false: a staff place reached by a "
        "magic-link session; sign in with a password)."
    )


class Me(BaseModel):
    account: AccountView
    places: list[Place]


class SessionOpened(BaseModel):
    """Given once; the console keeps `session_token` in its own HttpOnly cookie."""

    session_token: str
    session_id: str
    expires_at: datetime
    account: AccountView


class AccessTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace: str = Field(min_length=1, max_length=64)


class AccessToken(BaseModel):
    """RFC 6749 §5.1 shape, used by the session exchange and the client-credentials grant."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the RFC 6749 type name
    expires_in: int
    scope: str | None = Field(default=None, description="The roles granted, space-separated.")
