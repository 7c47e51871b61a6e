"""The community: members, submissions and the roadmap, field events.

Members: new (registered), active (any activity: a submission, vote, comment, RSVP of their
own, check-in — one key per member and day, so "active in a range" is a distinct count), and
first active (the earliest activity known: returning = active - first active in the range).
Each activity is also counted per member and kind (feedback's activity kinds: submission,
vote, comment, rsvp, attendance), which the members view weighs into engagement scores with
the workspace's weights: the latest `member.engagement_weights_changed` (by time, then event
id, so any order of arrival ends on the same weights), kept as a `now` entry and applied when
read, so a change of weights rescores every period and a rebuild gives the same numbers.
Unsubscribes are consents a member's update withdrew.

Submissions: created (kind, category, tags, social origin, held for moderation), votes,
comments, merges, moves on the roadmap (from → to), and the time spent in each status,
counted when the submission leaves it. Stocks "now" (not dated): submissions by current
status (a merged duplicate is `merged`), and per field event the seats by status, check-ins
and ideas tagged `event:<id>`.
"""

from __future__ import annotations

import itertools
from typing import Any

from ensemble_insights.models.catalog import ACTIVITY, COMMUNITY, ENGAGEMENT, NOW, WEIGHTS
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, counts, durations, key, variants
from ensemble_insights.services.projection.common import (
    Context,
    Handler,
    Moment,
    Output,
    add_moment,
    change,
    earliest,
)
from ensemble_insights.services.projection.state import Entity, State

SUBMISSION, SEAT, MEMBER, FIRST = "submission", "seat", "member", "first_active"
WEIGHTING = "weights"
EVENT_TAG = "event:"
OWN_RSVPS = frozenset({"confirmed", "waitlisted", "cancelled"})


def activity(fact: Fact, ctx: Context, out: Output, member: str | None, kind: str) -> None:
    """One activity of `member` now: counted for the day (and by kind, for the engagement
    score), and maybe their first."""
    if not member:
        return
    keys = [
        key("member_activity", {"member": member}),
        key(ENGAGEMENT, {"member": member, "kind": kind}),
    ]
    out.contributions += counts(fact.at, ACTIVITY, keys)

    def merge(state: Entity, fact: Fact) -> None:
        state["first"] = earliest(state.get("first"), [fact.at, fact.id])

    def contribute(state: Entity) -> list[Contribution]:
        return counts(state["first"][0], COMMUNITY, ["members_first_active"])

    out.contributions += change(ctx, FIRST, fact, merge, contribute, entity=member)


def counted(metric: str, *dims: str, actor: tuple[str, str] | None = None) -> Handler:
    """Counts `metric` by `dims`; `actor` (data field, activity kind) names who acted."""

    def handle(fact: Fact, ctx: Context, out: Output) -> None:
        values = {name: fact.data.get(name) for name in dims}
        out.contributions += counts(fact.at, COMMUNITY, variants(metric, values))
        if actor is not None:
            activity(fact, ctx, out, fact.data.get(actor[0]), actor[1])

    return handle


# --- submissions ---


def _submission_merge(state: Entity, fact: Fact) -> None:
    d = fact.data
    if d.get("kind"):
        state["kind"] = d["kind"]
    if fact.kind == "submission.created":
        state["created"] = min(fact.at, state.get("created", fact.at))
        state["events"] = [
            t[len(EVENT_TAG) :] for t in d.get("tags") or () if t.startswith(EVENT_TAG)
        ]
    elif fact.kind == "submission.status_changed":
        add_moment(state.setdefault("moves", []), [fact.at, fact.id, d["from"], d["status"]])
    elif fact.kind == "submission.merged":
        state["merged"] = earliest(state.get("merged"), [fact.at, fact.id])


def submission_contributions(state: Entity) -> list[Contribution]:
    kind = state.get("kind")
    moves: list[Moment] = state.get("moves", [])
    found: list[Contribution] = []
    entered = state.get("created")
    for at, _, previous, _ in moves:
        if entered is not None:
            keys = variants("time_in_status", {"status": previous, "kind": kind})
            found += durations(at, COMMUNITY, keys, at - entered)
        entered = at
    if state.get("merged"):
        current: str | None = "merged"
    elif moves:
        current = moves[-1][3]
    else:
        current = "open" if "created" in state else None
    if current is not None:
        found += counts(None, NOW, variants("ideas_now", {"status": current, "kind": kind}))
    for event in state.get("events", ()) if "created" in state else ():
        found += counts(None, NOW, [key("event_ideas_now", {"event": event})])
    return found


def submission(fact: Fact, ctx: Context, out: Output) -> None:
    out.contributions += change(ctx, SUBMISSION, fact, _submission_merge, submission_contributions)


