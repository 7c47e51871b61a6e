"""Publishing: channel accounts (where a channel publishes), what a connector sends and hears
back, attempts and their outcomes, and the publication record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from ensemble_shared.inputs import WebUrl
from ensemble_shared.signatures import check_secret

ConnectorName = Literal[
    "mastodon",
    "bluesky",
    "github",
    "slack",
    "facebook",
    "instagram",
    "x",
    "linkedin",
    "youtube",
    "webhook",
]
Visibility = Literal["public", "unlisted", "private", "direct"]
TOKENED = frozenset(
    {"mastodon", "github", "slack", "facebook", "instagram", "x", "linkedin", "youtube"}
)
TARGETED = frozenset({"facebook", "instagram", "linkedin", "youtube"})
"""Connectors that publish as an account named by `target` (and find its posts by it)."""
_BEARER = re.compile(r"[A-Za-z0-9._~+/-]{1,500}=*")


class ChannelAccountIn(BaseModel):
    """PUT /publishing/channels/{channel}: which connector publishes the channel, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connector: ConnectorName
    base_url: WebUrl = Field(
        description="Mastodon instance, Bluesky PDS (https://bsky.social), GitHub API "
        "(https://api.github.com), Slack Web API (https://slack.com/api), Graph API "
        "(https://graph.facebook.com) for Facebook and Instagram, X API (https://api.x.com), "
        "LinkedIn's REST API (https://api.linkedin.com), YouTube Data API "
        "(https://www.googleapis.com), or the webhook's URL."
    )
    access_token: SecretStr | None = Field(
        default=None,
        description="Mastodon: the app token. GitHub: a token that may write issues and "
        "discussions. Slack: the bot token (xoxb-) with chat:write and channels:history. "
        "Facebook: a Page access token. Instagram: the access token of the Page linked to the "
        "Instagram professional account. X: an OAuth 2.0 user-context access token (tweet.write, "
        "users.read, media.write). LinkedIn: a token with w_organization_social (and "
        "r_organization_social to settle unknown outcomes). YouTube: an OAuth token with the "
        "youtube.force-ssl scope.",
    )
    secret: SecretStr | None = Field(default=None, description="Webhook: a whsec_ secret.")
    identifier: str | None = Field(
        default=None,
        min_length=1,
        max_length=253,
        pattern=r"^[A-Za-z0-9.:_-]+$",
        description="Bluesky: the account's handle or DID (signs in with the app password).",
    )
    app_password: SecretStr | None = Field(
        default=None, description="Bluesky: an app password (Settings → App passwords)."
    )
    target: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Slack: the channel id (C…) posts go to; replies go to their mention's "
        "thread. Facebook: the Page id. Instagram: the Instagram user id. X: the account's user "
        "id (optional: read from /2/users/me when absent). LinkedIn: the organisation id (digits "
        "of urn:li:organization:…). YouTube: the channel id (UC…).",
    )
    visibility: Visibility = "public"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("access_token")
    @classmethod
    def _header_safe(cls, token: SecretStr | None) -> SecretStr | None:
        """Sent as `Authorization: Bearer …`: RFC 6750's characters only, checked when saved."""
        if token is not None and not _BEARER.fullmatch(token.get_secret_value()):
            raise ValueError("access_token: letters, digits and -._~+/ only (up to 500)")
        return token

    @model_validator(mode="after")
    def _credentials(self) -> ChannelAccountIn:
        if self.connector in TOKENED and self.access_token is None:
            raise ValueError(f"access_token: a {self.connector} channel needs an access token")
        if self.connector in TARGETED and self.target is None:
            raise ValueError(f"target: a {self.connector} channel needs its account's id")
        if self.connector == "bluesky" and (self.identifier is None or self.app_password is None):
            raise ValueError("identifier, app_password: a Bluesky channel needs both")
        if self.connector == "webhook":
            if self.secret is None:
                raise ValueError("secret: a webhook channel needs a whsec_ secret")
            try:
                check_secret(self.secret.get_secret_value())
            except ValueError as exc:
                raise ValueError(f"secret: {exc}") from None
        return self


class ChannelAccount(ChannelAccountIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    workspace: str
    channel: str
    revision: int
    updated_by: str
    updated_at: datetime
    # Connected with OAuth (never set by PUT): which platform's client refreshes the token.
    oauth: str | None = None
    refresh_token: SecretStr | None = None
    token_expires_at: datetime | None = None
    account_name: str | None = None
    reconnect: str | None = None
    """Why the account must be connected again (the platform refused the refresh)."""


class ChannelAccountView(BaseModel):
    """A channel account without its secrets."""

    channel: str
    connector: ConnectorName
    base_url: str
    visibility: Visibility
    identifier: str | None = None
    target: str | None = None
    revision: int
    updated_by: str
    updated_at: datetime
    oauth: str | None = None
    account_name: str | None = None
    token_expires_at: datetime | None = None
    reconnect: str | None = None


@dataclass(frozen=True)
class PublicationRequest:
    """What a connector sends: exactly the approved version's content."""

    key: str = ""  # the publication attempt key: Idempotency-Key / webhook-id
    content_id: str = ""
    workspace: str = ""
    channel: str = ""
    version: int = 0
    kind: str = "post"
    text: str = ""
    title: str | None = None
    in_reply_to: str | None = None
    visibility: Visibility = "public"
    media: tuple[str, ...] = ()  # the item's media links (also appended to `text`)
    answers_mention: bool = False  # `in_reply_to` is a mention ingest heard, not an id given
    mention_parent: str | None = None  # that mention's parent (an Instagram comment's media)


@dataclass(frozen=True)
class Posted:
    post_id: str
    url: str | None = None


@dataclass(frozen=True)
class Refused:
    """The platform said no for good (4xx): retrying the same request cannot help."""

    reason: str


@dataclass(frozen=True)
class Unknown:
    """No answer (timeout, 5xx, connection lost): it may or may not be published."""

    reason: str


PublishOutcome = Posted | Refused | Unknown


@dataclass(frozen=True)
class Found:
    post_id: str
    url: str | None = None


@dataclass(frozen=True)
class Absent:
    """The platform answered and holds no such post (since the attempt started)."""


@dataclass(frozen=True)
class Unreachable:
    reason: str


Lookup = Found | Absent | Unreachable


class Attempt(BaseModel):
    """One try to publish an item, claimed by a unique-key insert before the platform is
    called; an attempt without an outcome is in flight (or its outcome is unknown)."""

    model_config = ConfigDict(frozen=True)

    content_id: str
    workspace: str
    number: int = Field(ge=1)
    sequence: int = Field(description="The schedule entry this attempt publishes.")
    version: int
    key: str
    channel: str
    connector: ConnectorName
    started_at: datetime
    owner: str


AttemptOutcomeKind = Literal["refused", "absent"]


class PublicationResult(BaseModel):
    """The item is out: the platform's post id, saved the moment it is known (insert-only)."""

    model_config = ConfigDict(frozen=True)

    content_id: str
    workspace: str
    channel: str
    platform: ConnectorName
    platform_post_id: str
    url: str | None = None
    attempt: int
    version: int
    reconciled: bool = False
    at: datetime


class PublicationView(BaseModel):
    content_id: str
    status: Literal["published", "in_flight", "refused", "not_attempted"]
    platform_post_id: str | None = None
    url: str | None = None
    attempts: int
    reason: str | None = None
