"""Accounts: one per email across workspaces, with the profile other services follow."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from ensemble_identity.models.roles import Locale
from ensemble_shared.events import AccountData, utcnow
from ensemble_shared.storage import Document


def normalize_email(email: str) -> str:
    """The key of an account: trimmed and lower-cased (mail systems treat the local part
    case-insensitively in practice, and two accounts differing by case would be one person)."""
    return email.strip().lower()


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database: once per process


def _time_zone(name: str | None) -> str | None:
    if name is None:
        return None
    if name not in _zones():
        raise ValueError(f"unknown time zone {name!r}")
    ZoneInfo(name)
    return name


Email = Annotated[EmailStr, AfterValidator(normalize_email)]
TimeZone = Annotated[
    str | None, AfterValidator(_time_zone), Field(description="IANA name, e.g. Europe/Paris.")
]
DisplayName = Annotated[str, Field(min_length=1, max_length=120)]


class Account(BaseModel):
    """The stored account. `password_hash` is None for accounts that sign in by magic link or
    an identity provider only."""

    id: str
    email: str
    email_verified: bool = False
    name: str
    locale: Locale = "en"
    time_zone: str | None = None
    password_hash: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def data(self) -> AccountData:
        return AccountData(
            account_id=self.id,
            email=self.email,
            email_verified=self.email_verified,
            display_name=self.name,
            language=self.locale,
            time_zone=self.time_zone,
        )

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump(exclude={"id"})}

    @classmethod
    def of(cls, document: Document) -> Account:
        return cls.model_validate({"id": document["_id"], **document})


class AccountView(BaseModel):
    """An account as its owner and admins see it (never the password hash)."""

    id: str
    email: str
    email_verified: bool
    name: str
    locale: Locale
    time_zone: str | None
    has_password: bool
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            **account.model_dump(include={"id", "email", "email_verified", "name", "locale"}),
            time_zone=account.time_zone,
            has_password=account.password_hash is not None,
            created_at=account.created_at,
        )


class ProfileUpdate(BaseModel):
    """What a person may change about themselves; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: DisplayName | None = None
    locale: Locale | None = None
    time_zone: TimeZone = None

    def changes(self) -> dict[str, Any]:
        """The fields sent; a null time zone clears it, a null name or locale changes nothing."""
        sent = self.model_dump(exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None or k == "time_zone"}


class EmailChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email = Field(description="The new address; it becomes the account's once proven.")
    current_password: str | None = Field(
        default=None, max_length=1024, description="Needed when the account has a password."
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str | None = Field(
        default=None, max_length=1024, description="Needed when the account has a password."
    )
    new_password: str = Field(max_length=1024)
