"""A person's contact addresses as the API shows and changes them, their verification links,
and the audit record of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ensemble_notify.models.people import AddressChannel, ContactAddresses, Language


class AddressesPut(ContactAddresses):
    """Addresses to set (each is proven before use) or, given as null, to remove; a field left
    out stays as it is."""


VerificationStatus = Literal["pending", "confirmed"]


class AddressVerification(BaseModel):
    """What a verification link confirms (the console's page shows it; reading changes
    nothing)."""

    workspace: str
    person: str
    channel: AddressChannel
    address: str
    language: Language = "en"
    status: VerificationStatus = Field(
        description="pending: the page's button confirms it; confirmed: in use already."
    )
    expires_at: datetime


ChangeKind = Literal["requested", "confirmed", "removed"]


class AddressChange(BaseModel):
    """One change of a person's addresses, kept for good (insert-only): who did what, when."""

    id: str
    workspace: str
    person: str
    channel: AddressChannel
    change: ChangeKind = Field(
        description="requested: set, pending its proof (a verification message went there); "
        "confirmed: proven through its link, in use from now on; removed."
    )
    address: str | None = None
    by: str = Field(description="Who: the person, an admin, or `link` for a confirmation.")
    at: datetime
