"""Notification latency: from an event to the notification that delivered it, per channel.

Notify's `notification.sent` names the event it delivered (id and type), not when it happened;
insights reads that event too, on its own stream, in any order relative to the delivery (a
rebuild reads the streams at different paces). They meet in one entity keyed by the source
event's id: the event leaves its time there; a delivery that finds it is timed at once (and
kept nowhere: the folder hands each event to the fold once), one that comes first waits
there and is timed when the event arrives. Either way the same latency (sent - event time)
is counted once, at the time the notification was sent. An event fanned out to thousands
costs one small entity, not a list of its deliveries. Failed deliveries are not timed
(nothing reached anyone), nor replays (an old event sent again on purpose).

Bounded: only events notify could deliver leave their time — every event of the streams notify
consumes (a webhook endpoint takes `*` by default), the others never. That is one small entity
per such event, forgotten by the fold's daily eviction once *both* the source's stream and the
notifications stream are a tracking window (30 days) past it: a delivery that late is not
timed, nor one read that far apart from its event (a stream's clock is its latest fact, so a
partition a whole window behind the others of its stream). A delivery of an event insights
never reads (a digest, a weekly report) keeps nothing; at most `WAITING` deliveries wait for
one event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ensemble_insights.models.catalog import NOTIFICATIONS
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, durations, variants
from ensemble_insights.services.projection.common import Context, Handler, Output
from ensemble_insights.services.projection.state import Entity, State
from ensemble_shared.topics import APPROVALS, FIELD_EVENTS, MENTIONS, SUBMISSIONS

LATENCY = "latency"
METRIC = "notification_latency"
CROSSES = (("channel", "source"),)
WAITING = 10_000
"""Deliveries kept waiting for one event at most (its entity is copied on each change, and
journaled whole): beyond, a delivery waiting for an event insights has not read is not timed."""
NOTIFIED_CLOCK = "notification"
"""The notifications stream's clock in the fold (a fact kind's first word)."""

SOURCE_KINDS = frozenset(
    str(event.model_fields["type"].default).rsplit(".", 1)[0]
    for stream in (MENTIONS, APPROVALS, SUBMISSIONS, FIELD_EVENTS)
    for event in stream.events
)
"""Kinds of the events notify could deliver: every event of the streams it consumes that
insights reads too (notify's `handlers/kafka.py`; its weekly reports come from insights)."""


def _entity(kind: str, event_id: str) -> str:
    """`<stream clock>/<event id>`: eviction reads the source's stream from the key."""
    return f"{kind.split('.', 1)[0]}/{event_id}"


def _timed(moment: list[Any], at: float) -> list[Contribution]:
    sent, _, channel, source = moment
    keys = variants(METRIC, {"channel": channel, "source": source}, CROSSES)
    return durations(sent, NOTIFICATIONS, keys, sent - at)


def sourced(fact: Fact, ctx: Context, out: Output) -> None:
    """An event notify could deliver: its time, and the deliveries that waited for it."""
    key = State.key(LATENCY, fact.workspace, _entity(fact.kind, fact.id))
    old = ctx.state.get(key)
    if old is None:  # the usual case: kept as small as can be, there are many
        ctx.state.put(key, {"at": fact.at})
        return
    for moment in old.get("sent", ()):
        out.contributions += _timed(moment, fact.at)
    ctx.state.put(key, {"at": fact.at, "last": max(fact.at, float(old.get("last", fact.at)))})


def delivered(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    source_id, source_type = d.get("source_id"), d.get("source")
    if d.get("replay") or not source_id or not source_type:
        return
    kind = str(source_type).rsplit(".", 1)[0]
    if kind not in SOURCE_KINDS:
        return
    key = State.key(LATENCY, fact.workspace, _entity(kind, str(source_id)))
    old = ctx.state.get(key) or {}
    moment = [fact.at, fact.id, d.get("channel"), source_type]
    if "at" in old:
        out.contributions += _timed(moment, float(old["at"]))
        return
    waiting = list(old.get("sent", ()))
    if len(waiting) < WAITING and all(m[1] != fact.id for m in waiting):
        waiting.append(moment)
    last = max(fact.at, float(old.get("last", fact.at)))
    ctx.state.put(key, {"sent": waiting, "last": last})


def cutoffs(before: Mapping[str, float]) -> dict[str, float]:
    """Per source stream, when its latency entities are idle: the earlier of its own and the
    notifications stream's cutoffs (a stream not read yet does not hold the other back)."""
    notified = before.get(NOTIFIED_CLOCK)
    return {
        stream: cut if notified is None else min(cut, notified) for stream, cut in before.items()
    }


def idle(key: str, entity: Entity, cuts: Mapping[str, float]) -> bool:
    """Whether a latency entity is past its streams' cutoff (see `cutoffs`)."""
    stream = key.rsplit("|", 1)[1].split("/", 1)[0]
    last = float(entity.get("last") or entity.get("at") or 0.0)
    return last < cuts.get(stream, cuts.get(NOTIFIED_CLOCK, 0.0))


HANDLERS: dict[str, list[Handler]] = {
    **{kind: [sourced] for kind in SOURCE_KINDS},
    "notification.sent": [delivered],
}
