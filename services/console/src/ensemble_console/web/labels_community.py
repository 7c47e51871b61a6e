"""The notices of the Community screens (board, moderation, members, field events,
suggestions), merged into `labels.LABELS`; French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

COMMUNITY_NOTICES: dict[str, str] = {
    "status_changed": N_("The status is changed; the members following it hear about it."),
    "submission_merged": N_("The duplicate is merged: its votes, followers and comments moved."),
    "item_approved": N_("Approved: it is published."),
    "item_rejected": N_("Rejected: it stays off the board."),
    "member_blocked": N_("The member is blocked; their held items are rejected."),
    "members_merged": N_("The two members are merged into one."),
    "merge_undone": N_("The merge is undone."),
    "trust_changed": N_("The member's trust level is set."),
    "handle_linked": N_("The handle is linked to the member."),
    "handle_unlinked": N_("The handle is unlinked."),
    "checked_in": N_("Checked in."),
    "event_planned": N_("The event is planned; members can take a seat."),
    "event_changed": N_("The event is changed."),
    "event_cancelled": N_("The event is cancelled, with every seat."),
    "suggestion_confirmed": N_("The suggestion is on the board."),
    "suggestion_dismissed": N_("The suggestion is dismissed."),
}
