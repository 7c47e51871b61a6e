"""Feedback's answers, as the console's pages read them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MemberUnsubscribeLink(Answer):
    """What a member's unsubscribe link stops (feedback's `GET /unsubscribe/link`)."""

    workspace: str
    member_id: str
    topic: str
    subscribed: bool


class MemberUnsubscribed(Answer):
    member_id: str
    topic: str

    @property
    def what(self) -> str:
        """What the confirmation names."""
        return self.topic


# --- the community screens (staff) ------------------------------------------------------------


class SocialSource(Answer):
    """The social mention a submission or suggestion came from."""

    platform: str
    url: str | None = None
    author_handle: str | None = None


class Submission(Answer):
    """A row of the board (feedback's `GET /submissions`: no body)."""

    id: str
    kind: str
    title: str
    body: str = ""
    tags: list[str] = []
    author_member_id: str
    status: str
    status_reason: str | None = None
    published: bool = True
    discarded: bool = False
    merged_into: str | None = None
    origin: SocialSource | None = None
    created_at: datetime
    votes: int = 0

    @property
    def held(self) -> bool:
        return not self.published and not self.discarded


class SubmissionPage(Answer):
    items: list[Submission]
    next_cursor: str | None = None


class MergedSubmissions(Answer):
    source: Submission
    target: Submission
    moved_votes: int


class QueueItem(Answer):
    """Held text waiting in moderation (its id is `kind:ref`)."""

    id: str
    kind: str
    ref: str
    member_id: str
    text: str
    reasons: list[str] = []
    queued_at: datetime


class QueuePage(Answer):
    items: list[QueueItem]
    next_cursor: str | None = None


class Identity(Answer):
    platform: str
    handle: str
    linked_at: datetime


class CommunityMember(Answer):
    """A member as staff see it: profile, linked handles, engagement."""

    member_id: str
    display_name: str
    email: str | None = None
    email_verified: bool = False
    language: str = "en"
    consents: list[str] = []
    trust: str
    identities: list[Identity] = []
    merged_member_ids: list[str] = []
    engagement: float | None = None
    left_at: datetime | None = None
    created_at: datetime


class CommunityMemberPage(Answer):
    items: list[CommunityMember]
    next_cursor: str | None = None


class ActivityItem(Answer):
    kind: str
    ref: str
    member_id: str | None = None
    at: datetime
    detail: str | None = None


class Timeline(Answer):
    member_id: str
    engagement: float
    counts: dict[str, int]
    items: list[ActivityItem]
    next_cursor: str | None = None


class MergeSuggestion(Answer):
    member_ids: tuple[str, str]
    reasons: list[str]


class MergeSuggestionPage(Answer):
    items: list[MergeSuggestion]
    next_cursor: str | None = None


class MemberMerge(Answer):
    merge_id: str
    survivor_member_id: str
    merged_member_id: str
    at: datetime
    undone_at: datetime | None = None


class EventPlace(Answer):
    name: str
    address: str


class FieldEvent(Answer):
    id: str
    title: str
    description: str = ""
    place: EventPlace
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int
    status: str
    confirmed: int
    waitlisted: int
    seats_left: int


class FieldEventPage(Answer):
    items: list[FieldEvent]
    next_cursor: str | None = None


class RosterEntry(Answer):
    member_id: str
    status: str
    position: int
    checked_in: bool = False


class RosterPage(Answer):
    items: list[RosterEntry]
    next_cursor: str | None = None


class CheckedIn(Answer):
    event_id: str
    member_id: str
    checked_in_at: datetime


class Suggestion(Answer):
    """A social mention proposed for the board: a new submission, or a vote on a similar one."""

    id: str
    action: str
    kind: str
    title: str
    body: str
    similar_title: str | None = None
    member_id: str | None = None
    origin: SocialSource
    status: str
    created_at: datetime


class SuggestionPage(Answer):
    items: list[Suggestion]
    next_cursor: str | None = None


class EngagementWeights(Answer):
    """Points per activity kind in a member's engagement score (feedback's weights)."""

    submission: float
    comment: float
    vote: float
    attendance: float
    rsvp: float
    mention: float
    suggestion: float
