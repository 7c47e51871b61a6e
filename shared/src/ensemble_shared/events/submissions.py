"""Events of the submissions stream, produced by feedback (key: submission id)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload

SubmissionKind = Literal["idea", "feedback", "content_proposal", "question"]
SubmissionStatus = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]


class SocialOrigin(Payload):
    """The social mention a submission came from, so a reply can go back where it was asked."""

    mention_id: str
    platform: str
    external_id: str
    url: str | None = None
    author_handle: str | None = None


class SubmissionData(Payload):
    """A community member's submission as first created."""

    submission_id: str
    kind: SubmissionKind
    title: str = Field(min_length=1, max_length=300)
    author_member_id: str
    tags: tuple[str, ...] = ()
    category: str | None = None
    published: bool = Field(default=True, description="False while held for moderation.")
    origin: SocialOrigin | None = None


class SubmissionCreatedV1(Event):
    """Sent by feedback when a member's submission is accepted onto the board (or the queue)."""

    type: Literal["submission.created.v1"] = "submission.created.v1"
    data: SubmissionData


class SubmissionVotedData(Payload):
    submission_id: str
    member_id: str = Field(description="The voter, as the canonical (merged) member.")
    action: Literal["voted", "retracted"]
    votes: int = Field(ge=0, description="The idea's vote count after this vote.")


class SubmissionVotedV1(Event):
    """Sent by feedback when a member votes for a submission or takes the vote back."""

    type: Literal["submission.voted.v1"] = "submission.voted.v1"
    data: SubmissionVotedData


class SubmissionCommentedData(Payload):
    submission_id: str
    comment_id: str
    parent_id: str | None = Field(default=None, description="The comment this one answers.")
    author_member_id: str
    excerpt: str = Field(max_length=280)
    audience: tuple[str, ...] = Field(
        default=(), description="Members who follow the submission and consented to hear of it."
    )


class SubmissionCommentedV1(Event):
    """Sent by feedback when a comment (or a reply to one) is published on a submission."""

    type: Literal["submission.commented.v1"] = "submission.commented.v1"
    data: SubmissionCommentedData


class SubmissionStatusChangedData(Payload):
    submission_id: str
    kind: SubmissionKind
    title: str
    author_member_id: str
    previous: SubmissionStatus
    status: SubmissionStatus
    reason: str | None = Field(default=None, description="Required when declined.")
    by: str
    audience: tuple[str, ...] = Field(
        default=(),
        description="Author, voters and followers (merged members once) who consented.",
    )
    origin: SocialOrigin | None = None


class SubmissionStatusChangedV1(Event):
    """Sent by feedback when a submission moves on the roadmap; closes the loop with members."""

    type: Literal["submission.status_changed.v1"] = "submission.status_changed.v1"
    data: SubmissionStatusChangedData


class SubmissionMergedData(Payload):
    source_submission_id: str = Field(description="The duplicate, now closed.")
    target_submission_id: str
    votes: int = Field(ge=0, description="The target's vote count after the merge.")
    moved_votes: int = Field(ge=0)
    moved_followers: int = Field(ge=0)
    moved_comments: int = Field(ge=0)
    by: str


class SubmissionMergedV1(Event):
    """Sent by feedback when a duplicate is merged into another submission."""

    type: Literal["submission.merged.v1"] = "submission.merged.v1"
    data: SubmissionMergedData


class SuggestionData(Payload):
    """A mention triaged as request/feedback, proposed to a manager for the board."""

    suggestion_id: str
    mention_id: str
    action: Literal["new_submission", "vote"]
    submission_id: str | None = Field(default=None, description="The similar submission, if any.")
    member_id: str | None = Field(default=None, description="The member linked to the author.")
    title: str
    origin: SocialOrigin


class SuggestionCreatedV1(Event):
    """Sent by feedback when a social mention becomes a suggestion awaiting a manager."""

    type: Literal["suggestion.created.v1"] = "suggestion.created.v1"
    data: SuggestionData
