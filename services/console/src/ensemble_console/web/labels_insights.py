"""The labels and notices of the insights screens (figure families and names, the timeline's
entries, weekdays, report charts; the settings and reports forms), merged into `labels.LABELS`;
French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

INSIGHTS_LABELS: dict[str, dict[str, str]] = {
    "insight_family": {
        "listening": N_("Listening"),
        "inbox": N_("Responsiveness"),
        "approvals": N_("Approvals"),
        "publishing": N_("Publishing"),
        "community": N_("Community"),
        "notifications": N_("Notifications"),
        "other": N_("Other figures"),
    },
    "insight_figure": {
        "mentions": N_("Mentions"),
        "mentions_negative": N_("Negative mentions"),
        "negative_share": N_("Share of negative mentions"),
        "spikes": N_("Spikes"),
        "inbox_received": N_("Into the inbox"),
        "inbox_replied": N_("Replied to"),
        "sla_breaches": N_("Replies later than the SLA"),
        "assign_time_p50": N_("Median time to assignment"),
        "reply_time_p50": N_("Median time to reply"),
        "approvals_requested": N_("Approvals requested"),
        "approvals_completed": N_("Approvals completed"),
        "approvals_rejected": N_("Approvals rejected"),
        "approval_escalations": N_("Escalations"),
        "approval_cycle_p50": N_("Median approval time"),
        "published": N_("Published"),
        "published_on_time": N_("Published on time"),
        "published_late": N_("Published late"),
        "on_time_share": N_("Share on time"),
        "publish_failed": N_("Publishing failures"),
        "rescheduled_late_approval": N_("Moved by a late approval"),
        "members_registered": N_("New members"),
        "active_members": N_("Active members"),
        "submissions": N_("Ideas and feedback"),
        "suggestions_confirmed": N_("Suggestions from social"),
        "votes": N_("Votes"),
        "ideas_done": N_("Ideas done"),
        "rsvps_confirmed": N_("RSVPs"),
        "checkins": N_("Check-ins"),
        "deliveries": N_("Notifications"),
        "deliveries_sent": N_("Sent"),
        "deliveries_failed": N_("Failed"),
        "failure_rate": N_("Failure rate"),
        "reads": N_("Read"),
        "read_time_p50": N_("Median time to read"),
        "notification_latency_p50": N_("Median time to notify"),
        "staff_unsubscribes": N_("Notifications turned off by staff"),
    },
    "timeline_item": {
        "spike": N_("Spike"),
        "schedule.held": N_("Post held"),
        "schedule.released": N_("Post released"),
    },
    "report_weekday": {
        "0": N_("Monday"),
        "1": N_("Tuesday"),
        "2": N_("Wednesday"),
        "3": N_("Thursday"),
        "4": N_("Friday"),
        "5": N_("Saturday"),
        "6": N_("Sunday"),
    },
    "report_chart": {
        "mentions": N_("Mentions per day by sentiment"),
        "responsiveness": N_("Replies and late replies per day"),
        "community": N_("New members, ideas and votes per day"),
    },
}

INSIGHTS_NOTICES: dict[str, str] = {
    "insight_settings_saved": N_("The insights settings are saved."),
    "report_made": N_("The report is made and sent to its recipients."),
}
