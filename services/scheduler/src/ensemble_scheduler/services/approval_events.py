"""The events of an approval workflow, each built in one place from the facts it announces.

Every event's subject is the content item, so all of an item's events stay in order on one
partition. Pure: the service decides when an event is due and writes it with its fact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_scheduler.models.approvals import ApprovalRecord, DecisionRecord, OutcomeRecord
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.services.workflow import ApprovalState, StepState
from ensemble_shared.events import Event, Source, envelope
from ensemble_shared.events.approvals import (
    ApprovalChangesRequestedV1,
    ApprovalCompletedV1,
    ApprovalExpiredV1,
    ApprovalLink,
    ApprovalOutcomeData,
    ApprovalRejectedV1,
    ApprovalRequestData,
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    ApprovalStepOpenedV1,
    ExpiryData,
    StepDecisionData,
    StepOpenedData,
)


def _head(record: ApprovalRecord) -> dict[str, Any]:
    return envelope(Source.SCHEDULER, record.workspace, record.content_id)


def requested(record: ApprovalRecord, latest: ContentVersion) -> ApprovalRequestedV1:
    """A request for approval (a person's, or an amendment that adds a step)."""
    return ApprovalRequestedV1(
        **_head(record),
        data=ApprovalRequestData(
            approval_id=record.id,
            content_id=record.content_id,
            policy=record.policy,
            steps=tuple(s.name for s in record.steps),
            version=record.version,
            requested_by=record.requested_by,
            kind=latest.kind,
            channel=latest.fields.channel,
        ),
    )


def decided(record: ApprovalRecord, decision: DecisionRecord) -> ApprovalStepDecidedV1:
    return ApprovalStepDecidedV1(
        **_head(record),
        data=StepDecisionData(
            approval_id=record.id,
            content_id=record.content_id,
            step=decision.step,
            decision=decision.decision,
            decided_by=decision.approver,
            comment=decision.comment,
            round=decision.round,
            version=decision.version,
            via=decision.via,
        ),
    )


def concluded(record: ApprovalRecord, outcome: OutcomeRecord, after: ApprovalState) -> list[Event]:
    """What a step's outcome announces: a rejection, a change request, or the completed
    approval; an approved step with more to come announces nothing (the next one opens)."""
    data = ApprovalOutcomeData(
        approval_id=record.id,
        content_id=record.content_id,
        version=outcome.version,
        step=outcome.step,
        decided_by=outcome.decided_by,
        reason=outcome.reason,
    )
    head = _head(record)
    if outcome.outcome == "rejected":
        return [ApprovalRejectedV1(**head, data=data)]
    if outcome.outcome == "changes_requested":
        return [ApprovalChangesRequestedV1(**head, data=data)]
    if after.status == "approved":
        return [ApprovalCompletedV1(**head, data=data)]
    return []


def expired(
    record: ApprovalRecord, step: str, version: int, *, slot_at: datetime, reason: str
) -> ApprovalExpiredV1:
    return ApprovalExpiredV1(
        **_head(record),
        data=ExpiryData(
            approval_id=record.id,
            content_id=record.content_id,
            version=version,
            step=step,
            slot_at=slot_at,
            reason=reason,
        ),
    )


def opened(
    record: ApprovalRecord,
    step: StepState,
    latest: ContentVersion,
    links: tuple[tuple[ApprovalLink, ...], tuple[ApprovalLink, ...]],
) -> ApprovalStepOpenedV1:
    """A step opened; `links` are its (external, person) decision links."""
    spec = step.spec
    external, people = links
    return ApprovalStepOpenedV1(
        **_head(record),
        data=StepOpenedData(
            approval_id=record.id,
            content_id=record.content_id,
            step=step.name,
            round=step.round,
            position=step.position,
            version=latest.version,
            quorum=str(spec.quorum),
            people=spec.people,
            teams=spec.teams,
            roles=tuple(str(r) for r in spec.roles),
            links=external,
            person_links=people,
            title=latest.fields.title,
            channel=latest.fields.channel,
        ),
    )
