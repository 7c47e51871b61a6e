"""The approval state machine: pure functions over stored facts, no I/O.

A workflow's state is never stored; it is folded from insert-only facts: the request (the
policy's steps), the content versions since, each approver's decision, and the outcome fixed for
each round of each step. Steps run in order: the first step not approved is the one open.

- An edit re-opens (next round) every step owning a changed field; approved steps that own none
  of them stay approved. A changed content field that no step owns re-opens every step (fail
  safe). A step whose changes were requested re-opens at the next edit, whatever it changed.
- In the open step's current round: one `reject` rejects the workflow (terminal: the item is a
  draft again); one `request_changes` holds the step until the next edit; otherwise the quorum
  (any, all slots, N approvers) approves the step.
- An outcome is only a *candidate* until recorded under the unique key (approval, step, round):
  concurrent deciders each propose, exactly one insert wins, and the fold obeys that record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ensemble_scheduler.models.approvals import (
    ApprovalRecord,
    ApprovalStatus,
    DecisionRecord,
    OutcomeKind,
    OutcomeRecord,
    StepStatus,
)
from ensemble_scheduler.models.content import (
    CONTENT_FIELDS,
    EDITABLE,
    ContentFields,
    ContentVersion,
    FieldName,
)
from ensemble_scheduler.models.policies import StepSpec


def changed_fields(before: ContentFields, after: ContentFields) -> tuple[FieldName, ...]:
    """Editable fields whose values differ (tag order does not count)."""
    a, b = before.comparable(), after.comparable()
    return tuple(name for name in EDITABLE if a.get(name) != b.get(name))


def eligible_slots(
    spec: StepSpec, *, subject: str, teams: Iterable[str], roles: Iterable[str]
) -> tuple[str, ...]:
    """The step's approver slots an account fills; empty means it may not decide the step."""
    held_teams, held_roles = set(teams), {str(r) for r in roles}
    return (
        *((f"person:{subject}",) if subject in spec.people else ()),
        *(f"team:{t}" for t in dict.fromkeys(spec.teams) if t in held_teams),
        *(f"role:{r}" for r in dict.fromkeys(spec.roles) if str(r) in held_roles),
    )


def quorum_met(spec: StepSpec, approvals: dict[str, tuple[str, ...]]) -> bool:
    """`approvals`: approver -> the slots they fill, for approvals of one round."""
    if spec.quorum == "any":
        return bool(approvals)
    if spec.quorum == "all":
        covered = {slot for slots in approvals.values() for slot in slots}
        return set(spec.slots()) <= covered
    return len(approvals) >= spec.quorum


