"""Scheduler's subscribers: each reads its stream in its own group, at its own pace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from ensemble_shared.events import (
    Event,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionTriagedV1,
    SubmissionStatusChangedV1,
)
from ensemble_shared.events.approvals import ApprovalCompletedV1, ApprovalRejectedV1
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import APPROVALS, MENTIONS, SUBMISSIONS

Handler = Callable[[Sequence[Event]], Awaitable[None]]


def register(
    infra: Infrastructure,
    *,
    reply_targets: Handler,
    spikes: Handler,
    crisis_approvals: Handler,
    roadmap_moves: Handler,
    approved_replies: Handler,
) -> None:
    """Mentions become reply targets (their triage routes replies); negative spikes hold posts
    (crisis mode) and the held items' own approval outcomes settle the holds; roadmap moves of
    ideas that came from a mention draft a reply on the original post (answers where it was
    asked)."""
    infra.subscribe(
        [
            (
                "scheduler",
                MENTIONS,
                reply_targets,
                [MentionReceivedV1, MentionTriagedV1],
                "Mentions become reply targets; their triage routes replies for approval.",
            ),
            (
                "scheduler-crisis",
                MENTIONS,
                spikes,
                [MentionSpikeDetectedV1],
                "Negative mention spikes hold upcoming posts (crisis mode).",
            ),
            (
                "scheduler-holds",
                APPROVALS,
                crisis_approvals,
                [ApprovalCompletedV1, ApprovalRejectedV1],
                "A held item's own approval outcome settles its crisis hold (release or reject).",
            ),
            (
                "scheduler-replies",
                APPROVALS,
                approved_replies,
                [ApprovalCompletedV1],
                "An approved reply without a time goes out at once.",
            ),
            (
                "scheduler-answers",
                SUBMISSIONS,
                roadmap_moves,
                [SubmissionStatusChangedV1],
                "Roadmap moves of ideas from a mention draft a reply on the original post.",
            ),
        ]
    )
