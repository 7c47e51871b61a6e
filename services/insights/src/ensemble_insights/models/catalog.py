"""Every metric insights keeps: its family (where it is stored), kind and dimensions.

One table, read by the fold (which keys to write), the API (what a query may ask for) and the
console (`GET /insights/catalog`). A filter or a breakdown works on a dimension the metric
is kept by; a filter *and* a breakdown need the pair among its `crosses`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

Kind = Literal["count", "duration", "distinct"]

LISTENING, AUTHORS, INBOX, APPROVALS = "listening", "authors", "inbox", "approvals"
PUBLISHING, COMMUNITY, ACTIVITY = "publishing", "community", "activity"
NOTIFICATIONS, TIMELINE, NOW = "notifications", "timeline", "now"

FAMILIES = (
    LISTENING,
    AUTHORS,
    INBOX,
    APPROVALS,
    PUBLISHING,
    COMMUNITY,
    ACTIVITY,
    NOTIFICATIONS,
    TIMELINE,
)
ENGAGEMENT = "member_engagement"
"""Not a metric of its own: per member and activity kind (`member_engagement|kind=vote|
member=m`, in ACTIVITY), the counts the members view weighs into engagement scores."""
WEIGHTS = "engagement_weights"
"""The `now` entry holding the workspace's engagement weights, as feedback last announced."""
HEAVY = frozenset({AUTHORS, ACTIVITY})
"""Families with a key per person: stored apart so other reads never scan them."""


@dataclass(frozen=True)
class Metric:
    family: str
    kind: Kind
    dims: tuple[str, ...]
    description: str
    crosses: tuple[tuple[str, str], ...] = ()

    def pair_kept(self, first: str, second: str) -> bool:
        return (first, second) in self.crosses or (second, first) in self.crosses