def missing_slots(spec: StepSpec, approvals: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    covered = {slot for slots in approvals.values() for slot in slots}
    return tuple(s for s in spec.slots() if s not in covered)


@dataclass
class StepState:
    spec: StepSpec
    position: int
    status: StepStatus = "pending"
    round: int = 0
    decided_by: str | None = None
    reason: str | None = None
    approvals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    def reopen(self) -> None:
        self.round += 1
        self.status = "pending"
        self.decided_by = self.reason = None
        self.approvals = {}


@dataclass(frozen=True)
class Candidate:
    """An outcome the decisions call for, not yet recorded."""

    step: str
    round: int
    outcome: OutcomeKind
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class ApprovalState:
    approval: ApprovalRecord
    status: ApprovalStatus
    version: int
    digest: str
    steps: tuple[StepState, ...]
    current: StepState | None = None
    candidate: Candidate | None = None
    reason: str | None = None
    decided_by: str | None = None

    def step(self, name: str) -> StepState | None:
        return next((s for s in self.steps if s.name == name), None)

    @property
    def open_step(self) -> StepState | None:
        """The step that accepts decisions now, if any."""
        if self.status == "in_review" and self.current is not None:
            return self.current
        return None


class _Fold:
    def __init__(self, approval: ApprovalRecord) -> None:
        self.approval = approval
        self.steps = [StepState(spec, i) for i, spec in enumerate(approval.steps)]
        self.rejected: StepState | None = None
        self._owned = {f for spec in approval.steps for f in spec.owns}

    def edit(self, changed: Sequence[FieldName]) -> None:
        if self.rejected is not None or not changed:
            return
        orphans = (set(changed) & set(CONTENT_FIELDS)) - self._owned
        for step in self.steps:
            touched = bool(orphans) or bool(set(changed) & set(step.spec.owns))
            if touched or step.status == "changes_requested":
                step.reopen()

    def outcome(self, record: OutcomeRecord) -> None:
        step = next((s for s in self.steps if s.name == record.step), None)
        if self.rejected is not None or step is None or record.round != step.round:
            return  # after the end, or about a round an edit has since superseded
        step.status = record.outcome
        step.decided_by, step.reason = record.decided_by, record.reason
        if record.outcome == "rejected":
            self.rejected = step


def fold(
    approval: ApprovalRecord,
    versions: Sequence[ContentVersion],
    decisions: Iterable[DecisionRecord] = (),
    outcomes: Iterable[OutcomeRecord] = (),
) -> ApprovalState:
    """The workflow's state after every fact given.

    `versions` must hold the submitted version and every later one. Outcomes are applied right
    after the version their decider saw, so an outcome racing an edit lands before that edit.
    """
    ordered = sorted(
        (v for v in versions if v.version >= approval.version), key=lambda v: v.version
    )
    if not ordered or ordered[0].version != approval.version:
        raise ValueError(f"version {approval.version} (the submitted one) is missing")
    numbers = [v.version for v in ordered]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise ValueError(f"versions are not contiguous: {numbers}")
    state = _Fold(approval)
    by_version: dict[int, list[OutcomeRecord]] = {}
    for record in outcomes:
        at = min(max(record.version, numbers[0]), numbers[-1])
        by_version.setdefault(at, []).append(record)
    previous: ContentVersion | None = None
    for version in ordered:
        if previous is not None:
            state.edit(changed_fields(previous.fields, version.fields))
        for record in sorted(by_version.get(version.version, []), key=lambda r: (r.at, r.step)):
            state.outcome(record)
        previous = version
    latest = ordered[-1]
    _count_approvals(state.steps, decisions)
    return _conclude(state, latest)


def _count_approvals(steps: Sequence[StepState], decisions: Iterable[DecisionRecord]) -> None:
    by_name = {s.name: s for s in steps}
    for decision in sorted(decisions, key=lambda d: (d.decided_at, d.approver)):
        step = by_name.get(decision.step)
        if step is not None and decision.round == step.round and decision.decision == "approve":
            step.approvals[decision.approver] = decision.covers


def _conclude(state: _Fold, latest: ContentVersion) -> ApprovalState:
    common = {
        "approval": state.approval,
        "version": latest.version,
        "digest": latest.digest,
        "steps": tuple(state.steps),
    }
    if state.rejected is not None:
        step = state.rejected
        return ApprovalState(
            **common,  # type: ignore[arg-type]
            status="rejected",
            current=step,
            reason=step.reason,
            decided_by=step.decided_by,
        )
    current = next((s for s in state.steps if s.status != "approved"), None)
    if current is None:
        return ApprovalState(**common, status="approved")  # type: ignore[arg-type]
    if current.status == "changes_requested":
        return ApprovalState(
            **common,  # type: ignore[arg-type]
            status="changes_requested",
            current=current,
            reason=current.reason,
            decided_by=current.decided_by,
        )
    current.status = "open"
    return ApprovalState(
        **common,  # type: ignore[arg-type]
        status="in_review",
        current=current,
        candidate=None,
    )


def candidate(state: ApprovalState, decisions: Iterable[DecisionRecord]) -> Candidate | None:
    """The outcome the open step's decisions call for, if they call for one yet."""
    step = state.open_step
    if step is None:
        return None
    mine = sorted(
        (d for d in decisions if d.step == step.name and d.round == step.round),
        key=lambda d: (d.decided_at, d.approver),
    )
    for kind, outcome in (("reject", "rejected"), ("request_changes", "changes_requested")):
        first = next((d for d in mine if d.decision == kind), None)
        if first is not None:
            return Candidate(step.name, step.round, outcome, first.approver, first.comment)  # type: ignore[arg-type]
    if quorum_met(step.spec, step.approvals):
        last = mine[-1].approver if mine else None
        return Candidate(step.name, step.round, "approved", last, None)
    return None


def evaluate(
    approval: ApprovalRecord,
    versions: Sequence[ContentVersion],
    decisions: Sequence[DecisionRecord],
    outcomes: Sequence[OutcomeRecord],
) -> ApprovalState:
    """`fold`, with the open step's candidate outcome attached."""
    state = fold(approval, versions, decisions, outcomes)
    proposed = candidate(state, decisions)
    if proposed is None:
        return state
    return ApprovalState(
        approval=state.approval,
        status=state.status,
        version=state.version,
        digest=state.digest,
        steps=state.steps,
        current=state.current,
        candidate=proposed,
        reason=state.reason,
        decided_by=state.decided_by,
    )


def awaits(
    state: ApprovalState,
    decisions: Iterable[DecisionRecord],
    *,
    approver: str,
    covers: tuple[str, ...],
) -> StepState | None:
    """The open step if `approver` (user:<subject>, filling `covers`) has a decision to make
    on it now: the decision route would take their approval (the step is open, they fill one
    of its slots, it is not their own request unless the policy allows that) and it would
    still count (they have not decided this round, no outcome is already called for, and
    under quorum `all` a slot they fill is still missing)."""
    step = state.open_step
    if step is None or not covers or state.candidate is not None:
        return None
    if state.approval.approves_own(approver):
        return None
    if any(
        d.approver == approver and d.step == step.name and d.round == step.round for d in decisions
    ):
        return None
    missing = missing_slots(step.spec, step.approvals)
    if step.spec.quorum == "all" and not set(covers) & set(missing):
        return None
    return step


@dataclass(frozen=True)
class Publishability:
    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


def publishable(item: ContentVersion, state: ApprovalState | None) -> Publishability:
    """Whether `item` (the item's latest version) may go out now: only when its approval is
    complete for exactly this version and exactly this content. The one gate publishing uses."""
    if state is None:
        return Publishability(False, "never submitted for approval")
    approval = state.approval
    if approval.content_id != item.content_id or approval.workspace != item.workspace:
        return Publishability(False, "the approval is about another item")
    if state.status != "approved":
        where = f" at step {state.current.name!r}" if state.current is not None else ""
        return Publishability(False, f"approval is {state.status.replace('_', ' ')}{where}")
    unapproved = [s.name for s in state.steps if s.status != "approved"]
    if unapproved or not state.steps:
        return Publishability(False, f"steps not approved: {unapproved}")
    if state.version != item.version:
        return Publishability(
            False, f"version {item.version} is not the approved version {state.version}"
        )
    if state.digest != item.digest:
        return Publishability(False, "the content differs from what was approved")
    return Publishability(True, f"approved (version {item.version})")
