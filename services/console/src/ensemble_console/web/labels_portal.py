"""The community portal's notices and labels: the board (routes/portal.py, portal_member.py),
the field events pages (portal_events.py) and the member's own pages (portal_me.py, whose
"Your profile is saved." is the account page's `profile_saved`), kept apart from labels.py."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

PORTAL_NOTICES = {
    "idea_published": N_("Thank you! Your idea is on the board."),
    "idea_held": N_("Thank you! Your idea waits for a moderator before it is published."),
    "vote_counted": N_("Your vote counts."),
    "vote_taken_back": N_("Your vote is taken back."),
    "idea_followed": N_("You follow this idea: you will hear about its comments and moves."),
    "idea_unfollowed": N_("You no longer follow this idea."),
    "comment_published": N_("Your comment is published."),
    "comment_held": N_("Your comment waits for a moderator before it is published."),
    "rsvp_confirmed": N_("You have a seat. Your check-in code is below: show it at the door."),
    "rsvp_waitlisted": N_("The event is full: you are on the waitlist."),
    "rsvp_cancelled": N_("Your RSVP is cancelled: the seat goes to the next on the waitlist."),
    "own_handle_unlinked": N_("The account is unlinked."),
    "data_erased": N_("Your data is erased."),
}

PORTAL_LABELS = {
    "portal_sort": {"trending": N_("Trending"), "top": N_("Top"), "new": N_("Newest")},
}