TEAM_PERSON = ("team", "person", "priority")
CATALOG: dict[str, Metric] = {
    # listening
    "mentions": Metric(
        LISTENING,
        "count",
        ("platform", "language", "sentiment", "tag", "priority", "team", "kind", "vip"),
        "Mentions, each once, at the time it was posted, by its first triage.",
        crosses=(("platform", "sentiment"), ("language", "sentiment"), ("sentiment", "tag")),
    ),
    "mentions_retriaged": Metric(
        LISTENING, "count", ("sentiment",), "Triage redone after an edit."
    ),
    "mentions_edited": Metric(LISTENING, "count", ("platform",), "Edits reported."),
    "mentions_deleted": Metric(LISTENING, "count", ("platform",), "Deletions reported."),
    "notes": Metric(LISTENING, "count", (), "Internal notes added in the inbox."),
    "spikes": Metric(LISTENING, "count", ("topic", "scope"), "Spikes detected."),
    "author_mentions": Metric(AUTHORS, "count", ("author",), "Mentions per author."),
    "vip_mentions": Metric(AUTHORS, "count", ("author",), "Mentions by VIP authors."),
    # responsiveness: the inbox
    "inbox_received": Metric(INBOX, "count", ("team", "priority"), "Mentions into the inbox."),
    "inbox_assigned": Metric(INBOX, "count", TEAM_PERSON, "First assignments."),
    "inbox_replied": Metric(INBOX, "count", TEAM_PERSON, "First replies."),
    "inbox_closed": Metric(INBOX, "count", ("team", "person"), "First closings."),
    "sla_breaches": Metric(INBOX, "count", TEAM_PERSON, "First replies later than the SLA."),
    "assign_time": Metric(INBOX, "duration", TEAM_PERSON, "Arrival to first assignment."),
    "reply_time": Metric(INBOX, "duration", TEAM_PERSON, "Arrival to first reply."),
    "inbox_untracked": Metric(
        INBOX, "count", ("step",), "Assignments or replies of mentions past the tracking window."
    ),
    # responsiveness: approvals
    "approvals_requested": Metric(
        APPROVALS, "count", ("policy", "kind", "channel"), "Workflows started."
    ),
    "approvals_completed": Metric(APPROVALS, "count", ("policy",), "Workflows approved."),
    "approvals_rejected": Metric(APPROVALS, "count", ("policy", "step"), "Workflows rejected."),
    "approvals_changes_requested": Metric(
        APPROVALS, "count", ("policy", "step"), "Changes asked for."
    ),
    "approvals_expired": Metric(
        APPROVALS, "count", ("policy", "step"), "Slots missed before approval (expired)."
    ),
    "step_decisions": Metric(
        APPROVALS,
        "count",
        ("policy", "step", "decision", "via", "person"),
        "Decisions on steps; person is who decided.",
        crosses=(("decision", "person"),),
    ),
    "approval_reminders": Metric(APPROVALS, "count", ("policy", "step"), "Reminders sent."),
    "approval_escalations": Metric(APPROVALS, "count", ("policy", "step"), "Escalations."),
    "approval_cycle": Metric(APPROVALS, "duration", ("policy",), "Request to completion."),
    "step_time": Metric(
        APPROVALS,
        "duration",
        ("policy", "step"),
        "Step opened to its first decision.",
        crosses=(("policy", "step"),),
    ),
    "decision_time": Metric(
        APPROVALS,
        "duration",
        ("policy", "step", "person"),
        "Step opened to each approver's own first decision on it (per person).",
        crosses=(("step", "person"),),
    ),
    # responsiveness: publishing
    "content_drafted": Metric(PUBLISHING, "count", ("kind", "channel"), "Items drafted."),
    "content_edited": Metric(PUBLISHING, "count", ("kind", "channel"), "Versions edited."),
    "content_comments": Metric(PUBLISHING, "count", (), "Comments on content."),
    "scheduled": Metric(PUBLISHING, "count", ("channel",), "Items given a first slot."),
    "rescheduled": Metric(
        PUBLISHING, "count", ("channel", "cause"), "Slots moved; cause late_approval or manual."
    ),
    "published": Metric(
        PUBLISHING,
        "count",
        ("channel", "timing", "platform"),
        "Publications; timing on_time, late or unscheduled.",
    ),
    "publish_failed": Metric(PUBLISHING, "count", ("channel", "code"), "Publishing refused."),
    "publish_delay": Metric(PUBLISHING, "duration", ("channel",), "Slot to publication."),
    "holds": Metric(PUBLISHING, "count", ("channel",), "Posts held by a crisis."),
    "releases": Metric(PUBLISHING, "count", ("channel",), "Held posts released."),
    # community
    "submissions": Metric(
        COMMUNITY,
        "count",
        ("kind", "category", "tag", "origin", "moderation"),
        "Submissions; origin social (a confirmed suggestion) or board.",
    ),
    "votes": Metric(COMMUNITY, "count", ("action",), "Votes cast or taken back."),
    "comments": Metric(COMMUNITY, "count", (), "Comments on submissions."),
    "status_changes": Metric(
        COMMUNITY,
        "count",
        ("status", "from", "kind"),
        "Moves on the roadmap (status = where to).",
        crosses=(("from", "status"),),
    ),
    "time_in_status": Metric(
        COMMUNITY, "duration", ("status", "kind"), "Time spent in a status, counted on leaving."
    ),
    "merges": Metric(COMMUNITY, "count", (), "Duplicates merged."),
    "suggestions": Metric(COMMUNITY, "count", ("action",), "Suggestions drawn from mentions."),
    "members_registered": Metric(COMMUNITY, "count", ("language",), "New members."),
    "members_merged": Metric(COMMUNITY, "count", (), "Member identities merged."),
    "members_unmerged": Metric(COMMUNITY, "count", (), "Merges undone."),
    "members_first_active": Metric(
        COMMUNITY, "count", (), "Members whose first activity falls here."
    ),
    "unsubscribes": Metric(COMMUNITY, "count", ("topic",), "Consents members withdrew."),
    "rsvps": Metric(COMMUNITY, "count", ("status", "event"), "RSVP changes."),
    "checkins": Metric(COMMUNITY, "count", ("event",), "Check-ins at field events."),
    "followups": Metric(COMMUNITY, "count", ("event",), "Follow-up invitations."),
    "member_activity": Metric(
        ACTIVITY, "distinct", ("member",), "Activities per member (distinct: active members)."
    ),
    # notifications
    "deliveries": Metric(
        NOTIFICATIONS,
        "count",
        ("channel", "outcome", "chat", "source"),
        "Deliveries ended, by outcome sent or failed.",
        crosses=(("channel", "outcome"),),
    ),
    "delivery_attempts": Metric(
        NOTIFICATIONS, "count", ("channel", "outcome"), "Attempts the ended deliveries took."
    ),
    "replays": Metric(NOTIFICATIONS, "count", ("channel",), "Deliveries that were replays."),
    "failures": Metric(
        NOTIFICATIONS, "count", ("channel", "code"), "Deliveries given up (dead letters)."
    ),
    "reads": Metric(NOTIFICATIONS, "count", ("source",), "In-app notifications read."),
    "staff_unsubscribes": Metric(
        NOTIFICATIONS,
        "count",
        ("channel", "group", "via"),
        "Preferences staff turned off (group: the event type's first part, * for all; via: "
        "link, preferences_link or preferences). Members' are `unsubscribes`.",
        crosses=(("channel", "group"),),
    ),
    "read_time": Metric(NOTIFICATIONS, "duration", ("source",), "In-app delivery to first read."),
    "notification_latency": Metric(
        NOTIFICATIONS,
        "duration",
        ("channel", "source"),
        "An event to its notification sent (source: the event's type; replays left out).",
        crosses=(("channel", "source"),),
    ),
}


class MetricView(BaseModel):
    """A metric as the API describes it."""

    name: str
    family: str
    kind: Kind
    dims: list[str]
    crosses: list[tuple[str, str]]
    description: str


def catalog_view() -> list[MetricView]:
    return [
        MetricView(
            name=name,
            family=metric.family,
            kind=metric.kind,
            dims=list(metric.dims),
            crosses=list(metric.crosses),
            description=metric.description,
        )
        for name, metric in CATALOG.items()
    ]
