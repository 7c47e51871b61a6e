"""Notifications: deliveries by channel and outcome, attempts, replays, failures, reads, and
the preferences staff turned off (notify's `notification.unsubscribed`, one per preference).

A delivery ends once (notify's exactly-once), sent or failed; failures are the deliveries
notify gave up on — its dead letters — by status code. The time to read is counted for in-app
notifications, from their delivery to the first read.
"""

from __future__ import annotations

from ensemble_insights.models.catalog import NOTIFICATIONS
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, counts, durations, variants
from ensemble_insights.services.projection.common import Context, Handler, Output, change, earliest
from ensemble_insights.services.projection.state import Entity

IN_APP = "in_app"
DELIVERY = "delivery"


def ended(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    outcome = "sent" if fact.kind == "notification.sent" else "failed"
    channel = d.get("channel")
    dims = {"channel": channel, "outcome": outcome, "source": d.get("source")}
    out.contributions += counts(
        fact.at, NOTIFICATIONS, variants("deliveries", dims, (("channel", "outcome"),))
    )
    attempts = {"channel": channel, "outcome": outcome}
    out.contributions += counts(
        fact.at, NOTIFICATIONS, variants("delivery_attempts", attempts), int(d.get("attempts") or 0)
    )
    if d.get("replay"):
        out.contributions += counts(
            fact.at, NOTIFICATIONS, variants("replays", {"channel": channel})
        )
    if outcome == "failed":
        code = {"channel": channel, "code": d.get("code") or "none"}
        out.contributions += counts(fact.at, NOTIFICATIONS, variants("failures", code))
    if outcome == "sent" and channel == IN_APP:
        read_state(fact, ctx, out)


def _merge(state: Entity, fact: Fact) -> None:
    if fact.kind == "notification.read":
        state["read"] = earliest(state.get("read"), [fact.data["read"], fact.id])
        state["source"] = fact.data.get("source")
    else:
        state["sent"] = min(fact.at, state.get("sent", fact.at))


def read_contributions(state: Entity) -> list[Contribution]:
    read = state.get("read")
    if read is None:
        return []
    keys = variants("reads", {"source": state.get("source")})
    found = counts(read[0], NOTIFICATIONS, keys)
    if "sent" in state:
        timing = variants("read_time", {"source": state.get("source")})
        found += durations(read[0], NOTIFICATIONS, timing, read[0] - state["sent"])
    return found


def read_state(fact: Fact, ctx: Context, out: Output) -> None:
    out.contributions += change(ctx, DELIVERY, fact, _merge, read_contributions)


def unsubscribed(fact: Fact, ctx: Context, out: Output) -> None:
    d = fact.data
    dims = {"channel": d.get("channel"), "group": d.get("group"), "via": d.get("via")}
    keys = variants("staff_unsubscribes", dims, (("channel", "group"),))
    out.contributions += counts(fact.at, NOTIFICATIONS, keys)


HANDLERS: dict[str, list[Handler]] = {
    "notification.sent": [ended],
    "notification.failed": [ended],
    "notification.read": [read_state],
    "notification.unsubscribed": [unsubscribed],
}
