"""The words people read for the values events carry (statuses, steps, channels, decisions,
event types), in English and French: templates never show a raw enum value.

A value missing here (a workspace's own step or team name, a platform added later) is shown as
written, underscores as spaces: it is the workspace's own word, not ours to translate.
"""

from __future__ import annotations

from ensemble_notify.models.people import Language

Words = dict[str, tuple[str, str]]
"""value → (English, French)."""

SUBMISSION_STATUS: Words = {
    "open": ("open", "ouverte"),
    "under_review": ("under review", "à l’étude"),
    "planned": ("planned", "prévue"),
    "in_progress": ("in progress", "en cours"),
    "done": ("done", "réalisée"),
    "declined": ("declined", "refusée"),
}
RSVP_STATUS: Words = {
    "confirmed": ("confirmed", "confirmée"),
    "waitlisted": ("on the waitlist", "en liste d’attente"),
    "cancelled": ("cancelled", "annulée"),
    "promoted": ("confirmed from the waitlist", "confirmée depuis la liste d’attente"),
}
STEP: Words = {
    "crisis": ("crisis review", "cellule de crise"),
}
DECISION: Words = {
    "approve": ("approved", "approuvé"),
    "reject": ("rejected", "refusé"),
    "request_changes": ("changes requested", "modifications demandées"),
}
CHANNEL: Words = {
    "email": ("email", "e-mail"),
    "in_app": ("in-app", "dans l’application"),
    "slack": ("Slack", "Slack"),
    "teams": ("Teams", "Teams"),
    "webhook": ("webhook", "webhook"),
    "generic": ("a connected source", "une source connectée"),
    "mastodon": ("Mastodon", "Mastodon"),
    "bluesky": ("Bluesky", "Bluesky"),
    "reddit": ("Reddit", "Reddit"),
    "rss": ("an RSS feed", "un flux RSS"),
    "meta": ("Facebook / Instagram", "Facebook / Instagram"),
    "x": ("X", "X"),
    "youtube": ("YouTube", "YouTube"),
    "github": ("GitHub", "GitHub"),
    "forum": ("the forum", "le forum"),
}
EVENT: Words = {
    "approval.requested.v1": ("Approval requested", "Validation demandée"),
    "approval.step_opened.v1": ("Your approval is requested", "Votre validation est demandée"),
    "approval.step_decided.v1": ("A step was decided", "Une étape a été décidée"),
    "approval.reminder_due.v1": ("Approval reminder", "Rappel de validation"),
    "approval.escalated.v1": ("An approval was escalated to you", "Une validation vous revient"),
    "approval.completed.v1": ("Approved", "Validé"),
    "approval.rejected.v1": ("Rejected", "Refusé"),
    "approval.changes_requested.v1": ("Changes requested", "Modifications demandées"),
    "approval.expired.v1": ("Approval expired", "Validation expirée"),
    "content.published.v1": ("Published", "Publié"),
    "content.publish_failed.v1": ("Publishing failed", "Échec de la publication"),
    "content.scheduled.v1": ("Scheduled", "Programmé"),
    "content.rescheduled.v1": ("Rescheduled", "Reprogrammé"),
    "content.commented.v1": ("New comment on a draft", "Nouveau commentaire sur un brouillon"),
    "schedule.held.v1": ("Post held (crisis)", "Publication suspendue (crise)"),
    "schedule.released.v1": ("Post released", "Publication libérée"),
    "mention.received.v1": ("New mention", "Nouvelle mention"),
    "mention.assigned.v1": ("Mention assigned to you", "Une mention vous a été attribuée"),
    "mention.spike_detected.v1": ("Mention spike", "Pic de mentions"),
    "mention.status_changed.v1": ("Mention status changed", "Statut de mention modifié"),
    "submission.created.v1": ("New submission", "Nouvelle proposition"),
    "submission.status_changed.v1": ("Submission status changed", "Statut de proposition modifié"),
    "submission.commented.v1": ("New comment", "Nouveau commentaire"),
    "submission.merged.v1": ("Submissions merged", "Propositions fusionnées"),
    "suggestion.created.v1": ("New suggestion", "Nouvelle suggestion"),
    "event.rsvp.v1": ("Your registration", "Votre inscription"),
    "event.followup_invited.v1": ("Share your ideas", "Partagez vos idées"),
    "event.checked_in.v1": ("Checked in", "Présence enregistrée"),
    "insights.report_published.v1": ("Weekly report", "Rapport hebdomadaire"),
    "notification.digest.v1": ("Your digest", "Votre récapitulatif"),
}
VOCABULARY: dict[str, Words] = {
    "submission_status": SUBMISSION_STATUS,
    "rsvp_status": RSVP_STATUS,
    "step": STEP,
    "decision": DECISION,
    "channel": CHANNEL,
    "event": EVENT,
}


def word(kind: str, value: object, language: Language | str) -> str:
    """What a person reads for `value` (of `kind`, a key of VOCABULARY) in `language`."""
    text = str(value)
    found = VOCABULARY.get(kind, {}).get(text)
    if found is None:
        return text.replace("_", " ")
    return found[1] if language == "fr" else found[0]
