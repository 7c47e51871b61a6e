"""Every enum value shown to a person, named once in English and translated by the catalogs
(`locales/fr/labels.po`). Pages never print a raw status, step state, role or decision: they
call `label(kind, value)` (the `label` filter in templates). A value no table knows (a
workspace's own channel name, a team) is shown as it is.

Add a kind or a value here when a screen shows a new enum; its French goes in labels.po.
"""

from __future__ import annotations

from typing import TypeVar

from ensemble_console.web.i18n import N_, Translator
from ensemble_console.web.labels_community import COMMUNITY_NOTICES
from ensemble_console.web.labels_inbox import INBOX_NOTICES
from ensemble_console.web.labels_insights import INSIGHTS_LABELS, INSIGHTS_NOTICES
from ensemble_console.web.labels_notify import NOTIFY_LABELS
from ensemble_console.web.labels_portal import PORTAL_LABELS, PORTAL_NOTICES
from ensemble_console.web.labels_scheduler import SCHEDULER_LABELS, SCHEDULER_NOTICES

V = TypeVar("V")

LABELS: dict[str, dict[str, str]] = {
    "role": {
        "admin": N_("Administrator"),
        "manager": N_("Community manager"),
        "approver": N_("Approver"),
        "viewer": N_("Viewer"),
        "member": N_("Community member"),
    },
    "place_kind": {"staff": N_("Staff"), "member": N_("Community")},
    "approval_status": {
        "in_review": N_("In review"),
        "changes_requested": N_("Changes requested"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
    },
    "step_status": {
        "pending": N_("Not yet open"),
        "open": N_("Awaiting decisions"),
        "approved": N_("Approved"),
        "changes_requested": N_("Changes requested"),
        "rejected": N_("Rejected"),
    },
    "decision": {
        "approve": N_("Approve"),
        "reject": N_("Reject"),
        "request_changes": N_("Request changes"),
    },
    "decided": {
        "approve": N_("You approved it."),
        "reject": N_("You rejected it."),
        "request_changes": N_("You asked for changes."),
    },
    "quorum": {"any": N_("one approval is enough"), "all": N_("every approver listed")},
    "decider_kind": {
        "person": N_("Person"),
        "team": N_("Team"),
        "role": N_("Role"),
        "external": N_("External approver"),
    },
    "content_kind": {
        "post": N_("Post"),
        "reply": N_("Reply"),
        "announcement": N_("Announcement"),
        "answer": N_("Answer to an idea"),
    },
    "content_field": {
        "channel": N_("Channel"),
        "title": N_("Title"),
        "body": N_("Text"),
        "tags": N_("Tags"),
        "media": N_("Media"),
        "reply_to": N_("In reply to"),
        "slot": N_("Publishing time"),
    },
    "channel": {
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "github": "GitHub",
        "facebook": "Facebook",
        "instagram": "Instagram",
        "x": "X",
        "linkedin": "LinkedIn",
        "youtube": "YouTube",
        "webhook": N_("Webhook"),
        "email": N_("Email"),
        "slack": "Slack",
        "teams": "Microsoft Teams",
        "in_app": N_("In-app"),
    },
    "notify_event": {
        "*": N_("every notification"),
        "approval.step_opened.v1": N_("approvals awaiting you"),
        "insights.report_published.v1": N_("published reports"),
        "mention.assigned.v1": N_("mentions assigned to you"),
        "mention.received.v1": N_("new mentions"),
        "mention.spike_detected.v1": N_("spikes in mentions"),
        "notification.digest.v1": N_("digests"),
        "submission.status_changed.v1": N_("status changes of submissions"),
    },
    "member_topic": {
        "ideas_followed": N_("the ideas you follow"),
        "status_changes": N_("status changes of your ideas"),
        "events_nearby": N_("events near you"),
    },
    "submission_status": {
        "open": N_("Open"),
        "under_review": N_("Under review"),
        "planned": N_("Planned"),
        "in_progress": N_("In progress"),
        "done": N_("Done"),
        "declined": N_("Declined"),
    },
    "submission_kind": {
        "idea": N_("Idea"),
        "feedback": N_("Feedback"),
        "content_proposal": N_("Content proposal"),
        "question": N_("Question"),
    },
    "held_kind": {"submission": N_("A submission"), "comment": N_("A comment")},
    "trust": {"new": N_("New (pre-moderated)"), "trusted": N_("Trusted"), "blocked": N_("Blocked")},
    "activity_kind": {
        "submission": N_("Submissions"),
        "vote": N_("Votes"),
        "comment": N_("Comments"),
        "attendance": N_("Events attended"),
        "rsvp": N_("RSVPs"),
        "mention": N_("Mentions on social media"),
        "suggestion": N_("Suggestions from social media"),
    },
    "event_status": {"scheduled": N_("Scheduled"), "cancelled": N_("Cancelled")},
    "suggestion_status": {
        "pending": N_("To review"),
        "confirmed": N_("Confirmed"),
        "dismissed": N_("Dismissed"),
    },
    "suggestion_action": {
        "new_submission": N_("New submission"),
        "vote": N_("Vote on a similar submission"),
    },
    "platform": {
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "x": "X",
        "reddit": "Reddit",
        "github": "GitHub",
        "slack": "Slack",
        "youtube": "YouTube",
        "facebook": "Facebook",
        "instagram": "Instagram",
        "generic": N_("Other platform"),
    },
    "invitation_state": {
        "valid": N_("Pending"),
        "used": N_("Accepted"),
        "revoked": N_("Revoked"),
        "expired": N_("Expired"),
    },
    "session_method": {
        "password": N_("Password"),
        "oidc": N_("Single sign-on"),
        "invitation": N_("Invitation"),
        "setup": N_("First run"),
        "magic_link": N_("Email link"),
    },
    "actor_kind": {
        "account": N_("Person"),
        "api_key": N_("API key"),
        "operator": N_("Operator"),
        "system": N_("System"),
    },
    "insight_dimension": {
        "platform": N_("Platform"),
        "sentiment": N_("Sentiment"),
        "tag": N_("Tag"),
    },
    "sentiment": {"positive": N_("Positive"), "neutral": N_("Neutral"), "negative": N_("Negative")},
    "mention_status": {
        "new": N_("New"),
        "assigned": N_("Assigned"),
        "replied": N_("Replied"),
        "closed": N_("Closed"),
    },
    "priority": {
        "low": N_("Low priority"),
        "normal": N_("Normal priority"),
        "high": N_("High priority"),
        "urgent": N_("Urgent"),
    },
    "mention_event": {
        "received": N_("Received"),
        "triaged": N_("Triaged"),
        "updated": N_("Edited by its author"),
        "deleted": N_("Deleted by its author"),
        "assigned": N_("Assigned"),
        "status_changed": N_("Status changed"),
        "note_added": N_("Note added"),
    },
    "notice": {
        "preferences_saved": N_("Your choices are saved."),
        "signed_out": N_("You are signed out."),
        "signed_out_everywhere": N_("You are signed out on every device."),
        "welcome": N_("Welcome! You are signed in."),
        "joined": N_("You joined the workspace. Sign in to open it."),
        "password_reset": N_("Your password is changed. Sign in with it."),
        "profile_saved": N_("Your profile is saved."),
        "password_changed": N_("Your password is changed; your other sessions are ended."),
        "verification_sent": N_("We sent you a new verification email."),
        "email_change_sent": N_(
            "If no other account uses that address, a confirmation link is on its way there. "
            "Your address changes once you follow it."
        ),
        "session_ended": N_("That session is ended."),
        "key_revoked": N_("The API key is revoked."),
        "member_saved": N_("The member's roles and teams are saved."),
        "member_removed": N_("The member is removed from the workspace."),
        "last_admin": N_("A workspace keeps at least one administrator."),
        "invited": N_("The invitation is sent."),
        "invitation_revoked": N_("The invitation is revoked."),
        "workspace_saved": N_("The workspace's settings are saved."),
        "mention_assigned": N_("The mention is assigned."),
        "mention_closed": N_("The mention is closed."),
        "mention_reopened": N_("The mention is open again."),
        "mention_changed": N_("Someone changed the mention meanwhile; look again and retry."),
        "mention_refused": N_("That change is not possible."),
        "assign_whom": N_("Choose a person or a team."),
        "note_added": N_("Your note is added."),
        "note_empty": N_("Write the note first."),
        "nothing_selected": N_("Select at least one mention."),
        "bulk_assigned": N_("The selected mentions are assigned."),
        "bulk_closed": N_("The selected mentions are closed."),
        "bulk_partly": N_("Some mentions could not be changed; the list shows where each stands."),
        "reply_in_review": N_("Your reply is drafted and waits for approval."),
        "reply_drafted": N_("Your reply is drafted but not in approval yet."),
        "reply_refused": N_("That reply cannot be drafted."),
        "reply_empty": N_("Write the reply first."),
        "content_created": N_("The draft is saved."),
        "content_saved": N_("A new version is saved."),
        "comment_added": N_("Your comment is added."),
        "approval_requested": N_("Approval is asked."),
        "decided_approve": N_("You approved it."),
        "decided_reject": N_("You rejected it."),
        "decided_request_changes": N_("You asked for changes."),
        "scheduled": N_("The item is scheduled."),
    },
    "content_status": {
        "draft": N_("Draft"),
        "in_review": N_("In review"),
        "changes_requested": N_("Changes requested"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
    },
    "entry_status": {
        "scheduled": N_("Scheduled"),
        "held": N_("Held"),
        "publishing": N_("Publishing now"),
        "published": N_("Published on the platform"),
        "failed": N_("Publishing failed"),
    },
    "publication_status": {
        "published": N_("Published on the platform"),
        "in_flight": N_("Publishing now"),
        "refused": N_("Refused by the platform"),
        "not_attempted": N_("Not published yet"),
    },
    "decided_via": {"api": N_("the console or the API"), "link": N_("an emailed or chat link")},
    "audit_action": {
        "workspace.created": N_("Workspace created"),
        "workspace.updated": N_("Workspace settings changed"),
        "membership.created": N_("Joined the workspace"),
        "membership.changed": N_("Roles or teams changed"),
        "membership.removed": N_("Removed from the workspace"),
        "invitation.created": N_("Invitation sent"),
        "invitation.accepted": N_("Invitation accepted"),
        "invitation.revoked": N_("Invitation revoked"),
        "api_key.created": N_("API key created"),
        "api_key.revoked": N_("API key revoked"),
        "password.changed": N_("Password changed"),
        "password.reset": N_("Password reset"),
        "oidc.signed_in": N_("Signed in with single sign-on"),
    },
}


def label(translator: Translator, kind: str, value: object) -> str:
    english = LABELS.get(kind, {}).get(str(value))
    return translator.gettext(english) if english is not None else str(value)


# Sources and notifications screens (routes/sources.py, notifications.py, integrations.py).
def _extend(labels: dict[str, V], more: dict[str, V]) -> None:
    """Add another area's labels; a key defined twice is refused when the module loads."""
    taken = labels.keys() & more.keys()
    if taken:
        raise ValueError(f"labels defined twice: {sorted(taken)}")
    labels.update(more)


_extend(
    LABELS["notice"],
    {
        "source_created": N_("The source is connected."),
        "source_enabled": N_("The source is resumed."),
        "source_disabled": N_("The source is paused."),
        "raw_redriven": N_("The payload is processed again."),
        "raw_already_settled": N_("That payload was already processed or rejected."),
        "notification_read": N_("The notification is marked read."),
        "notification_preferences_saved": N_("Your notification preferences are saved."),
        "endpoint_created": N_("The endpoint is added."),
        "endpoint_enabled": N_("The endpoint is enabled."),
        "endpoint_disabled": N_("The endpoint is disabled."),
        "replay_started": N_("The replay has started."),
        "replay_refused": N_(
            "That delivery cannot be replayed (in-app, still pending, or a replay)."
        ),
    },
)
_extend(
    LABELS["notify_event"],
    {
        "approval.*": N_("approvals"),
        "content.*": N_("content and publishing"),
        "mention.*": N_("inbox mentions"),
        "submission.*": N_("community submissions"),
    },
)
_extend(
    LABELS,
    {
        "source_platform": {
            "generic": N_("Signed webhooks (any system)"),
            "rss": N_("RSS or Atom feed"),
            "reddit": "Reddit",
            "bluesky": "Bluesky",
            "mastodon": "Mastodon",
            "meta": "Facebook / Instagram",
            "x": "X",
            "slack": "Slack",
            "github": "GitHub",
            "youtube": "YouTube",
        },
        "raw_status": {
            "pending": N_("Pending"),
            "processed": N_("Processed"),
            "rejected": N_("Rejected"),
        },
        "cadence": {
            "": N_("Default"),
            "off": N_("Off"),
            "immediate": N_("At once"),
            "hourly": N_("Hourly digest"),
            "daily": N_("Daily digest"),
            "weekly": N_("Weekly digest"),
        },
        "delivery_status": {
            "pending": N_("Being sent"),
            "delivered": N_("Delivered"),
            "failed": N_("Failed"),
        },
        "replay_status": {
            "planning": N_("planning"),
            "running": N_("running"),
            "finished": N_("finished"),
        },
    },
)

# Settings screens (routes/routing.py, preference_defaults.py, people.py, triage.py,
# engagement.py).
_extend(
    LABELS["notice"],
    {
        "routing_saved": N_("The routing rules are saved."),
        "notification_defaults_saved": N_("The workspace's notification defaults are saved."),
        "person_saved": N_("The person is saved."),
        "addresses_requested": N_(
            "Saved: each new address is used once its owner confirms the message sent to it."
        ),
        "addresses_unchanged": N_("Nothing to change."),
        "team_saved": N_("The team is saved."),
        "triage_saved": N_("The triage settings are saved."),
        "engagement_saved": N_("The engagement weights are saved."),
    },
)
_extend(
    LABELS,
    {
        "mention_kind": {"request": N_("Request"), "feedback": N_("Feedback")},
        "address_change": {
            "requested": N_("set, waiting for proof"),
            "confirmed": N_("confirmed by its owner"),
            "removed": N_("removed"),
        },
    },
)
_extend(LABELS["notice"], SCHEDULER_NOTICES)
_extend(LABELS, SCHEDULER_LABELS)
_extend(LABELS, NOTIFY_LABELS)
_extend(LABELS["notice"], PORTAL_NOTICES)
_extend(LABELS, PORTAL_LABELS)
_extend(LABELS["notice"], INBOX_NOTICES)
_extend(LABELS["notice"], COMMUNITY_NOTICES)
_extend(LABELS["notice"], INSIGHTS_NOTICES)
_extend(LABELS, INSIGHTS_LABELS)
