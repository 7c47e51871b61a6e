"""The notices of the portal's field events pages (routes/portal_events.py), kept
apart from labels.py so the portal's areas grow without touching each other's lines."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

PORTAL_EVENT_NOTICES = {
    "rsvp_confirmed": N_("You have a seat. Your check-in code is below: show it at the door."),
    "rsvp_waitlisted": N_("The event is full: you are on the waitlist."),
    "rsvp_cancelled": N_("Your RSVP is cancelled: the seat goes to the next on the waitlist."),
}
