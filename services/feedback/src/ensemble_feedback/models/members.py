"""Members, their trust level and platform identities: the domain, no I/O.

A member's profile, consents and trust are read on its *canonical* member, the survivor of any
merge (see models/merges.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ensemble_shared.events.members import Language


class TrustLevel(StrEnum):
    NEW = "new"  # pre-moderated: what they write waits in the queue
    TRUSTED = "trusted"  # published at once (filters still apply)
    BLOCKED = "blocked"  # every public write refused


Platform = Literal[
    "mastodon",
    "bluesky",
    "x",
    "reddit",
    "github",
    "slack",
    "youtube",
    "facebook",
    "instagram",
    "generic",
]
Topic = Literal["ideas_followed", "status_changes", "events_nearby"]
TOPICS: tuple[Topic, ...] = ("ideas_followed", "status_changes", "events_nearby")

# How ingest names the platform a mention came from, when it differs from ours.
MENTION_PLATFORM: dict[str, str] = {"facebook": "meta", "instagram": "meta"}
INGEST_PLATFORMS: dict[str, tuple[str, ...]] = {"meta": ("facebook", "instagram")}

# email-validator is not a dependency: a shape check is enough, ownership is proven by the
# signed verification link.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN)
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class Request(BaseModel):
    """Bodies members and staff send: unknown fields (trust, counters, ...) are refused."""

    model_config = ConfigDict(extra="forbid")


class SignUp(Request):
    display_name: DisplayName
    email: Email | None = None
    language: Language = "en"
    consents: set[Topic] = Field(
        default_factory=set, description="Topics the member agrees to hear about."
    )


class ProfileChange(Request):
    """Only the fields sent change; `email: null` removes the address."""

    display_name: DisplayName | None = None
    email: Email | None = None
    language: Language | None = None
    consents: set[Topic] | None = None


class TrustChange(Request):
    level: TrustLevel
    reason: str | None = Field(default=None, max_length=500)


class IdentityLink(Request):
    platform: Platform
    handle: Handle


class IdentityClaim(BaseModel):
    """A handle a member says is theirs, until they prove it: they post `code` from that handle
    in a message the brand's sources collect; the link is made when ingest's mention arrives."""

    platform: Platform
    handle: str
    code: str = Field(description="Post it from the handle, in a message mentioning the brand.")
    expires_at: datetime


class Member(BaseModel):
    """A stored member (the canonical one carries the state that counts)."""

    member_id: str
    workspace: str
    display_name: str
    email: str | None = None
    email_verified: bool = False
    language: Language = "en"
    consents: tuple[Topic, ...] = ()
    trust: TrustLevel = TrustLevel.NEW
    trust_reason: str | None = None
    trust_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    identity_as_of: datetime | None = Field(
        default=None, description="The time of the last identity event applied (kept to the µs)."
    )
    left_at: datetime | None = Field(
        default=None, description="When identity removed the person from the workspace."
    )
    erased_at: datetime | None = Field(
        default=None, description="When the member erased their data (nothing personal left)."
    )


class Identity(BaseModel):
    platform: Platform
    handle: str
    linked_at: datetime


class MemberProfile(BaseModel):
    """A member as shown: its own profile plus the identities of its whole merge group."""

    member_id: str
    display_name: str
    email: str | None
    email_verified: bool
    language: Language
    consents: tuple[Topic, ...]
    trust: TrustLevel
    identities: list[Identity]
    merged_member_ids: list[str] = Field(
        default_factory=list, description="Members merged into this one."
    )
    engagement: float | None = None
    left_at: datetime | None = Field(
        default=None,
        description="Set when the person left the workspace (identity removed them): their "
        "submissions, votes and comments stay, nothing is sent to them any more.",
    )
    erased_at: datetime | None = Field(
        default=None,
        description="Set when the member erased their data: the profile is a neutral label, "
        "their contributions stay under it (staff views; the member's own answers 410).",
    )
    created_at: datetime


class MemberPage(BaseModel):
    items: list[MemberProfile]
    next_cursor: str | None = None


class Unsubscribed(BaseModel):
    member_id: str
    topic: Topic
    consents: tuple[Topic, ...]


class LinkPreview(BaseModel):
    """What a member's emailed link would do, as its GET shows it. Mail scanners follow links,
    so a GET changes nothing; the page's button (or a mail client's RFC 8058 POST) acts."""

    action: Literal["unsubscribe", "verify_email"]
    member_id: str
    language: Language
    topic: Topic | None = Field(default=None, description="The topic an unsubscribe link stops.")
    email: str | None = Field(default=None, description="The address a verification proves.")
    done: bool = Field(description="Already unsubscribed from it, or the address already verified.")


class UnsubscribeLink(BaseModel):
    """What an unsubscribe link would stop (read only: the console's page shows it)."""

    workspace: str
    member_id: str
    topic: Topic
    subscribed: bool = Field(description="Whether the member still gets this topic's emails.")


def handle_key(platform: str, handle: str) -> str:
    """The form a handle is compared in: lower case, without the `@` or `u/` people type."""
    key = handle.strip().lower()
    if platform == "reddit" and key.startswith(("u/", "/u/")):
        key = key.split("u/", 1)[1]
    return key.lstrip("@")


def handle_stem(platform: str, key: str) -> str:
    """The user part of a handle (`alice` of `alice@mastodon.social` or `alice.bsky.social`),
    compared across platforms to suggest merges."""
    if platform == "mastodon":
        return key.split("@", 1)[0]
    if platform == "bluesky":
        return key.split(".", 1)[0]
    return key


_VARIANT = re.compile(r"^@+")


def mention_handles(platform: str, handle: str) -> tuple[str, list[str]]:
    """Where the mentions written by this identity are kept: (ingest platform, handle forms)."""
    key = handle_key(platform, handle)
    forms = {handle.strip(), key, f"@{key}", _VARIANT.sub("", handle.strip())}
    if platform == "reddit":
        forms.add(f"u/{key}")
    return MENTION_PLATFORM.get(platform, platform), sorted(forms)
