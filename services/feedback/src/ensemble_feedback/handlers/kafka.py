"""Feedback's subscribers: each its own consumer group, so they retry and lag independently."""

from __future__ import annotations

from ensemble_feedback.wiring import Services
from ensemble_shared.events import (
    AccountUpdatedV1,
    MemberMergedV1,
    MembershipChangedV1,
    MembershipRemovedV1,
    MemberUnmergedV1,
    MentionReceivedV1,
    MentionTriagedV1,
)
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import ACCOUNTS, MEMBERS, MENTIONS


def subscribe(infra: Infrastructure, services: Services) -> None:
    infra.subscribe(
        [
            (
                "feedback",
                MENTIONS,
                services.social.record,
                [MentionReceivedV1],
                "Mentions are kept so their authors can be linked to members.",
            ),
            (
                "feedback-handle-proofs",
                MENTIONS,
                services.handle_proofs.on_mentions,
                [MentionReceivedV1],
                "A mention carrying a member's code, posted from the claimed handle, links it.",
            ),
            (
                "feedback-submissions",
                MEMBERS,
                services.board.votes.members_changed,
                [MemberMergedV1, MemberUnmergedV1],
                "Vote counts are recounted when members are merged or unmerged.",
            ),
            (
                "feedback-field-events",
                MEMBERS,
                services.field_events.members_merged,
                [MemberMergedV1],
                "A merged person keeps one place per field event; the other is given back.",
            ),
            (
                "feedback-suggestions",
                MENTIONS,
                services.suggestions.on_triaged,
                [MentionTriagedV1],
                "Mentions triaged as request/feedback become suggestions for the board.",
            ),
            (
                "feedback-accounts",
                ACCOUNTS,
                services.accounts.follow,
                [AccountUpdatedV1, MembershipChangedV1, MembershipRemovedV1],
                "Member profiles follow identity: name, email, and leaving the workspace.",
            ),
        ]
    )
