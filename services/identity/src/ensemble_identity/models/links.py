"""Links sent by email (invitation, password reset, magic link, email verification).

Each is an opaque secret, stored as its digest with what it may do and until when. Using one
inserts a use record under the same digest: a unique-key insert, so of two concurrent uses
exactly one wins (findAndModify would not decide that on FerretDB).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_identity.models.accounts import Email
from ensemble_identity.models.roles import Locale
from ensemble_shared.storage import Document

Purpose = Literal["invitation", "reset", "magic", "verify", "email_change"]
LinkState = Literal["valid", "used", "revoked", "expired"]

PAGE_PATHS: dict[Purpose, str] = {
    "invitation": "/invitations/{token}",
    "reset": "/reset-password/{token}",
    "magic": "/magic/{token}",
    "verify": "/verify-email/{token}",
    "email_change": "/change-email/{token}",
}
"""The console pages the emailed links open (joined to ENSEMBLE_PUBLIC_URL)."""


class Link(BaseModel):
    digest: str
    purpose: Purpose
    email: str
    account_id: str | None = None
    workspace: str | None = None
    invitation_id: str | None = None
    name: str | None = Field(default=None, description="Magic sign-up: the name they gave.")
    locale: Locale | None = None
    created_at: datetime
    expires_at: datetime

    def document(self) -> Document:
        return {"_id": self.digest, **self.model_dump(exclude={"digest"})}

    @classmethod
    def of(cls, document: Document) -> Link:
        return cls.model_validate({"digest": document["_id"], **document})


class LinkToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


class MagicLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    workspace: str = Field(min_length=1, max_length=64)
    name: str | None = Field(
        default=None, min_length=1, max_length=120, description="For a first sign-in."
    )
    locale: Locale | None = Field(default=None, description="The page's language.")


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    locale: Locale | None = None


class ResetPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    new_password: str = Field(max_length=1024)


class LinkStatus(BaseModel):
    """What a link page shows before the person acts (GET changes nothing)."""

    purpose: Purpose
    email: str
    workspace: str | None
    expires_at: datetime
