"""Deciding through a signed approval link: what the approver is shown, and their decision.

A link decides once: its use is recorded under the link id by a unique-key insert before the
decision is, so concurrent or repeated uses of one link find it spent (410). A link is also
spent for good when the item was submitted again or the step re-opened since it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.approvals import (
    DecisionKind,
    DecisionRecord,
    LinkDecisionIn,
    LinkView,
)
from ensemble_scheduler.models.policies import LinkHolder
from ensemble_scheduler.services.approval_facts import Facts
from ensemble_scheduler.services.approvals import ApprovalService, require_open
from ensemble_scheduler.services.links import LinkClaims, LinkSigner
from ensemble_scheduler.services.workflow import StepState
from ensemble_scheduler.storage.approvals import ApprovalRepository
from ensemble_shared.errors import Unauthenticated
from ensemble_shared.events import utcnow


@dataclass(frozen=True)
class LinkOutcome:
    step: str
    decision: DecisionKind
    approval_status: str


class LinkDecisionService:
    def __init__(
        self, approvals: ApprovalService, records: ApprovalRepository, signer: LinkSigner
    ) -> None:
        self._approvals = approvals
        self._records = records
        self._signer = signer

    async def _link(self, token: str) -> tuple[LinkClaims, Facts, StepState, LinkHolder]:
        claims = self._signer.verify(token, now=utcnow())
        record = await self._records.latest_request(claims.workspace, claims.content_id)
        if record is None or record.id != claims.approval_id:
            raise Gone("this approval link is superseded: the item was submitted again")
        if await self._records.link_spent(claims.link_id):
            raise Gone("this approval link was already used; each link decides once")
        facts = await self._approvals.settle(record)
        step = facts.state.step(claims.step)
        holder = step.spec.link_holder(claims.approver) if step is not None else None
        if step is None or holder is None:
            raise Unauthenticated("this approval link names no approver of this workflow")
        if step.round != claims.round:
            raise Gone(
                "this approval link is superseded: the item changed since it was sent, and a "
                "new link went out for the new version"
            )
        return claims, facts, step, holder

    async def view(self, token: str) -> LinkView:
        claims, facts, step, holder = await self._link(token)
        latest = facts.latest
        return LinkView(
            content_id=latest.content_id,
            kind=latest.kind,
            version=latest.version,
            fields=latest.fields,
            step=step.name,
            approver=claims.approver,
            approver_name=holder.name,
            expires_at=claims.expires_at,
            step_status=step.status,
        )

    async def decide(self, token: str, body: LinkDecisionIn) -> LinkOutcome:
        claims, facts, step, holder = await self._link(token)
        require_open(facts.state, claims.step)
        if not await self._records.spend_link(
            claims.link_id, workspace=claims.workspace, at=utcnow()
        ):
            raise Gone("this approval link was already used; each link decides once")
        decision = DecisionRecord(
            approval_id=facts.record.id,
            step=step.name,
            round=step.round,
            approver=holder.approver,
            covers=holder.covers,
            decision=body.decision,
            comment=body.comment,
            version=facts.state.version,
            via="link",
            decided_at=utcnow(),
        )
        if not await self._approvals.record_decision(facts.record, decision):
            raise Gone(
                f"{holder.name} already decided step {step.name!r} (round {step.round}); "
                "each approver decides once"
            )
        settled = await self._approvals.settle(facts.record)
        return LinkOutcome(step.name, body.decision, settled.state.status)
