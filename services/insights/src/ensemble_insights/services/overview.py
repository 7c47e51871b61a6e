"""The dashboard's composite reads: headline figures, members, stocks, the crisis timeline.

The overview reads the daily documents of every family once, over the period and the one
before it, and computes each figure on both halves: one query per collection, whatever the
number of figures.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import defaultdict
from datetime import datetime
from typing import Any

from ensemble_insights.models.api import (
    Figure,
    MembersView,
    Overview,
    Period,
    Row,
    StockView,
    Timeline,
    change,
)
from ensemble_insights.models.catalog import (
    ACTIVITY,
    APPROVALS,
    CATALOG,
    COMMUNITY,
    INBOX,
    LISTENING,
    NOTIFICATIONS,
    PUBLISHING,
    TIMELINE,
)
from ensemble_insights.models.series import parse
from ensemble_insights.models.settings import zone as settings_zone
from ensemble_insights.services.engagement import (
    engagement_series,
    score_ranges,
    scores,
    weights_of,
)
from ensemble_insights.services.queries import Queries, check_period, evaluate, wanted_keys
from ensemble_insights.services.reading import Buckets, previous

COUNTED: dict[str, tuple[str, dict[str, str]]] = {
    "mentions": ("mentions", {}),
    "mentions_negative": ("mentions", {"sentiment": "negative"}),
    "spikes": ("spikes", {}),
    "inbox_received": ("inbox_received", {}),
    "inbox_replied": ("inbox_replied", {}),
    "sla_breaches": ("sla_breaches", {}),
    "approvals_requested": ("approvals_requested", {}),
    "approvals_completed": ("approvals_completed", {}),
    "approvals_rejected": ("approvals_rejected", {}),
    "approval_escalations": ("approval_escalations", {}),
    "published": ("published", {}),
    "published_on_time": ("published", {"timing": "on_time"}),
    "published_late": ("published", {"timing": "late"}),
    "publish_failed": ("publish_failed", {}),
    "rescheduled_late_approval": ("rescheduled", {"cause": "late_approval"}),
    "members_registered": ("members_registered", {}),
    "submissions": ("submissions", {}),
    "suggestions_confirmed": ("submissions", {"origin": "social"}),
    "votes": ("votes", {"action": "voted"}),
    "ideas_done": ("status_changes", {"status": "done"}),
    "rsvps_confirmed": ("rsvps", {"status": "confirmed"}),
    "checkins": ("checkins", {}),
    "deliveries_sent": ("deliveries", {"outcome": "sent"}),
    "deliveries_failed": ("deliveries", {"outcome": "failed"}),
    "reads": ("reads", {}),
    "staff_unsubscribes": ("staff_unsubscribes", {}),
}
MEDIANS = {
    "reply_time_p50": "reply_time",
    "assign_time_p50": "assign_time",
    "approval_cycle_p50": "approval_cycle",
    "read_time_p50": "read_time",
    "notification_latency_p50": "notification_latency",
}
RATIOS = {
    "negative_share": ("mentions_negative", "mentions"),
    "on_time_share": ("published_on_time", "published"),
    "failure_rate": ("deliveries_failed", "deliveries"),
}
FAMILIES = (LISTENING, INBOX, APPROVALS, PUBLISHING, COMMUNITY, ACTIVITY, NOTIFICATIONS)
DISTRIBUTION = (("1", 1, 1), ("2-3", 2, 3), ("4-9", 4, 9), ("10+", 10, None))


def _plan() -> dict[str, tuple[str, dict[str, str]]]:
    """Every figure as (metric, fixed dimensions)."""
    plan = dict(COUNTED)
    plan["deliveries"] = ("deliveries", {})
    plan.update({name: (metric, {}) for name, metric in MEDIANS.items()})
    plan["active_members"] = ("member_activity", {})
    return plan


def _figures(buckets: dict[str, Buckets], halves: list[list[str]]) -> list[dict[str, Figure]]:
    """The figures of each list of labels; one pass over each family's documents."""
    plan = _plan()
    by_family: dict[str, list[str]] = defaultdict(list)
    for metric_name, fixed in plan.values():
        metric = CATALOG[metric_name]
        by_family[metric.family] += wanted_keys(metric_name, metric, buckets[metric.family], fixed)
    per_label = {family: buckets[family].per_label(keys) for family, keys in by_family.items()}
    results = []
    for labels in halves:
        sums: dict[str, dict[str, int]] = {}
        for family, found in per_label.items():
            total: dict[str, int] = defaultdict(int)
            for label in labels:
                for series, amount in found.get(label, {}).items():
                    total[series] += amount
            sums[family] = total
        values: dict[str, Figure] = {}
        for name, (metric_name, fixed) in plan.items():
            metric = CATALOG[metric_name]
            value, stats = evaluate(metric_name, metric, fixed, sums[metric.family])
            if name in MEDIANS:
                values[name] = Figure(value=stats.p50_seconds if stats else None, unit="seconds")
            else:
                values[name] = Figure(value=value)
        for name, (part, whole) in RATIOS.items():
            top, bottom = values[part].value, values[whole].value
            ratio = top / bottom if top is not None and bottom else None
            values[name] = Figure(value=ratio, unit="ratio")
        results.append(values)
    return results


