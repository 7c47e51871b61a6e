"""The directory: people of a workspace, their addresses per channel and their language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from ensemble_notify.models.urls import plain_http_url
from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from ensemble_shared.inputs import WebUrl, time_zone

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")


class AddressError(ValueError):
    """An address no message can be sent to."""


def email_address(value: str) -> str:
    """`local@domain.tld`, one address, no display name or header injection."""
    if any(c in value for c in "\r\n<>,;") or value.count("@") != 1:
        raise AddressError(f"{value!r} is not one email address")
    try:
        parsed = Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise AddressError(f"{value!r} is not an email address: {exc}") from None
    if "." not in parsed.domain or not parsed.username:
        raise AddressError(f"{value!r} has no valid domain")
    return parsed.addr_spec


class ContactAddresses(BaseModel):
    """A person's addresses as a request gives them (each proven before use)."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=320)
    slack_webhook_url: WebUrl | None = Field(
        default=None, description="A Slack-compatible incoming webhook reaching this person."
    )
    teams_webhook_url: WebUrl | None = Field(
        default=None, description="A Microsoft Teams incoming webhook reaching this person."
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else email_address(value)

    @field_validator("slack_webhook_url", "teams_webhook_url")
    @classmethod
    def _url(cls, url: HttpUrl | None) -> HttpUrl | None:
        return None if url is None else plain_http_url(url)


class PersonPut(ContactAddresses):
    """A person as staff describe them; the id is the person's subject in bearer tokens."""

    name: str = Field(min_length=1, max_length=200)
    language: Language = "en"
    time_zone: str = Field(default="UTC", description="IANA name, e.g. Europe/Paris.")
    roles: tuple[Role, ...] = Field(
        default=(),
        max_length=5,
        description=(
            "Roles this person holds in their sign-in token: approval steps (and backups) "
            "that name a role reach everyone who holds it."
        ),
    )

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            time_zone(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value


Origin = Literal["manual", "identity"]
IDENTITY_OWNED = frozenset({"email", "name", "language", "roles"})

AddressChannel = Literal["email", "slack", "teams"]
ADDRESS_FIELDS: dict[AddressChannel, str] = {
    "email": "email",
    "slack": "slack_webhook_url",
    "teams": "teams_webhook_url",
}
"""Each personal channel with an address, and the Person field holding the address in use."""


class PendingAddress(BaseModel):
    """An address set for a person and not yet proven by them: nothing is sent to it but the
    verification message, until its link is confirmed."""

    channel: AddressChannel
    address: str
    verification: str = Field(description="The id the verification link names.")
    requested_by: str = Field(description="Who set it: the person themselves or an admin.")
    requested_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(description="After this, its link no longer confirms it.")
    error: str | None = Field(
        default=None,
        description="Why the verification message was not delivered (set the address again "
        "to send a new one); null once the address took it.",
    )


class Person(BaseModel):
    """A directory entry. `email`, `slack_webhook_url` and `teams_webhook_url` are the
    addresses in use, each proven by the person (identity's verified email, or a confirmed
    verification link); an address waiting for its proof is in `pending` and gets nothing."""

    id: str
    workspace: str
    name: str
    email: str | None = Field(default=None, description="In use: proven by the person.")
    slack_webhook_url: str | None = Field(default=None, description="In use: proven.")
    teams_webhook_url: str | None = Field(default=None, description="In use: proven.")
    pending: tuple[PendingAddress, ...] = Field(
        default=(),
        description="Addresses set but not yet proven (a verification message went to each).",
    )
    language: Language = "en"
    time_zone: str = "UTC"
    roles: tuple[Role, ...] = ()
    teams: tuple[str, ...] = Field(
        default=(), description="Identity's teams (routing to a team reaches them too)."
    )
    origin: Origin = Field(
        default="manual",
        description="identity: an account followed from identity's events (its email, name, "
        "language, roles and teams change only there); manual: entered by PUT.",
    )
    as_of: datetime | None = Field(
        default=None, description="The time of the last identity event applied."
    )
    updated_at: datetime = Field(default_factory=utcnow)

    def address(self, channel: AddressChannel) -> str | None:
        """The address in use on `channel`."""
        value: str | None = getattr(self, ADDRESS_FIELDS[channel])
        return value

    def pending_on(self, channel: AddressChannel) -> PendingAddress | None:
        return next((p for p in self.pending if p.channel == channel), None)

    def owned_by_identity(self, body: PersonPut) -> list[str]:
        """The fields of `body` that would rewrite what identity owns for this entry."""
        if self.origin != "identity":
            return []
        wanted = body.model_dump(mode="json", include=set(IDENTITY_OWNED))
        mine = self.model_dump(mode="json", include=set(IDENTITY_OWNED))
        return sorted(f for f in IDENTITY_OWNED if wanted[f] != mine[f])

    @classmethod
    def of(cls, workspace: str, person_id: str, body: PersonPut) -> Person:
        """The entry `body` describes, without its addresses: those are set only once proven
        (services/address_proofs.py)."""
        return cls(
            id=person_id,
            workspace=workspace,
            **body.model_dump(mode="json", exclude=set(ADDRESS_FIELDS.values())),
        )

    @classmethod
    def stored(cls, document: Mapping[str, Any]) -> Person:
        """An entry as stored. One written before addresses had to be proven (it has no
        `pending` field) keeps only identity's verified email in use: the other addresses
        were set by whoever edited the directory, so they are dropped until set again."""
        if "pending" not in document:
            kept = {"email"} if document.get("origin") == "identity" else set()
            document = {
                **document,
                **{f: None for f in ADDRESS_FIELDS.values() if f not in kept},
                "pending": [],
            }
        return cls.model_validate(document)


def address_of(body: ContactAddresses, channel: AddressChannel) -> str | None:
    """The address a request body gives for `channel`, as text."""
    value = getattr(body, ADDRESS_FIELDS[channel])
    return None if value is None else str(value)
