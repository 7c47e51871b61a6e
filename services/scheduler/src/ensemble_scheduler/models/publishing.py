"""Publishing: channel accounts (where a channel publishes), attempts and their outcomes, the
publication record, crisis holds, and answer templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator

from ensemble_shared.events.submissions import SubmissionStatus

ConnectorName = Literal["mastodon", "webhook"]
Visibility = Literal["public", "unlisted", "private", "direct"]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class ChannelAccountIn(BaseModel):
    """PUT /publishing/channels/{channel}: which connector publishes the channel, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connector: ConnectorName
    base_url: HttpUrl = Field(description="Mastodon instance, or the webhook's URL.")
    access_token: SecretStr | None = Field(default=None, description="Mastodon: the app token.")
    secret: SecretStr | None = Field(default=None, description="Webhook: a whsec_ secret.")
    visibility: Visibility = "public"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _credentials(self) -> ChannelAccountIn:
        if self.connector == "mastodon" and self.access_token is None:
            raise ValueError("access_token: a Mastodon channel needs an access token")
        if self.connector == "webhook" and (
            self.secret is None or not self.secret.get_secret_value().startswith("whsec_")
        ):
            raise ValueError("secret: a webhook channel needs a whsec_ secret")
        return self


class ChannelAccount(ChannelAccountIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    workspace: str
    channel: str
    revision: int
    updated_by: str
    updated_at: datetime


class ChannelAccountView(BaseModel):
    """A channel account without its secrets."""

    channel: str
    connector: ConnectorName
    base_url: str
    visibility: Visibility
    revision: int
    updated_by: str
    updated_at: datetime


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


class Hold(BaseModel):
    """A scheduled item held back by a crisis until communication + legal release it."""

    model_config = ConfigDict(frozen=True)

    hold_id: str
    crisis_id: str
    content_id: str
    workspace: str
    channel: str
    slot_at: datetime | None
    at: datetime
    released_at: datetime | None = None
    released_by: str | None = None
    resolution: Literal["released", "rejected"] | None = None


class Crisis(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    topic: str
    count: int
    bucket_start: datetime
    at: datetime


class CrisisView(Crisis):
    holds: list[Hold]


class ReleaseIn(BaseModel):
    """A communication/legal decision on the crisis step of every item a crisis holds."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: str | None = Field(default=None, min_length=1, max_length=5_000)
    content_ids: tuple[str, ...] | None = Field(
        default=None, max_length=200, description="Only these held items (default: all)."
    )

    @model_validator(mode="after")
    def _reasoned(self) -> ReleaseIn:
        if self.decision == "reject" and not self.comment:
            raise ValueError("comment: a reason is required to reject")
        return self


class ReleaseResult(BaseModel):
    content_id: str
    outcome: Literal["released", "waiting", "rejected", "not_allowed", "not_held"]
    detail: str | None = None


class AnswerTemplateIn(BaseModel):
    """PUT /answer-templates/{status}/{language}: a pre-approved reply text. Placeholders:
    {title}, {status}, {reason}, {author} (the original poster's handle)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str = Field(min_length=1, max_length=2_000)
    channel: str | None = Field(
        default=None, max_length=64, description="Channel to answer on (default: the platform)."
    )


class AnswerTemplate(AnswerTemplateIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    workspace: str
    status: SubmissionStatus
    language: Language
    revision: int
    updated_by: str
    updated_at: datetime
