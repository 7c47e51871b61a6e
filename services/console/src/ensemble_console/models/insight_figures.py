"""Which of the overview's figures the Insights page shows together, in which order.

A figure the API adds later and no group names still shows, under "other": the page never
hides a number insights computed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

F = TypeVar("F")

GROUPS: dict[str, tuple[str, ...]] = {
    "listening": ("mentions", "mentions_negative", "negative_share", "spikes"),
    "inbox": (
        "inbox_received",
        "inbox_replied",
        "sla_breaches",
        "assign_time_p50",
        "reply_time_p50",
    ),
    "approvals": (
        "approvals_requested",
        "approvals_completed",
        "approvals_rejected",
        "approval_escalations",
        "approval_cycle_p50",
    ),
    "publishing": (
        "published",
        "published_on_time",
        "published_late",
        "on_time_share",
        "publish_failed",
        "rescheduled_late_approval",
    ),
    "community": (
        "members_registered",
        "active_members",
        "submissions",
        "suggestions_confirmed",
        "votes",
        "ideas_done",
        "rsvps_confirmed",
        "checkins",
    ),
    "notifications": (
        "deliveries",
        "deliveries_sent",
        "deliveries_failed",
        "failure_rate",
        "reads",
        "read_time_p50",
        "notification_latency_p50",
        "staff_unsubscribes",
    ),
}


def grouped(figures: Mapping[str, F]) -> list[tuple[str, list[tuple[str, F]]]]:
    """(group, [(name, figure)]) in the page's order; unnamed figures last, under "other"."""
    named = {name for names in GROUPS.values() for name in names}
    found = [
        (group, [(name, figures[name]) for name in names if name in figures])
        for group, names in GROUPS.items()
    ]
    rest = [(name, figure) for name, figure in sorted(figures.items()) if name not in named]
    found.append(("other", rest))
    return [(group, items) for group, items in found if items]
