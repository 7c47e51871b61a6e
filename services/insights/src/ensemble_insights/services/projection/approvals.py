"""Approvals (how fast steps are decided) and publishing (on time, late, failed).

An approval's state lists its events as moments; every figure is recomputed from them, so
the policy a decision counts under is the workflow's even when the request arrives after the
decision in a replayed history. Cycle time runs from the request to the first completion; a
step's time from its opening (per round) to the first decision on that round, and each
approver's own (`decision_time`, per person) to their first decision on that round.

Publishing keeps, per content item, its latest slot (highest scheduling sequence) and its
first publication: on time when published within the workspace's tolerance after the slot.
A slot moved by scheduler's deadline keeper (`by` = `system:deadlines`) is a late approval
that re-slotted the post.
"""

from __future__ import annotations

from typing import Any

from ensemble_insights.models.catalog import APPROVALS, PUBLISHING, TIMELINE
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, counts, durations, variants
from ensemble_insights.services.projection.common import (
    Context,
    Handler,
    Output,
    add_moment,
    change,
    earliest,
)
from ensemble_insights.services.projection.state import Entity

APPROVAL, CONTENT = "approval", "content"
LATE_APPROVAL_ACTOR = "system:deadlines"

_LISTED = {
    "approval.step_opened": "opened",
    "approval.step_decided": "decided",
    "approval.rejected": "rejected",
    "approval.changes_requested": "changes",
    "approval.expired": "expired",
    "approval.reminder_due": "reminders",
    "approval.escalated": "escalations",
}
_COUNTED = {
    "rejected": "approvals_rejected",
    "changes": "approvals_changes_requested",
    "expired": "approvals_expired",
    "reminders": "approval_reminders",
    "escalations": "approval_escalations",
}


def _approval_merge(state: Entity, fact: Fact) -> None:
    d = fact.data
    if fact.kind == "approval.requested":
        state["requested"] = earliest(state.get("requested"), [fact.at, fact.id])
        for name in ("policy", "kind", "channel"):
            state[name] = d.get(name)
    elif fact.kind == "approval.completed":
        state["completed"] = earliest(state.get("completed"), [fact.at, fact.id])
    elif fact.kind in _LISTED:
        details = [d.get("step"), d.get("round"), d.get("decision"), d.get("via")]
        if fact.kind == "approval.step_decided":
            details.append(d.get("decided_by"))
        add_moment(state.setdefault(_LISTED[fact.kind], []), [fact.at, fact.id, *details])


def approval_contributions(state: Entity) -> list[Contribution]:
    found: list[Contribution] = []
    policy = state.get("policy")
    requested = state.get("requested")
    if requested is not None:
        dims = {"policy": policy, "kind": state.get("kind"), "channel": state.get("channel")}
        found += counts(requested[0], APPROVALS, variants("approvals_requested", dims))
    completed = state.get("completed")
    if completed is not None:
        found += counts(
            completed[0], APPROVALS, variants("approvals_completed", {"policy": policy})
        )
        if requested is not None:
            keys = variants("approval_cycle", {"policy": policy})
            found += durations(completed[0], APPROVALS, keys, completed[0] - requested[0])
    for listed, metric in _COUNTED.items():
        for at, _, step, *_ in state.get(listed, ()):
            found += counts(at, APPROVALS, variants(metric, {"policy": policy, "step": step}))
    opened = {(m[2], m[3]): m[0] for m in state.get("opened", ())}
    first_decision: dict[tuple[Any, Any], float] = {}
    own_decision: dict[tuple[Any, Any, str], float] = {}
    for at, _, step, round_, decision, via, *decider in state.get("decided", ()):
        person = decider[0] if decider else None  # moments folded before people were kept
        dims = {"policy": policy, "step": step, "decision": decision, "via": via}
        keys = variants("step_decisions", {**dims, "person": person}, (("decision", "person"),))
        found += counts(at, APPROVALS, keys)
        first_decision.setdefault((step, round_), at)  # moments are sorted by time
        if person:
            own_decision.setdefault((step, round_, person), at)
    for (step, round_), at in first_decision.items():
        if (step, round_) in opened:
            keys = variants("step_time", {"policy": policy, "step": step}, (("policy", "step"),))
            found += durations(at, APPROVALS, keys, at - opened[(step, round_)])
    for (step, round_, person), at in own_decision.items():
        if (step, round_) in opened:
            dims = {"policy": policy, "step": step, "person": person}
            keys = variants("decision_time", dims, (("step", "person"),))
            found += durations(at, APPROVALS, keys, at - opened[(step, round_)])
    return found


