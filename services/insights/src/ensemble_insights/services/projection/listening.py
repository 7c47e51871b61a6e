"""Listening (what is said, by whom) and the inbox (how fast the team answers).

Listening counts each mention once, at the time it was posted (never later than it arrived),
by its first triage: platform, language, sentiment, tags, priority, team, kind, VIP; authors
apart (a key per author). Re-triages, edits, deletions, notes and spikes are counted as such;
spikes also go on the timeline.

The inbox keeps a state per mention: arrival, the SLA of its priority (fixed on arrival, so a
later settings change never rewrites old breaches), and the first assignment, reply and
closing (earliest by time). An assignment or reply of a mention insights never saw arrive
(before its history, or past the tracking window) counts as `inbox_untracked`.
"""

from __future__ import annotations

from ensemble_insights.models.catalog import AUTHORS, INBOX, LISTENING, TIMELINE
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, counts, durations, key, variants
from ensemble_insights.services.projection.common import (
    Context,
    Handler,
    Output,
    change,
    earliest,
)
from ensemble_insights.services.projection.state import Entity

MENTION = "mention"
CROSSES = (("platform", "sentiment"), ("language", "sentiment"), ("sentiment", "tag"))


def triaged(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    if not d.get("first"):
        out.contributions += counts(
            fact.at, LISTENING, variants("mentions_retriaged", {"sentiment": d["sentiment"]})
        )
        return
    dims = {
        "platform": d["platform"],
        "language": d.get("language"),
        "sentiment": d["sentiment"],
        "priority": d["priority"],
        "team": d.get("team"),
        "kind": d.get("kind"),
        "vip": "vip" if d.get("vip") else None,
    }
    posted = float(d["posted"])
    keys = variants("mentions", dims, CROSSES, many={"tag": d.get("tags") or ()})
    out.contributions += counts(posted, LISTENING, keys)
    author = {"author": d["author"]}
    out.contributions += counts(posted, AUTHORS, [key("author_mentions", author)])
    if d.get("vip"):
        out.contributions += counts(posted, AUTHORS, [key("vip_mentions", author)])


def simple(metric: str, *dims: str) -> Handler:
    def handle(fact: Fact, ctx: Context, out: Output) -> None:
        values = {name: fact.data.get(name) for name in dims}
        out.contributions += counts(fact.at, LISTENING, variants(metric, values))

    return handle


def spike(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    scope = "negative" if d["negative"] else "all"
    out.contributions += counts(
        fact.at, LISTENING, variants("spikes", {"topic": d["topic"], "scope": scope})
    )
    out.entries.append(
        (float(d["bucket"]), TIMELINE, fact.id, {"type": "spike", "scope": scope, **d})
    )


# --- the inbox ---


def _inbox_merge(state: Entity, fact: Fact) -> None:
    d = fact.data
    moment = [fact.at, fact.id]
    if fact.kind == "mention.received":
        state["received"] = min(fact.at, state.get("received", fact.at))
    elif fact.kind == "mention.triaged" and d.get("first"):
        state.setdefault("team", d.get("team"))
        state.setdefault("priority", d.get("priority"))
    elif fact.kind == "mention.assigned":
        state["assigned"] = earliest(state.get("assigned"), [*moment, d.get("assignee")])
        state.setdefault("team", None)
        if d.get("team") and not state["team"]:
            state["ateam"] = d["team"]
    elif fact.kind == "mention.status_changed" and d["status"] in ("replied", "closed"):
        state[d["status"]] = earliest(state.get(d["status"]), [*moment, d.get("by")])


def inbox_contributions(state: Entity, sla: int) -> list[Contribution]:
    """Everything one mention counts for in the inbox, given its state."""
    found: list[Contribution] = []
    received = state.get("received")
    team = state.get("team") or state.get("ateam")
    priority = state.get("priority")
    base = {"team": team, "priority": priority}
    if received is not None:
        found += counts(received, INBOX, variants("inbox_received", base))
    for step, metric, timing in (
        ("assigned", "inbox_assigned", "assign_time"),
        ("replied", "inbox_replied", "reply_time"),
        ("closed", "inbox_closed", None),
    ):
        moment = state.get(step)
        if moment is None:
            continue
        at, _, person = moment
        if received is None:
            found += counts(at, INBOX, variants("inbox_untracked", {"step": step}))
            continue
        dims = {**base, "person": person}
        if metric == "inbox_closed":
            dims.pop("priority")
        found += counts(at, INBOX, variants(metric, dims))
        if timing is not None:
            found += durations(at, INBOX, variants(timing, dims), at - received)
        if step == "replied" and at - received > sla:
            found += counts(at, INBOX, variants("sla_breaches", dims))
    return found


def inbox(fact: Fact, ctx: Context, out: Output) -> None:
    settings = ctx.settings(fact.workspace)

    def merge(state: Entity, fact: Fact) -> None:
        _inbox_merge(state, fact)
        # Fixed once, on the first triage (or the first answer of a mention never triaged).
        if "sla" not in state and (state.get("priority") or fact.kind != "mention.received"):
            state["sla"] = settings.sla_for(state.get("priority"))

    def contribute(state: Entity) -> list[Contribution]:
        return inbox_contributions(state, int(state.get("sla") or settings.sla_for(None)))

    out.contributions += change(ctx, MENTION, fact, merge, contribute)


HANDLERS: dict[str, list[Handler]] = {
    "mention.received": [inbox],
    "mention.triaged": [triaged, inbox],
    "mention.updated": [simple("mentions_edited", "platform")],
    "mention.deleted": [simple("mentions_deleted", "platform")],
    "mention.note_added": [simple("notes")],
    "mention.spike_detected": [spike],
    "mention.assigned": [inbox],
    "mention.status_changed": [inbox],
}
