"""The labels and notices of the insights screens (the timeline's entries, weekdays, report
charts; the settings and reports forms), merged into `labels.LABELS`; French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

INSIGHTS_LABELS: dict[str, dict[str, str]] = {
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