def approval(fact: Fact, ctx: Context, out: Output) -> None:
    out.contributions += change(ctx, APPROVAL, fact, _approval_merge, approval_contributions)


# --- publishing ---


def counted(metric: str, *dims: str) -> Handler:
    def handle(fact: Fact, ctx: Context, out: Output) -> None:
        values = {name: fact.data.get(name) for name in dims}
        out.contributions += counts(fact.at, PUBLISHING, variants(metric, values))

    return handle


def rescheduled(fact: Fact, ctx: Context, out: Output) -> None:
    cause = "late_approval" if fact.data.get("by") == LATE_APPROVAL_ACTOR else "manual"
    dims = {"channel": fact.data.get("channel"), "cause": cause}
    out.contributions += counts(fact.at, PUBLISHING, variants("rescheduled", dims))


def held(fact: Fact, ctx: Context, out: Output) -> None:
    metric = "holds" if fact.kind == "schedule.held" else "releases"
    out.contributions += counts(
        fact.at, PUBLISHING, variants(metric, {"channel": fact.data.get("channel")})
    )
    payload = {"type": fact.kind, "content": fact.entity, **fact.data}
    out.entries.append((fact.at, TIMELINE, fact.id, payload))


def _content_merge(state: Entity, fact: Fact) -> None:
    d = fact.data
    if fact.kind in ("content.scheduled", "content.rescheduled"):
        if int(d.get("sequence") or 0) >= int(state.get("sequence", -1)):
            state["sequence"], state["slot"] = int(d.get("sequence") or 0), d.get("slot")
    elif fact.kind == "content.published":
        moment = [fact.at, fact.id, d.get("channel"), d.get("platform")]
        state["published"] = earliest(state.get("published"), moment)


def publishing_contributions(state: Entity) -> list[Contribution]:
    """The publication of one item; the tolerance is the one set when it was published."""
    published = state.get("published")
    if published is None:
        return []
    at, _, channel, platform = published
    tolerance = float(state.get("tolerance", 0))
    slot = state.get("slot")
    timing = "unscheduled" if slot is None else "on_time" if at <= slot + tolerance else "late"
    dims = {"channel": channel, "timing": timing, "platform": platform}
    found = counts(at, PUBLISHING, variants("published", dims))
    if slot is not None:
        keys = variants("publish_delay", {"channel": channel})
        found += durations(at, PUBLISHING, keys, max(at - slot, 0.0))
    return found


def content(fact: Fact, ctx: Context, out: Output) -> None:
    def merge(state: Entity, fact: Fact) -> None:
        _content_merge(state, fact)
        if "published" in state and "tolerance" not in state:
            state["tolerance"] = ctx.settings(fact.workspace).on_time_seconds

    out.contributions += change(ctx, CONTENT, fact, merge, publishing_contributions)


HANDLERS: dict[str, list[Handler]] = {
    **{kind: [approval] for kind in ("approval.requested", "approval.completed", *_LISTED)},
    "content.drafted": [counted("content_drafted", "kind", "channel")],
    "content.edited": [counted("content_edited", "kind", "channel")],
    "content.commented": [counted("content_comments")],
    "content.scheduled": [counted("scheduled", "channel"), content],
    "content.rescheduled": [rescheduled, content],
    "content.published": [content],
    "content.publish_failed": [counted("publish_failed", "channel", "code")],
    "schedule.held": [held],
    "schedule.released": [held],
}
