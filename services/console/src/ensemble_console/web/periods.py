"""The date ranges a page offers (this month, last month, the last 7/30/90 days, or two
dates), resolved against today in the person's time zone. Each is compared with the period
before it; the API says which (the month before for whole months, else as many days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ensemble_console.web.i18n import N_

CHOICES: dict[str, str] = {
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "last_7": N_("Last 7 days"),
    "last_30": N_("Last 30 days"),
    "last_90": N_("Last 90 days"),
    "custom": N_("Custom dates"),
}
DEFAULT = "last_30"
MAX_DAYS = 366
"""The longest custom range offered (a year, leap day included)."""


class BadRange(ValueError):
    """A custom range that cannot be shown; `reason` is the page's message key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Range:
    choice: str
    start: date
    end: date


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise BadRange("invalid") from None


def resolve(choice: str, today: date, start_text: str = "", end_text: str = "") -> Range:
    """The range a choice means today; BadRange for custom dates missing, unreadable,
    reversed, too long or in the future (the form's dates count only for "custom")."""
    if choice == "custom":
        start, end = _day(start_text), _day(end_text)
        if start is None or end is None:
            raise BadRange("missing")
        if start > end:
            raise BadRange("reversed")
        if end > today:
            raise BadRange("future")
        if (end - start).days + 1 > MAX_DAYS:
            raise BadRange("too_long")
        return Range(choice, start, end)
    if choice == "this_month":
        return Range(choice, today.replace(day=1), today)
    if choice == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Range(choice, last.replace(day=1), last)
    days = {"last_7": 7, "last_30": 30, "last_90": 90}.get(choice)
    if days is None:
        return resolve(DEFAULT, today)
    return Range(choice, today - timedelta(days=days - 1), today)
