"""Events of the submissions stream, produced by feedback."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload

SubmissionKind = Literal["idea", "feedback", "content_proposal", "question"]


class SubmissionData(Payload):
    """A community member's submission as first created."""

    submission_id: str
    kind: SubmissionKind
    title: str = Field(min_length=1, max_length=300)
    author_member_id: str
    tags: tuple[str, ...] = ()


class SubmissionCreatedV1(Event):
    """Sent by feedback when a member's submission is accepted onto the board."""

    type: Literal["submission.created.v1"] = "submission.created.v1"
    data: SubmissionData
