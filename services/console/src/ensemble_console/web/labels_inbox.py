"""The notices of the inbox's saved views (routes/inbox_views.py), merged into `labels.LABELS`;
French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

INBOX_NOTICES: dict[str, str] = {
    "view_saved": N_("The view is saved: it is among your views above the filters."),
    "view_name_missing": N_("Name the view first."),
    "view_name_taken": N_("You already have a view of that name; choose another one."),
    "view_refused": N_("That view cannot be saved: you keep at most 50 views."),
    "view_deleted": N_("The view is deleted."),
}
