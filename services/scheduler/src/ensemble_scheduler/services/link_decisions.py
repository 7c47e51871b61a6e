"""Deciding through a signed approval link: what the approver is shown, and their decision.

A link decides once, and the decision itself spends it: a link names one approver of one round
of one step, which is exactly the decision's unique key, so one insert both records the decision
and spends the link (concurrent or repeated uses find it spent, 410), and a failure before that
insert leaves the link usable. A link is also spent for good when the item was submitted again
or the step re-opened since it was sent.

What the approver is shown (the console's decision page) is everything they need to decide
without an account: the content, what changed since the last approved version, the path of
steps, and who else decides this step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ensemble_scheduler.exceptions import Gone, SelfApproval
from ensemble_scheduler.models.approvals import (
    DecisionKind,
    DecisionRecord,
    LinkDecider,
    LinkDecisionIn,
    LinkStep,
    LinkView,
)
from ensemble_scheduler.models.content import ContentDiff, ContentVersion
from ensemble_scheduler.models.policies import LinkHolder
from ensemble_scheduler.services.approval_facts import Facts
from ensemble_scheduler.services.approvals import ApprovalService, require_open
from ensemble_scheduler.services.diffs import diff
from ensemble_scheduler.services.links import LinkClaims, LinkSigner
from ensemble_scheduler.services.workflow import StepState
from ensemble_scheduler.storage.approvals import ApprovalRepository
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_shared.errors import Unauthenticated
from ensemble_shared.events import utcnow

USED = "this approval link was already used; each link decides once"


@dataclass(frozen=True)
class LinkOutcome:
    step: str
    decision: DecisionKind
    approval_status: str


class LinkDecisionService:
    def __init__(
        self,
        approvals: ApprovalService,
        records: ApprovalRepository,
        content: ContentRepository,
        signer: LinkSigner,
    ) -> None:
        self._approvals = approvals
        self._records = records
        self._content = content
        self._signer = signer

    async def _link(self, token: str) -> tuple[LinkClaims, Facts, StepState, LinkHolder]:
        claims = self._signer.verify(token, now=utcnow())
        record = await self._records.latest_request(claims.workspace, claims.content_id)
        if record is None or record.id != claims.approval_id:
            raise Gone(
                "this approval link is superseded: the item was submitted again",
                reason="superseded",
            )
        facts = await self._approvals.settle(record)
        step = facts.state.step(claims.step)
        holder = step.spec.link_holder(claims.approver) if step is not None else None
        if step is None or holder is None:
            raise Unauthenticated("this approval link names no approver of this workflow")
        _refuse_if_decided(facts, claims, holder)
        if step.round != claims.round:
            raise Gone(
                "this approval link is superseded: the item changed since it was sent, and a "
                "new link went out for the new version",
                reason="superseded",
            )
        return claims, facts, step, holder

    async def view(self, token: str) -> LinkView:
        """What the link asks; reading it changes nothing (scanners and unfurlers fetch it)."""
        claims, facts, step, holder = await self._link(token)
        latest = facts.latest
        changes = await self._changes_since_approved(latest)
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
            approval_status=facts.state.status,
            quorum=str(step.spec.quorum),
            steps=[LinkStep(name=s.name, status=s.status) for s in facts.state.steps],
            others=_others(step, holder),
            approved_version=changes.from_version if changes else None,
            changes=changes,
        )

    async def _changes_since_approved(self, latest: ContentVersion) -> ContentDiff | None:
        """The diff from the newest earlier version any step approved (in any request for
        this item) to the one shown; None when no earlier version was ever approved."""
        approved = await self._records.approved_versions(latest.workspace, latest.content_id)
        base = max((v for v in approved if v < latest.version), default=None)
        if base is None:
            return None
        before = await self._content.version(latest.workspace, latest.content_id, base)
        return diff(before, latest) if before is not None else None

    async def decide(self, token: str, body: LinkDecisionIn) -> LinkOutcome:
        claims, facts, step, holder = await self._link(token)
        require_open(facts.state, claims.step)
        if body.decision == "approve" and facts.record.approves_own(holder.approver):
            raise SelfApproval()  # a link sent before the rule: the requester still may not
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
            link_id=claims.link_id,
            decided_at=utcnow(),
        )
        if not await self._approvals.record_decision(facts.record, decision):
            raise Gone(USED, reason="used")
        settled = await self._approvals.settle(facts.record)
        return LinkOutcome(step.name, body.decision, settled.state.status)


def _refuse_if_decided(facts: Facts, claims: LinkClaims, holder: LinkHolder) -> None:
    """Gone once the link's approver decided its round of its step, through it or signed in."""
    for d in facts.decisions:
        if (d.step, d.round, d.approver) == (claims.step, claims.round, holder.approver):
            if d.link_id == claims.link_id:
                raise Gone(USED, reason="used")
            raise Gone(f"{holder.name} already decided this step", reason="used")


def _others(step: StepState, holder: LinkHolder) -> list[LinkDecider]:
    """Everyone else who may decide this step (its slots but the link holder's), and whether
    their slot is already covered by an approval in this round."""
    covered = {slot for slots in step.approvals.values() for slot in slots}
    names = {f"external:{e.id}": e.name for e in step.spec.external}
    others: list[LinkDecider] = []
    for slot in step.spec.slots():
        if slot in holder.covers:
            continue
        kind, _, name = slot.partition(":")
        others.append(
            LinkDecider(
                slot=slot,
                kind=kind,
                name=names.get(slot, name),
                approved=slot in covered,
            )
        )
    return others
