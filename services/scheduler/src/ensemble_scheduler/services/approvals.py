"""Approval workflows: request, decide (accounts and signed links), and settle what follows.

Every write is an insert of a fact under its natural key; the state is folded from the facts by
`workflow` (pure). `settle` records what the facts now call for (a step's outcome, a step's
opening) and is safe to run by any number of callers at once: each fact's key admits one insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.approvals import (
    ApprovalRecord,
    ApprovalRequestIn,
    ApprovalView,
    DecisionIn,
    DecisionKind,
    DecisionRecord,
    DecisionView,
    LinkDecisionIn,
    LinkView,
    OutcomeRecord,
    PolicyChoice,
    StepView,
)
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.deadlines import StepClock
from ensemble_scheduler.models.policies import LinkHolder, Policy
from ensemble_scheduler.services.envelopes import envelope
from ensemble_scheduler.services.links import (
    LinkClaims,
    LinkExpired,
    LinkForged,
    LinkSigner,
    link_id,
)
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.routing import MentionFacts, NoPolicy, TriagePending, choose
from ensemble_scheduler.services.workflow import (
    ApprovalState,
    StepState,
    eligible_slots,
    evaluate,
    fold,
    missing_slots,
    publishable,
)
from ensemble_scheduler.storage.approvals import ApprovalRepository, approval_key
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from ensemble_shared.events import Event, utcnow
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


@dataclass(frozen=True)
class Facts:
    record: ApprovalRecord
    versions: list[ContentVersion]
    decisions: list[DecisionRecord]
    outcomes: list[OutcomeRecord]
    state: ApprovalState

    @property
    def latest(self) -> ContentVersion:
        return self.versions[-1]


@dataclass(frozen=True)
class LinkOutcome:
    step: str
    decision: DecisionKind
    approval_status: str


class ApprovalService:
    def __init__(
        self,
        approvals: ApprovalRepository,
        content: ContentRepository,
        policies: PolicyRepository,
        targets: ReplyTargetService,
        *,
        signer: LinkSigner,
        public_url: str,
        link_ttl: timedelta,
        clock: StepClock | None = None,
    ) -> None:
        self._clock = clock  # deadlines: plans each opened step, escalates to backups
        self._approvals = approvals
        self._content = content
        self._policies = policies
        self._targets = targets
        self._signer = signer
        self._public_url = public_url.rstrip("/")
        self._link_ttl = link_ttl

    # --- reading -------------------------------------------------------------------------

    async def _latest(self, workspace: str, content_id: str) -> ContentVersion:
        latest = await self._content.latest(workspace, content_id)
        if latest is None:
            raise NotFound(f"no content item {content_id!r}")
        return latest

    async def _facts(self, record: ApprovalRecord) -> Facts:
        versions = await self._content.versions_since(
            record.workspace, record.content_id, record.version
        )
        decisions = await self._approvals.decisions_of(record.id)
        outcomes = await self._approvals.outcomes_of(record.id)
        state = evaluate(record, versions, decisions, outcomes)
        return Facts(record, versions, decisions, outcomes, state)

    async def status_of(self, latest: ContentVersion) -> tuple[str, str | None]:
        """(draft | in_review | changes_requested | approved, approval id) of an item."""
        record = await self._approvals.latest_request(latest.workspace, latest.content_id)
        if record is None:
            return "draft", None
        facts = await self._facts(record)
        status = facts.state.status
        return ("draft" if status == "rejected" else status), record.id

    async def state_of(self, workspace: str, content_id: str) -> ApprovalState | None:
        """The current workflow's state (None if never submitted): what publishing checks."""
        record = await self._approvals.latest_request(workspace, content_id)
        return None if record is None else (await self.settle(record)).state

    async def facts_of(self, workspace: str, content_id: str) -> Facts | None:
        """The current workflow's settled facts (None if never submitted): what timers check."""
        record = await self._approvals.latest_request(workspace, content_id)
        return None if record is None else await self.settle(record)

    async def view(self, workspace: str, content_id: str) -> ApprovalView:
        await self._latest(workspace, content_id)
        record = await self._approvals.latest_request(workspace, content_id)
        if record is None:
            raise NotFound(f"content item {content_id!r} was never submitted for approval")
        return self._view(await self.settle(record))

    async def choose_policy(self, workspace: str, content_id: str) -> Policy:
        latest = await self._latest(workspace, content_id)
        mention: MentionFacts | None = None
        target = latest.fields.reply_to
        if target is not None and target.mention_id:
            triage = await self._targets.triage_of(workspace, target.mention_id)
            if triage is not None:
                mention = MentionFacts(triage.sentiment, triage.priority, triage.tags)
        try:
            return choose(
                await self._policies.all_of(workspace),
                kind=latest.kind,
                fields=latest.fields,
                mention=mention,
            )
        except NoPolicy:
            raise Invalid(
                "no approval policy matches this item; an admin adds one (PUT "
                "/approval-policies/{name})"
            ) from None
        except TriagePending as exc:
            raise Conflict(
                f"policy {exc.args[0]!r} depends on the triage of the mention this replies to, "
                "which is not known yet; retry in a moment"
            ) from None

    async def preview(self, workspace: str, content_id: str) -> PolicyChoice:
        policy = await self.choose_policy(workspace, content_id)
        return PolicyChoice(policy=policy.name, steps=[s.name for s in policy.steps])

    # --- writing -------------------------------------------------------------------------

    async def request(
        self, principal: Principal, content_id: str, body: ApprovalRequestIn
    ) -> ApprovalView:
        workspace = principal.workspace
        latest = await self._latest(workspace, content_id)
        current = await self._approvals.latest_request(workspace, content_id)
        if current is not None:
            status = (await self.settle(current)).state.status
            if status == "approved":
                raise Conflict("already approved; an edit re-opens only the steps it concerns")
            if status != "rejected":
                raise Conflict(f"already in approval ({status.replace('_', ' ')})")
        policy = await self.choose_policy(workspace, content_id)
        record = ApprovalRecord(
            id=approval_key(content_id, current.number + 1 if current else 1),
            number=current.number + 1 if current else 1,
            content_id=content_id,
            workspace=workspace,
            policy=policy.name,
            steps=policy.steps,
            version=latest.version,
            requested_by=principal.subject,
            requested_at=utcnow(),
        )
        event = ApprovalRequestedV1(
            **envelope(workspace, content_id),
            data=ApprovalRequestData(
                approval_id=record.id,
                content_id=content_id,
                policy=policy.name,
                steps=tuple(s.name for s in policy.steps),
                version=latest.version,
                requested_by=principal.subject,
                kind=latest.kind,
                channel=latest.fields.channel,
            ),
        )
        if not await self._approvals.insert_request(record, [event]):
            raise Conflict("another request for this item was made at the same time")
        return self._view(await self.settle(record))

    async def after_edit(self, version: ContentVersion) -> None:
        """An edit may re-open steps: announce their opening."""
        record = await self._approvals.latest_request(version.workspace, version.content_id)
        if record is not None:
            facts = await self.settle(record)
            step = facts.state.open_step
            if self._clock is not None and step is not None and "slot" in version.changed:
                await self._clock.step_opened(record, step.position, step.round, facts.latest)

    async def decide(self, principal: Principal, content_id: str, body: DecisionIn) -> ApprovalView:
        await self._latest(principal.workspace, content_id)
        record = await self._approvals.latest_request(principal.workspace, content_id)
        if record is None:
            raise Conflict(f"content item {content_id!r} is not submitted for approval")
        facts = await self.settle(record)
        step = facts.state.step(body.step)
        if step is None:
            raise Invalid(f"step: this workflow has no step {body.step!r}")
        covers = eligible_slots(
            step.spec, subject=principal.subject, teams=principal.teams, roles=principal.roles
        )
        if not covers and self._clock is not None:
            covers = await self._clock.backup_slots(record, step.name, step.round, principal)
        if not covers:
            raise Forbidden(f"you are not an approver of step {step.name!r}")
        self._check_open(facts.state, step.name)
        if body.version is not None and body.version != facts.state.version:
            raise Conflict(
                f"version: you looked at version {body.version}, the item is now at version "
                f"{facts.state.version}; look again"
            )
        decision = DecisionRecord(
            approval_id=record.id,
            step=step.name,
            round=step.round,
            approver=f"user:{principal.subject}",
            covers=covers,
            decision=body.decision,
            comment=body.comment,
            version=facts.state.version,
            via="api",
            decided_at=utcnow(),
        )
        if not await self._record_decision(record, decision):
            raise Conflict(f"you already decided step {step.name!r} (round {step.round})")
        return self._view(await self.settle(record))

    @staticmethod
    def _check_open(state: ApprovalState, step: str) -> None:
        open_step = state.open_step
        if open_step is None or open_step.name != step:
            now = f"; open step: {open_step.name!r}" if open_step is not None else ""
            raise Conflict(
                f"step {step!r} is not awaiting decisions (approval is "
                f"{state.status.replace('_', ' ')}{now})"
            )

    async def _record_decision(self, record: ApprovalRecord, decision: DecisionRecord) -> bool:
        event = ApprovalStepDecidedV1(
            **envelope(record.workspace, record.content_id),
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
        return await self._approvals.insert_decision(
            decision, workspace=record.workspace, content_id=record.content_id, events=[event]
        )

    async def settle(self, record: ApprovalRecord) -> Facts:
        """Record the outcome the decisions call for, then announce the step now open; repeat
        until nothing is left to record. Idempotent and race-safe (unique keys)."""
        for _ in range(2 * len(record.steps) + 4):
            facts = await self._facts(record)
            proposed = facts.state.candidate
            if proposed is not None:
                outcome = OutcomeRecord(
                    approval_id=record.id,
                    step=proposed.step,
                    round=proposed.round,
                    outcome=proposed.outcome,
                    version=facts.state.version,
                    decided_by=proposed.decided_by,
                    reason=proposed.reason,
                    at=utcnow(),
                )
                after = fold(record, facts.versions, facts.decisions, [*facts.outcomes, outcome])
                won = await self._approvals.insert_outcome(
                    outcome,
                    workspace=record.workspace,
                    content_id=record.content_id,
                    events=self._outcome_events(record, outcome, after),
                )
                if won and self._clock is not None:
                    await self._clock.step_closed(record, outcome.step, outcome.round)
                continue  # won or lost, the stored outcome now decides: read again
            open_step = facts.state.open_step
            if open_step is not None and not await self._approvals.notice_exists(
                record.id, open_step.name, open_step.round
            ):
                if self._clock is not None:  # timers first: a crash here re-plans, idempotently
                    await self._clock.step_opened(
                        record, open_step.position, open_step.round, facts.latest
                    )
                await self._approvals.insert_notice(
                    record.id,
                    open_step.name,
                    open_step.round,
                    at=utcnow(),
                    events=[self._opened_event(facts)],
                )
            return facts
        raise RuntimeError(f"approval {record.id} did not settle")

    async def expire(self, facts: Facts, *, slot_at: datetime, reason: str) -> bool:
        """End a workflow whose slot passed (policy `expire`): the open step's round is
        rejected by the system, so the item is a draft again. False if that round already
        has its outcome (a decision came first)."""
        step = facts.state.open_step
        if step is None:
            return False
        record = facts.record
        outcome = OutcomeRecord(
            approval_id=record.id,
            step=step.name,
            round=step.round,
            outcome="rejected",
            version=facts.state.version,
            decided_by="system:deadlines",
            reason=reason,
            at=utcnow(),
        )
        event = ApprovalExpiredV1(
            **envelope(record.workspace, record.content_id),
            data=ExpiryData(
                approval_id=record.id,
                content_id=record.content_id,
                version=facts.state.version,
                step=step.name,
                slot_at=slot_at,
                reason=reason,
            ),
        )
        won = await self._approvals.insert_outcome(
            outcome, workspace=record.workspace, content_id=record.content_id, events=[event]
        )
        if won and self._clock is not None:
            await self._clock.step_closed(record, step.name, step.round)
        return won

    def _outcome_events(
        self, record: ApprovalRecord, outcome: OutcomeRecord, after: ApprovalState
    ) -> list[Event]:
        data = ApprovalOutcomeData(
            approval_id=record.id,
            content_id=record.content_id,
            version=outcome.version,
            step=outcome.step,
            decided_by=outcome.decided_by,
            reason=outcome.reason,
        )
        head = envelope(record.workspace, record.content_id)
        if outcome.outcome == "rejected":
            return [ApprovalRejectedV1(**head, data=data)]
        if outcome.outcome == "changes_requested":
            return [ApprovalChangesRequestedV1(**head, data=data)]
        if after.status == "approved":
            return [ApprovalCompletedV1(**head, data=data)]
        return []  # the next step's opening is announced by its notice

    def _opened_event(self, facts: Facts) -> ApprovalStepOpenedV1:
        record, step, latest = facts.record, facts.state.open_step, facts.latest
        assert step is not None
        expires = utcnow() + self._link_ttl

        def signed(approver: str, name: str, email: str | None = None) -> ApprovalLink:
            claims = LinkClaims(
                link_id=link_id(record.id, step.name, step.round, approver),
                workspace=record.workspace,
                content_id=record.content_id,
                approval_id=record.id,
                step=step.name,
                round=step.round,
                approver=approver,
                expires=int(expires.timestamp()),
            )
            return ApprovalLink(
                approver=approver,
                name=name,
                email=email,
                url=f"{self._public_url}/approval-links/{self._signer.sign(claims)}",
                expires_at=claims.expires_at,
            )

        links = tuple(signed(e.id, e.name, e.email) for e in step.spec.external)
        person_links = tuple(signed(f"person:{p}", p) for p in dict.fromkeys(step.spec.people))
        spec = step.spec
        return ApprovalStepOpenedV1(
            **envelope(record.workspace, record.content_id),
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
                links=links,
                person_links=person_links,
                title=latest.fields.title,
                channel=latest.fields.channel,
            ),
        )

    # --- external approvers --------------------------------------------------------------

    async def _link(self, token: str) -> tuple[LinkClaims, Facts, StepState, LinkHolder]:
        try:
            claims = self._signer.verify(token, now=utcnow())
        except LinkForged as exc:
            raise Unauthenticated(str(exc)) from None
        except LinkExpired as exc:
            raise Gone(str(exc)) from None
        record = await self._approvals.latest_request(claims.workspace, claims.content_id)
        if record is None or record.id != claims.approval_id:
            raise Gone("this approval link is superseded: the item was submitted again")
        if await self._approvals.link_spent(claims.link_id):
            raise Gone("this approval link was already used; each link decides once")
        facts = await self.settle(record)
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

    async def link_view(self, token: str) -> LinkView:
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

    async def link_decide(self, token: str, body: LinkDecisionIn) -> LinkOutcome:
        claims, facts, step, holder = await self._link(token)
        self._check_open(facts.state, claims.step)
        if not await self._approvals.spend_link(
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
        if not await self._record_decision(facts.record, decision):
            raise Gone(
                f"{holder.name} already decided step {step.name!r} (round {step.round}); "
                "each approver decides once"
            )
        settled = await self.settle(facts.record)
        return LinkOutcome(step.name, body.decision, settled.state.status)

    # --- views ---------------------------------------------------------------------------

    def _view(self, facts: Facts) -> ApprovalView:
        state, record = facts.state, facts.record
        verdict = publishable(facts.latest, state)
        status: Literal["in_review", "changes_requested", "approved", "rejected"] = state.status
        return ApprovalView(
            id=record.id,
            content_id=record.content_id,
            policy=record.policy,
            status=status,
            version=state.version,
            requested_version=record.version,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            current_step=state.current.name if state.current else None,
            steps=[
                StepView(
                    name=s.name,
                    position=s.position,
                    status=s.status,
                    round=s.round,
                    quorum=str(s.spec.quorum),
                    owns=s.spec.owns,
                    approved_by=tuple(s.approvals),
                    missing=missing_slots(s.spec, s.approvals) if s.status == "open" else (),
                )
                for s in state.steps
            ],
            decisions=[
                DecisionView(
                    step=d.step,
                    round=d.round,
                    approver=d.approver,
                    decision=d.decision,
                    comment=d.comment,
                    version=d.version,
                    via=d.via,
                    decided_at=d.decided_at,
                )
                for d in sorted(facts.decisions, key=lambda d: (d.decided_at, d.approver))
            ],
            reason=state.reason,
            publishable=verdict.ok,
            publishable_reason=verdict.reason,
        )
