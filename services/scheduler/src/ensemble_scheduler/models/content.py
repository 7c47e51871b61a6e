"""Content items (posts, replies, announcements, answers), their versions and comments."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ensemble_shared.events import utcnow
from ensemble_shared.inputs import StorableDatetime, WebUrl

ContentKind = Literal["post", "reply", "announcement", "answer"]
FieldName = Literal["channel", "title", "body", "tags", "media", "reply_to", "slot"]

CONTENT_FIELDS: tuple[FieldName, ...] = ("channel", "title", "body", "tags", "media", "reply_to")
"""What the audience reads; a change to one of these needs approval by whoever owns it."""
SCHEDULE_FIELDS: tuple[FieldName, ...] = ("slot",)
"""When it goes out; a change re-opens only steps that explicitly own it."""
EDITABLE: tuple[FieldName, ...] = (*CONTENT_FIELDS, *SCHEDULE_FIELDS)

Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Channel = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]


class ReplyTo(BaseModel):
    """What a reply or an answer answers: a mention (by id or platform ids) or a submission."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mention_id: str | None = Field(default=None, min_length=1, max_length=200)
    platform: str | None = Field(default=None, min_length=1, max_length=64)
    external_id: str | None = Field(default=None, min_length=1, max_length=256)
    submission_id: str | None = Field(default=None, min_length=1, max_length=200)


def _future(slot: datetime | None) -> datetime | None:
    if slot is not None and slot <= utcnow():
        raise ValueError("the slot is in the past")
    return slot


class ContentFields(BaseModel):
    """The editable part of a content item; every version stores all of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Channel
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)
    tags: tuple[Tag, ...] = Field(default=(), max_length=30)
    media: tuple[WebUrl, ...] = Field(default=(), max_length=20)
    reply_to: ReplyTo | None = None
    slot: StorableDatetime | None = Field(default=None, description="Desired publishing time.")

    def comparable(self) -> dict[str, Any]:
        """JSON-safe values, tags sorted-insensitive to order: what a diff and a digest see."""
        values = self.model_dump(mode="json")
        values["tags"] = sorted(set(values["tags"]))
        return values

    def outgoing_text(self) -> str:
        """The text that goes out: the body, then the media links (platforms that take
        images, like Instagram, strip them again)."""
        return "\n\n".join([self.body, *(str(m) for m in self.media)])

    def digest(self) -> str:
        """Fingerprint of exactly what would be published (publishing checks it)."""
        text = json.dumps(self.comparable(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


class ContentCreate(ContentFields):
    """A new draft; `kind` is fixed for the item's life."""

    kind: ContentKind

    @model_validator(mode="after")
    def _consistent(self) -> ContentCreate:
        _future(self.slot)
        check_target(self.kind, self.reply_to)
        return self

    def fields(self) -> ContentFields:
        return ContentFields.model_validate(self.model_dump(exclude={"kind"}))


def check_target(kind: ContentKind, reply_to: ReplyTo | None) -> None:
    """ValueError unless a reply names a mention and an answer names a submission."""
    if kind == "reply":
        if reply_to is None or not (
            reply_to.mention_id or (reply_to.platform and reply_to.external_id)
        ):
            raise ValueError("reply_to: a reply needs a mention_id (or platform + external_id)")
    elif kind == "answer" and (reply_to is None or not reply_to.submission_id):
        raise ValueError("reply_to: an answer needs a submission_id")


class ContentEdit(BaseModel):
    """A partial edit: named fields replace the latest version's; the result is a new version."""

    model_config = ConfigDict(extra="forbid")

    base_version: int | None = Field(
        default=None, ge=1, description="The version edited; 409 if another edit came first."
    )
    channel: Channel | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)
    tags: tuple[Tag, ...] | None = Field(default=None, max_length=30)
    media: tuple[WebUrl, ...] | None = Field(default=None, max_length=20)
    reply_to: ReplyTo | None = None
    slot: StorableDatetime | None = None

    @model_validator(mode="after")
    def _slot_in_future(self) -> ContentEdit:
        _future(self.slot)
        return self

    def apply(self, fields: ContentFields) -> ContentFields:
        """The edited fields (an explicit null clears title, reply_to or slot)."""
        given = self.model_dump(exclude_unset=True, exclude={"base_version"})
        return ContentFields.model_validate({**fields.model_dump(), **given})


class ContentVersion(BaseModel):
    """One immutable version of an item (version 1 is the draft as created)."""

    content_id: str
    workspace: str
    kind: ContentKind
    version: int = Field(ge=1)
    fields: ContentFields
    author: str
    created_at: datetime
    changed: tuple[FieldName, ...] = ()

    @property
    def digest(self) -> str:
        return self.fields.digest()


class ContentView(BaseModel):
    """An item as the API shows it: its latest version and where it stands."""

    id: str
    kind: ContentKind
    version: int
    fields: ContentFields
    created_by: str
    updated_by: str
    updated_at: datetime
    status: str = Field(description="draft, in_review, changes_requested, approved.")
    approval_id: str | None = None


class ContentPage(BaseModel):
    items: list[ContentView]
    next_cursor: str | None = None


class FieldDiff(BaseModel):
    field: FieldName
    before: Any
    after: Any


class ContentDiff(BaseModel):
    content_id: str
    from_version: int
    to_version: int
    changed: list[FieldDiff]
    unified: str = Field(description="difflib unified diff of the two versions' fields.")


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5_000, description="@name, @team:legal mention.")


class Comment(BaseModel):
    id: str
    content_id: str
    workspace: str
    author: str
    body: str
    version: int
    people: tuple[str, ...]
    teams: tuple[str, ...]
    created_at: datetime


class CommentPage(BaseModel):
    items: list[Comment]
    next_cursor: str | None = None
