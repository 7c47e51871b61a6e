"""The enum values and notices of the scheduler admin screens (policies, channels, answer
templates, jobs, calendar feeds, crises), merged into `labels.LABELS`; French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

SCHEDULER_NOTICES: dict[str, str] = {
    "policy_created": N_("The policy is created."),
    "policy_saved": N_("The policy is saved."),
    "policy_deleted": N_("The policy is deleted."),
    "slots_saved": N_("The publishing slots are saved."),
    "publishing_saved": N_("Where the channel publishes is saved."),
    "account_connected": N_("The account is connected: the channel publishes with it."),
    "connect_refused": N_(
        "The connection could not start: this platform needs the account's id (Facebook Page "
        "or Instagram user id) in the field next to its button, or it is not set up."
    ),
    "answer_template_saved": N_("The answer template is saved."),
    "feed_link_revoked": N_("The calendar address is revoked: it no longer works."),
    "job_saved": N_("The job is saved; its next run is planned."),
    "job_deleted": N_("The job is deleted; it will not run again."),
}
SCHEDULER_LABELS: dict[str, dict[str, str]] = {
    "missed_slot": {
        "reslot": N_("Move it to the channel's next free slot"),
        "expire": N_("Back to draft"),
        "hold": N_("Hold it until someone picks a new slot"),
    },
    "weekday": {
        "mon": N_("Mon"),
        "tue": N_("Tue"),
        "wed": N_("Wed"),
        "thu": N_("Thu"),
        "fri": N_("Fri"),
        "sat": N_("Sat"),
        "sun": N_("Sun"),
    },
    "visibility": {
        "public": N_("Public"),
        "unlisted": N_("Unlisted"),
        "private": N_("Followers only"),
        "direct": N_("Mentioned people only"),
    },
    "language": {"fr": "Français", "en": "English"},
    "job_action": {
        "digest.daily": N_("Daily digest of notifications"),
        "digest.weekly": N_("Weekly digest of notifications"),
        "ingest.redrive": N_("Re-drive stuck ingest items"),
        "publishing.stuck_check": N_("Check for stuck publications"),
    },
    "job_outcome": {
        "requested": N_("requested"),
        "checked": N_("checked"),
        "skipped": N_("skipped"),
    },
    "oauth_error": {
        "access_denied": N_("You declined on the platform's page: nothing was connected."),
        "invalid_scope": N_(
            "The platform refused the permissions Ensemble asks for: check the app's settings."
        ),
        "unauthorized_client": N_(
            "The platform does not let Ensemble's app do this: check the app's settings."
        ),
        "server_error": N_("The platform had a problem: try again in a moment."),
        "temporarily_unavailable": N_("The platform is busy: try again in a moment."),
    },
    "hold_resolution": {"released": N_("Released"), "rejected": N_("Rejected")},
    "release_outcome": {
        "released": N_("released"),
        "waiting": N_("approved, waiting for the other team"),
        "rejected": N_("rejected"),
        "not_allowed": N_("not yours to decide"),
        "not_held": N_("no longer held"),
    },
}
