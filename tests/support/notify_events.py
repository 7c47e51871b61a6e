"""Events notify turns into notifications, built the way their producers build them."""

from __future__ import annotations

from datetime import timedelta

from ensemble_shared.events import MentionAssignedData, MentionAssignedV1, utcnow
from ensemble_shared.events.approvals import ApprovalLink, ApprovalStepOpenedV1, StepOpenedData


def an_assignment(assignee: str = "camille", workspace: str = "acme") -> MentionAssignedV1:
    return MentionAssignedV1(
        source="ensemble/ingest",
        subject="m-7",
        workspace=workspace,
        data=MentionAssignedData(mention_id="m-7", assignee=assignee, by="lea <lead>"),
    )


def a_step_opened(
    *people: str, external_email: str | None = "olivier@agence.example"
) -> ApprovalStepOpenedV1:
    links = (
        (
            ApprovalLink(
                approver="ext-olivier",
                name="Olivier",
                email=external_email,
                url="https://scheduler.example.org/decide/tok123?sig=abc",
                expires_at=utcnow() + timedelta(days=2),
            ),
        )
        if external_email is not None
        else ()
    )
    return ApprovalStepOpenedV1(
        source="ensemble/scheduler",
        subject="content-1",
        workspace="acme",
        data=StepOpenedData(
            approval_id="ap-1",
            content_id="content-1",
            step="legal",
            round=0,
            position=1,
            version=3,
            quorum="any",
            people=people,
            links=links,
            title="Summer <launch> & co",
        ),
    )
