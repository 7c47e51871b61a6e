"""From events to facts: the fields each figure needs, taken once when an event is consumed.

A fact's `kind` is its event type without the version; `entity` is the aggregate the fold
keeps state for (a mention, an approval, a content item, a submission, a member, a field
event's seat, an in-app delivery). Events no figure is made of (job runs) give no fact.

One rule relies on ingest's contract: a mention's first triage is caused by its arrival
(`causation_id` is the received event's id), a re-triage after an edit is not; the first one
is what mention volume counts, re-triages are counted apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ensemble_insights.models.facts import Fact
from ensemble_shared.events import (
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    ContentPublishedV1,
    ContentPublishFailedV1,
    ContentRescheduledV1,
    ContentScheduledV1,
    Event,
    EventCheckedInV1,
    EventFollowupInvitedV1,
    EventRsvpV1,
    MemberErasedV1,
    MemberMergedV1,
    MemberRegisteredV1,
    MemberUnmergedV1,
    MemberUpdatedV1,
    MentionAssignedV1,
    MentionDeletedV1,
    MentionNoteAddedV1,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionStatusChangedV1,
    MentionTriagedV1,
    MentionUpdatedV1,
    NotificationFailedV1,
    NotificationSentV1,
    ScheduleHeldV1,
    ScheduleReleasedV1,
    SubmissionCommentedV1,
    SubmissionCreatedV1,
    SubmissionMergedV1,
    SubmissionStatusChangedV1,
    SubmissionVotedV1,
    SuggestionCreatedV1,
)
from ensemble_shared.events.approvals import (
    ApprovalChangesRequestedV1,
    ApprovalCompletedV1,
    ApprovalEscalatedV1,
    ApprovalExpiredV1,
    ApprovalRejectedV1,
    ApprovalReminderDueV1,
    ApprovalStepOpenedV1,
)
from ensemble_shared.events.content import (
    ContentCommentedV1,
    ContentDraftedV1,
    ContentEditedV1,
)
from ensemble_shared.events.members import EngagementWeightsChangedV1
from ensemble_shared.events.notifications import NotificationReadV1, NotificationUnsubscribedV1
from ensemble_shared.topics import STREAMS, Stream

Extract = Callable[[Any], tuple[str, dict[str, Any]]]
"""An event of one type to (entity, data)."""


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _received(e: MentionReceivedV1) -> tuple[str, dict[str, Any]]:
    return e.data.mention_id, {"platform": e.data.platform}


def _triaged(e: MentionTriagedV1) -> tuple[str, dict[str, Any]]:
    mention, triage = e.data.mention, e.data.triage
    return mention.mention_id, {
        "first": e.causation_id is not None,
        "posted": min(_ts(mention.created_at), _ts(e.time)),
        "platform": mention.platform,
        "language": triage.language or mention.language,
        "sentiment": triage.sentiment,
        "tags": list(triage.tags),
        "priority": triage.priority,
        "team": triage.team,
        "kind": triage.kind,
        "vip": triage.vip,
        "author": f"{mention.platform}:{mention.author.handle}",
    }


def _approval(e: Any) -> tuple[str, dict[str, Any]]:
    data = e.data.model_dump(mode="json", exclude={"approval_id", "content_id", "comment"})
    return e.data.approval_id, {k: v for k, v in data.items() if not isinstance(v, list | dict)}


def _content(e: Any) -> tuple[str, dict[str, Any]]:
    data = e.data.model_dump(mode="json", include={"channel", "kind", "code", "by", "platform"})
    if hasattr(e.data, "slot_at") and e.data.slot_at is not None:
        data["slot"] = _ts(e.data.slot_at)
    if hasattr(e.data, "sequence"):
        data["sequence"] = e.data.sequence
    return e.data.content_id, data


def _submission(e: SubmissionCreatedV1) -> tuple[str, dict[str, Any]]:
    d = e.data
    return d.submission_id, {
        "kind": d.kind,
        "category": d.category,
        "tags": list(d.tags),
        "published": d.published,
        "social": d.origin is not None,
        "member": d.author_member_id,
    }


def _status(e: SubmissionStatusChangedV1) -> tuple[str, dict[str, Any]]:
    d = e.data
    return d.submission_id, {"kind": d.kind, "from": d.previous, "status": d.status}


def _rsvp(e: EventRsvpV1) -> tuple[str, dict[str, Any]]:
    d = e.data
    return f"{d.event_id}:{d.member_id}", {
        "event": d.event_id,
        "title": d.title,
        "starts": _ts(d.starts_at),
        "member": d.member_id,
        "status": d.status,
        "reason": d.reason,
    }


def _delivery(e: NotificationSentV1 | NotificationFailedV1) -> tuple[str, dict[str, Any]]:
    d = e.data
    return d.delivery_id, {
        "channel": d.chat if d.channel == "chat" and d.chat else d.channel,
        "attempts": d.attempts,
        "code": str(d.status_code) if d.status_code is not None else None,
        "replay": d.replay_of is not None,
        "source": d.source_event_type,
        "source_id": d.source_event_id,
    }


def _member(e: MemberRegisteredV1 | MemberUpdatedV1) -> tuple[str, dict[str, Any]]:
    return e.data.member_id, {"language": e.data.language, "consents": list(e.data.consents)}


def _unsubscribed(e: NotificationUnsubscribedV1) -> tuple[str, dict[str, Any]]:
    """What was turned off, by channel and event group (`approval` of `approval.*` or of
    `approval.step_opened.v1`; `*` for everything); not who."""
    d = e.data
    group = d.event.split(".", 1)[0] if d.event != "*" else "*"
    return e.subject, {"channel": d.channel, "group": group or "*", "via": d.via}


EXTRACTORS: dict[type[Event], Extract] = {
    MentionReceivedV1: _received,
    MentionTriagedV1: _triaged,
    MentionUpdatedV1: lambda e: (e.data.mention_id, {"platform": e.data.platform}),
    MentionDeletedV1: lambda e: (e.data.mention_id, {"platform": e.data.platform}),
    MentionAssignedV1: lambda e: (
        e.data.mention_id,
        {"assignee": e.data.assignee, "team": e.data.team},
    ),
    MentionStatusChangedV1: lambda e: (
        e.data.mention_id,
        {"status": e.data.status, "by": e.data.by},
    ),
    MentionNoteAddedV1: lambda e: (e.data.mention_id, {}),
    MentionSpikeDetectedV1: lambda e: (
        e.subject,
        {
            "topic": e.data.topic,
            "negative": e.data.negative_only,
            "bucket": _ts(e.data.bucket_start),
            "seconds": e.data.bucket_seconds,
            "count": e.data.count,
            "mean": e.data.mean,
            "threshold": e.data.threshold,
        },
    ),
    SubmissionCreatedV1: _submission,
    SubmissionVotedV1: lambda e: (
        e.data.submission_id,
        {"member": e.data.member_id, "action": e.data.action},
    ),
    SubmissionCommentedV1: lambda e: (e.data.submission_id, {"member": e.data.author_member_id}),
    SubmissionStatusChangedV1: _status,
    SubmissionMergedV1: lambda e: (e.data.source_submission_id, {}),
    SuggestionCreatedV1: lambda e: (e.data.suggestion_id, {"action": e.data.action}),
    MemberRegisteredV1: _member,
    MemberUpdatedV1: _member,
    MemberMergedV1: lambda e: (e.data.merge_id, {}),
    MemberUnmergedV1: lambda e: (e.data.merge_id, {}),
    # an erasure is a fact with nothing about the person: the counts made before it stay
    MemberErasedV1: lambda e: (e.data.member_id, {}),
    EngagementWeightsChangedV1: lambda e: (e.workspace, {"weights": dict(e.data.weights)}),
    EventRsvpV1: _rsvp,
    EventCheckedInV1: lambda e: (
        f"{e.data.event_id}:{e.data.member_id}",
        {"event": e.data.event_id, "title": e.data.title, "member": e.data.member_id},
    ),
    EventFollowupInvitedV1: lambda e: (
        f"{e.data.event_id}:{e.data.member_id}",
        {"event": e.data.event_id, "member": e.data.member_id},
    ),
    ApprovalRequestedV1: lambda e: (
        e.data.approval_id,
        {"policy": e.data.policy, "kind": e.data.kind, "channel": e.data.channel},
    ),
    ApprovalStepOpenedV1: _approval,
    ApprovalStepDecidedV1: _approval,
    ApprovalChangesRequestedV1: _approval,
    ApprovalCompletedV1: _approval,
    ApprovalRejectedV1: _approval,
    ApprovalReminderDueV1: _approval,
    ApprovalEscalatedV1: _approval,
    ApprovalExpiredV1: _approval,
    ContentDraftedV1: _content,
    ContentEditedV1: _content,
    ContentCommentedV1: lambda e: (e.data.content_id, {}),
    ContentScheduledV1: _content,
    ContentRescheduledV1: _content,
    ContentPublishedV1: _content,
    ContentPublishFailedV1: _content,
    ScheduleHeldV1: _content,
    ScheduleReleasedV1: _content,
    NotificationSentV1: _delivery,
    NotificationFailedV1: _delivery,
    NotificationUnsubscribedV1: _unsubscribed,
    NotificationReadV1: lambda e: (
        e.data.notification_id,
        {"read": _ts(e.data.read_at), "source": e.data.source_event_type},
    ),
}


def counted_streams() -> list[Stream]:
    """The streams some figure is made of (a rebuild needs their whole history)."""
    return [s for s in STREAMS if any(event in EXTRACTORS for event in s.events)]


def kind_of(event_type: str) -> str:
    """`mention.received.v1` -> `mention.received`."""
    return event_type.rsplit(".", 1)[0]


def fact_of(event: Event) -> Fact | None:
    """The fact of `event`, or None when no figure is made of its type."""
    extract = EXTRACTORS.get(type(event))
    if extract is None:
        return None
    entity, data = extract(event)
    return Fact(event.id, kind_of(event.type), event.workspace, _ts(event.time), entity, data)


def facts_of(events: Sequence[Event]) -> list[Fact]:
    return [fact for fact in map(fact_of, events) if fact is not None]