class Dashboard:
    def __init__(self, queries: Queries) -> None:
        self._queries = queries

    async def overview(self, workspace: str, period: Period) -> Overview:
        check_period(period)
        zone, stamp = await self._queries.view(workspace)
        before = previous(period)
        span = Period(start=before.start, end=period.end)
        buckets = await self._queries.reader.daily(workspace, zone, FAMILIES, span, stamp=stamp)
        split = period.start.isoformat()
        labels = buckets[LISTENING].labels
        now, then = _figures(
            buckets,
            [
                [label for label in labels if label >= split],
                [label for label in labels if label < split],
            ],
        )
        for name, figure in now.items():
            figure.previous = then[name].value
            figure.change = change(figure.value, figure.previous)
        return Overview(time_zone=zone, period=period, previous_period=before, figures=now)

    async def members(self, workspace: str, period: Period, *, top: int = 10) -> MembersView:
        check_period(period)
        zone, stamp = await self._queries.view(workspace)
        families = [COMMUNITY, ACTIVITY]
        buckets, now = await asyncio.gather(
            self._queries.reader.daily(workspace, zone, families, period, stamp=stamp),
            self._queries.reader.now(workspace),
        )
        activity = buckets[ACTIVITY]
        names = activity.series_names()
        members = [s for s in names if s.startswith("member_activity|")]
        totals = activity.per_key([*members, *engagement_series(names)])  # one pass
        per_member = {parse(s)[1]["member"]: totals[s] for s in members if totals.get(s)}
        weights = weights_of(now)
        scored = scores(totals, weights)  # reads only the series with a kind
        community = buckets[COMMUNITY].per_key(["members_registered", "members_first_active"])
        first = community.get("members_first_active", 0)
        distribution = {
            label: sum(1 for n in per_member.values() if n >= low and (high is None or n <= high))
            for label, low, high in DISTRIBUTION
        }
        ranked = heapq.nsmallest(top, per_member.items(), key=lambda kv: (-kv[1], kv[0]))
        return MembersView(
            time_zone=zone,
            period=period,
            new=community.get("members_registered", 0),
            active=len(per_member),
            returning=len(per_member) - first,
            first_time_active=first,
            activity_distribution=distribution,
            top=[Row(value=member, total=float(n)) for member, n in ranked],
            engagement_distribution=score_ranges(scored),
            engagement_weights=weights.model_dump(),
            top_engagement=[
                Row(value=member, total=score)
                for member, score in heapq.nsmallest(
                    top, scored.items(), key=lambda kv: (-kv[1], kv[0])
                )
            ],
        )

    async def stocks(self, workspace: str) -> StockView:
        now = await self._queries.reader.now(workspace)
        ideas: dict[str, int] = {}
        events: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"seats": {}, "checked_in": 0, "ideas": 0}
        )
        for series, buckets in now["c"].items():
            amount = int(buckets.get("now", 0))
            name, dims = parse(series)
            if name == "ideas_now" and set(dims) == {"status"}:
                ideas[dims["status"]] = amount
            elif name == "roster_now":
                events[dims["event"]]["seats"][dims["status"]] = amount
            elif name == "checkins_now":
                events[dims["event"]]["checked_in"] = amount
            elif name == "event_ideas_now":
                events[dims["event"]]["ideas"] = amount
        listed = []
        for event_id, figures in events.items():
            about = now["e"].get(event_id, {})
            seats = figures["seats"]
            attending = seats.get("confirmed", 0) + seats.get("promoted", 0)
            rate = figures["checked_in"] / attending if attending else None
            listed.append({"event": event_id, **about, **figures, "attendance_rate": rate})
        listed.sort(key=lambda e: (-(e.get("starts") or 0), e["event"]))
        return StockView(ideas_by_status=ideas, field_events=listed)

    async def timeline(self, workspace: str, period: Period) -> Timeline:
        check_period(period)
        zone, stamp = await self._queries.view(workspace)
        buckets = await self._queries.reader.daily(workspace, zone, [TIMELINE], period, stamp=stamp)
        tz = settings_zone(zone)
        items = sorted(
            (
                {"id": entry_id, **payload}
                for entry_id, payload in buckets[TIMELINE].entries()
                if period.start
                <= datetime.fromtimestamp(float(payload.get("at", 0)), tz).date()
                <= period.end
            ),
            key=lambda item: (float(item.get("at", 0)), str(item["id"])),
        )
        mentions = await self._queries.series(workspace, "mentions", period)
        negative = await self._queries.series(
            workspace, "mentions", period, fixed={"sentiment": "negative"}
        )
        return Timeline(
            time_zone=zone, period=period, items=items, mentions=mentions, negative=negative
        )
