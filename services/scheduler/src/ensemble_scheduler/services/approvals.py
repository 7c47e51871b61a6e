"""Approval workflows: request, amend, decide (signed-in approvers), and settle what follows.

Every write is an insert of a fact under its natural key; the state is folded from the facts by
`workflow` (pure). `settle` records what the facts now call for (a step's outcome, a step's
opening) and is safe to run by any number of callers at once: each fact's key admits one insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_scheduler.exceptions import SelfApproval
from ensemble_scheduler.models.approvals import (
    ApprovalRecord,
    ApprovalRequestIn,
    ApprovalView,
    DecisionIn,
    DecisionRecord,
    OutcomeRecord,
    PolicyChoice,
)
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.policies import Policy, StepSpec
from ensemble_scheduler.services import approval_events
from ensemble_scheduler.services.approval_facts import Facts, approval_view, shown_status
from ensemble_scheduler.services.links import ApprovalLinks
from ensemble_scheduler.services.ports import StepClock
from ensemble_scheduler.services.post_checks import PostChecker
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.routing import MentionFacts, NoPolicy, TriagePending, choose
from ensemble_scheduler.services.workflow import (
    ApprovalState,
    StepState,
    eligible_slots,
    evaluate,
    fold,
)
from ensemble_scheduler.storage.approvals import (
    ApprovalRepository,
    approval_key,
    next_approval_key,
)
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Forbidden, Invalid, NotFound
from ensemble_shared.events import utcnow


def require_open(state: ApprovalState, step: str) -> None:
    """Conflict unless `step` is the one awaiting decisions now."""
    open_step = state.open_step
    if open_step is None or open_step.name != step:
        now = f"; open step: {open_step.name!r}" if open_step is not None else ""
        raise Conflict(
            f"step {step!r} is not awaiting decisions (approval is "
            f"{state.status.replace('_', ' ')}{now})"
        )


class ApprovalService:
    def __init__(
        self,
        approvals: ApprovalRepository,
        content: ContentRepository,
        policies: PolicyRepository,
        targets: ReplyTargetService,
        *,
        links: ApprovalLinks,
        clock: StepClock,
        checks: PostChecker,
    ) -> None:
        self._approvals = approvals
        self._content = content
        self._policies = policies
        self._targets = targets
        self._links = links
        self._clock = clock  # deadlines: plans each opened step, escalates to backups
        self._checks = checks  # the platform's limits, before anyone spends time approving

    # --- reading -------------------------------------------------------------------------

    async def latest(self, workspace: str, content_id: str) -> ContentVersion:
        """The item's latest version; NotFound for an unknown id or another workspace's."""
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

    async def facts_many(self, workspace: str, approval_ids: Sequence[str]) -> list[Facts]:
        """The facts of several workflows, read together (four reads, whatever their number),
        and not settled: what a list shows. A workflow a later request replaced is left out."""
        ids = list(dict.fromkeys(approval_ids))
        if not ids:
            return []
        found = await self._approvals.requests_by_id(
            workspace, [*ids, *(next_approval_key(i) for i in ids)]
        )
        taken = {record.id for record in found}
        records = [r for r in found if r.id in ids and next_approval_key(r.id) not in taken]
        if not records:
            return []
        versions = await self._content.versions_of_many(
            workspace, {r.content_id: r.version for r in records}
        )
        decisions = await self._approvals.decisions_of_many([r.id for r in records])
        outcomes = await self._approvals.outcomes_of_many([r.id for r in records])
        facts = []
        for record in records:
            since = versions[record.content_id]
            if not since or since[0].version != record.version:
                continue  # the submitted version is not there: nothing to show
            mine = [d for d in decisions if d.approval_id == record.id]
            ended = [o for o in outcomes if o.approval_id == record.id]
            state = evaluate(record, since, mine, ended)
            facts.append(Facts(record, since, mine, ended, state))
        return facts

    @property
    def clock(self) -> StepClock:
        return self._clock

    async def current(self, workspace: str, content_id: str) -> ApprovalRecord | None:
        """The item's latest request for approval, as stored (None if never submitted)."""
        return await self._approvals.latest_request(workspace, content_id)

    async def status_of(self, latest: ContentVersion) -> tuple[str, str | None]:
        """(draft | in_review | changes_requested | approved, approval id) of an item."""
        record = await self._approvals.latest_request(latest.workspace, latest.content_id)
        return ("draft", None) if record is None else await self._status(record)

    async def _status(self, record: ApprovalRecord) -> tuple[str, str | None]:
        return shown_status((await self._facts(record)).state.status), record.id

    async def statuses_of(
        self, workspace: str, content_ids: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        """`status_of` for a page of items: five reads whatever their number (FerretDB scans
        for any filter but `_id`, so one read per item was one scan per item)."""
        records = await self._approvals.latest_requests(workspace, content_ids)
        many = await self.facts_many(workspace, [r.id for r in records.values()])
        facts = {f.record.content_id: f for f in many}
        found: dict[str, tuple[str, str | None]] = {}
        for content_id in content_ids:
            record, known = records.get(content_id), facts.get(content_id)
            if record is None:
                found[content_id] = ("draft", None)
            elif known is None:  # its submitted version is not readable yet: as one read would
                found[content_id] = await self._status(record)
            else:
                found[content_id] = shown_status(known.state.status), record.id
        return found

    async def state_of(self, workspace: str, content_id: str) -> ApprovalState | None:
        """The current workflow's state (None if never submitted): what publishing checks."""
        facts = await self.facts_of(workspace, content_id)
        return None if facts is None else facts.state

    async def facts_of(self, workspace: str, content_id: str) -> Facts | None:
        """The current workflow's settled facts (None if never submitted): what timers check."""
        record = await self._approvals.latest_request(workspace, content_id)
        return None if record is None else await self.settle(record)

    async def view(self, workspace: str, content_id: str) -> ApprovalView:
        await self.latest(workspace, content_id)
        record = await self._approvals.latest_request(workspace, content_id)
        if record is None:
            raise NotFound(f"content item {content_id!r} was never submitted for approval")
        return approval_view(await self.settle(record))

    async def choose_policy(self, workspace: str, content_id: str) -> Policy:
        latest = await self.latest(workspace, content_id)
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
        latest = await self.latest(workspace, content_id)
        current = await self._approvals.latest_request(workspace, content_id)
        if current is not None:
            status = (await self.settle(current)).state.status
            if status == "approved":
                raise Conflict("already approved; an edit re-opens only the steps it concerns")
            if status != "rejected":
                raise Conflict(f"already in approval ({status.replace('_', ' ')})")
        await self._checks.require_fit(latest)
        policy = await self.choose_policy(workspace, content_id)
        record = _next_request(
            current,
            latest,
            policy=policy.name,
            steps=policy.steps,
            requested_by=principal.subject,
            allow_self_approval=policy.allow_self_approval,
        )
        if not await self._approvals.insert_request(
            record, [approval_events.requested(record, latest)]
        ):
            raise Conflict("another request for this item was made at the same time")
        return approval_view(await self.settle(record))

    async def amend(
        self, workspace: str, content_id: str, *, first: StepSpec, requested_by: str
    ) -> bool:
        """Put step `first` before the steps of the item's approval (idempotent): a new request
        of the same item whose other steps carry over the outcomes they had (approved stays
        approved, changes requested stays requested). False when there is no approval to
        amend (never submitted, or rejected: a new request starts from scratch)."""
        current = await self._approvals.latest_request(workspace, content_id)
        if current is None:
            return False
        facts = await self.settle(current)
        state = facts.state
        if state.status == "rejected":
            return False
        existing = state.step(first.name)
        if existing is not None and existing.status != "approved":
            return True  # amended already and not yet through that step
        record = _next_request(
            current,
            facts.latest,
            policy=current.policy,
            steps=(first, *(s.spec for s in state.steps if s.name != first.name)),
            requested_by=requested_by,
            allow_self_approval=current.allow_self_approval,
        )
        if not await self._approvals.insert_request(
            record, [approval_events.requested(record, facts.latest)]
        ):
            return True  # someone amended or re-requested at the same moment
        for step in state.steps:
            if step.name == first.name or step.status not in ("approved", "changes_requested"):
                continue
            outcome = OutcomeRecord(
                approval_id=record.id,
                step=step.name,
                round=0,
                outcome=step.status,
                version=record.version,
                decided_by=step.decided_by,
                reason=step.reason or f"carried over from {current.id}",
                at=utcnow(),
            )
            await self._approvals.insert_outcome(
                outcome, workspace=workspace, content_id=content_id, events=[]
            )
        await self.settle(record)
        return True

    async def after_edit(self, version: ContentVersion) -> None:
        """An edit may re-open steps: announce their opening."""
        record = await self._approvals.latest_request(version.workspace, version.content_id)
        if record is not None:
            facts = await self.settle(record)
            step = facts.state.open_step
            if step is not None and "slot" in version.changed:
                await self._clock.step_opened(record, step.position, step.round, facts.latest)

    async def decide(self, principal: Principal, content_id: str, body: DecisionIn) -> ApprovalView:
        await self.latest(principal.workspace, content_id)
        record = await self._approvals.latest_request(principal.workspace, content_id)
        if record is None:
            raise Conflict(f"content item {content_id!r} is not submitted for approval")
        facts = await self.settle(record)
        step = facts.state.step(body.step)
        if step is None:
            raise Invalid(f"step: this workflow has no step {body.step!r}")
        covers = await self.covers(record, step, principal)
        if not covers:
            raise Forbidden(f"you are not an approver of step {step.name!r}")
        require_open(facts.state, step.name)
        if body.decision == "approve" and record.approves_own(f"user:{principal.subject}"):
            raise SelfApproval()
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
        if not await self.record_decision(record, decision):
            raise Conflict(f"you already decided step {step.name!r} (round {step.round})")
        return approval_view(await self.settle(record))

    async def covers(
        self, record: ApprovalRecord, step: StepState, principal: Principal
    ) -> tuple[str, ...]:
        """The step's approver slots `principal` fills: named (person, team, role), or as the
        backup of a round that escalated; empty when they may not decide it."""
        covers = eligible_slots(
            step.spec, subject=principal.subject, teams=principal.teams, roles=principal.roles
        )
        if not covers:
            covers = await self._clock.backup_slots(record, step.name, step.round, principal)
        return covers

    async def record_decision(self, record: ApprovalRecord, decision: DecisionRecord) -> bool:
        """False when this approver already decided this round of this step."""
        return await self._approvals.insert_decision(
            decision,
            workspace=record.workspace,
            content_id=record.content_id,
            events=[approval_events.decided(record, decision)],
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
                    events=approval_events.concluded(record, outcome, after),
                )
                if won:
                    await self._clock.step_closed(record, outcome.step, outcome.round)
                continue  # won or lost, the stored outcome now decides: read again
            step = facts.state.open_step
            if step is not None and not await self._approvals.notice_exists(
                record.id, step.name, step.round
            ):
                # timers first: a crash here re-plans, idempotently
                await self._clock.step_opened(record, step.position, step.round, facts.latest)
                links = self._links.of_step(record, step.spec, step.round, now=utcnow())
                await self._approvals.insert_notice(
                    record.id,
                    step.name,
                    step.round,
                    at=utcnow(),
                    events=[approval_events.opened(record, step, facts.latest, links)],
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
        event = approval_events.expired(
            record, step.name, facts.state.version, slot_at=slot_at, reason=reason
        )
        won = await self._approvals.insert_outcome(
            outcome, workspace=record.workspace, content_id=record.content_id, events=[event]
        )
        if won:
            await self._clock.step_closed(record, step.name, step.round)
        return won


def _next_request(
    current: ApprovalRecord | None,
    latest: ContentVersion,
    *,
    policy: str,
    steps: tuple[StepSpec, ...],
    requested_by: str,
    allow_self_approval: bool,
) -> ApprovalRecord:
    """The item's next request (number 1, or the one after `current`): its latest version."""
    number = current.number + 1 if current else 1
    return ApprovalRecord(
        id=approval_key(latest.content_id, number),
        number=number,
        content_id=latest.content_id,
        workspace=latest.workspace,
        policy=policy,
        steps=steps,
        version=latest.version,
        requested_by=requested_by,
        requested_at=utcnow(),
        allow_self_approval=allow_self_approval,
    )