def created(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    dims = {
        "kind": d["kind"],
        "category": d.get("category"),
        "origin": "social" if d.get("social") else "board",
        "moderation": "published" if d.get("published", True) else "held",
    }
    keys = variants("submissions", dims, many={"tag": d.get("tags") or ()})
    out.contributions += counts(fact.at, COMMUNITY, keys)
    activity(fact, ctx, out, d.get("member"), "submission")
    submission(fact, ctx, out)


def moved(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    dims = {"status": d["status"], "from": d["from"], "kind": d.get("kind")}
    keys = variants("status_changes", dims, (("from", "status"),))
    out.contributions += counts(fact.at, COMMUNITY, keys)
    submission(fact, ctx, out)


def voted(fact: Fact, ctx: Context, out: Output) -> None:
    action = fact.data["action"]
    out.contributions += counts(fact.at, COMMUNITY, variants("votes", {"action": action}))
    if action == "voted":
        activity(fact, ctx, out, fact.data.get("member"), "vote")


# --- members ---


def consents(fact: Fact, ctx: Context, out: Output) -> None:
    def merge(state: Entity, fact: Fact) -> None:
        add_moment(state.setdefault("versions", []), [fact.at, fact.id, fact.data["consents"]])

    def contribute(state: Entity) -> list[Contribution]:
        found: list[Contribution] = []
        versions = state["versions"]
        for before, after in itertools.pairwise(versions):
            for topic in sorted(set(before[2]) - set(after[2])):
                found += counts(after[0], COMMUNITY, variants("unsubscribes", {"topic": topic}))
        return found

    out.contributions += change(ctx, MEMBER, fact, merge, contribute)


def weighted(fact: Fact, ctx: Context, out: Output) -> None:
    """The workspace's weights, if this change is the latest one known: a `now` entry."""
    state_key = State.key(WEIGHTING, fact.workspace, fact.workspace)
    current = ctx.state.get(state_key)
    latest = current.get("latest") if current else None
    if latest is not None and (fact.at, fact.id) <= (latest[0], latest[1]):
        return
    ctx.state.put(state_key, {"ws": fact.workspace, "latest": [fact.at, fact.id]})
    weights = {"weights": fact.data["weights"], "at": fact.at, "event": fact.id}
    out.entries.append((fact.at, NOW, WEIGHTS, weights))


def registered(fact: Fact, ctx: Context, out: Output) -> None:
    language = {"language": fact.data.get("language")}
    out.contributions += counts(fact.at, COMMUNITY, variants("members_registered", language))
    consents(fact, ctx, out)


# --- field events ---


def _seat_merge(state: Entity, fact: Fact) -> None:
    d = fact.data
    state["event"] = d["event"]
    if fact.kind == "event.rsvp":
        candidate = [fact.at, fact.id, d["status"]]
        current = state.get("status")
        if current is None or (candidate[0], candidate[1]) > (current[0], current[1]):
            state["status"] = candidate
    elif fact.kind == "event.checked_in":
        state["checked"] = earliest(state.get("checked"), [fact.at, fact.id])


def seat_contributions(state: Entity) -> list[Contribution]:
    event = state["event"]
    found: list[Contribution] = []
    if state.get("status"):
        dims = {"event": event, "status": state["status"][2]}
        found += counts(None, NOW, [key("roster_now", dims)])
    if state.get("checked"):
        found += counts(None, NOW, [key("checkins_now", {"event": event})])
    return found


def seat(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    if d.get("title"):
        about: dict[str, Any] = {"title": d["title"], "starts": d.get("starts")}
        out.entries.append((float(d.get("starts") or fact.at), NOW, d["event"], about))
    out.contributions += change(ctx, SEAT, fact, _seat_merge, seat_contributions)


def rsvp(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    dims = {"status": d["status"], "event": d["event"]}
    out.contributions += counts(fact.at, COMMUNITY, variants("rsvps", dims))
    if d["status"] in OWN_RSVPS and d.get("reason") != "event_cancelled":
        activity(fact, ctx, out, d.get("member"), "rsvp")
    seat(fact, ctx, out)


def checked_in(fact: Fact, ctx: Context, out: Output) -> None:
    dims = {"event": fact.data["event"]}
    out.contributions += counts(fact.at, COMMUNITY, variants("checkins", dims))
    activity(fact, ctx, out, fact.data.get("member"), "attendance")
    seat(fact, ctx, out)


HANDLERS: dict[str, list[Handler]] = {
    "submission.created": [created],
    "submission.voted": [voted],
    "submission.commented": [counted("comments", actor=("member", "comment"))],
    "submission.status_changed": [moved],
    "submission.merged": [counted("merges"), submission],
    "suggestion.created": [counted("suggestions", "action")],
    "member.registered": [registered],
    "member.updated": [consents],
    "member.merged": [counted("members_merged")],
    "member.unmerged": [counted("members_unmerged")],
    "member.engagement_weights_changed": [weighted],
    "event.rsvp": [rsvp],
    "event.checked_in": [checked_in],
    "event.followup_invited": [counted("followups", "event")],
}
