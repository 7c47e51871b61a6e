"""The inbox's filters and order as a GET form carries them, and their translation to and from
what ingest's `GET /mentions` (and a saved view) holds.

The form speaks the person's terms (days in their time zone, `assignee=me`); ingest holds
instants and account ids. A saved view stores ingest's terms, so the same view opens the same
mentions whatever page saved it; opening it turns them back into the form's terms.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query

from ensemble_console.models.ingest import SavedView
from ensemble_console.web.errors import PageError

STATUSES = ("new", "assigned", "replied", "closed")
SENTIMENTS = ("positive", "neutral", "negative")
PRIORITIES = ("low", "normal", "high", "urgent")
ORDERS = ("", "oldest")
"""'' = newest first (ingest's default); `oldest` = the longest-waiting first (the SLA age)."""
_PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_SHOWN = ("text", "platform", "sentiment", "priority", "tag", "status", "assignee", "team")
"""The filters of a saved view the form has a field for (ingest's `kind` and
`include_deleted` are API-only: a view saved with them opens without them)."""

Text = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True)
class Filters:
    """The inbox's filters as the GET form gives them ('' = any); `assignee=me` is the
    person looking. Dates are days in the person's time zone."""

    text: str = ""
    platform: str = ""
    sentiment: str = ""
    priority: str = ""
    tag: str = ""
    status: str = ""
    assignee: str = ""
    team: str = ""
    start: str = ""
    end: str = ""
    sort: str = ""

    def chosen(self) -> dict[str, str]:
        """The filters (and the order) given, without the empty ones."""
        return {k: v for k, v in asdict(self).items() if v}

    def query(self, **extra: str) -> str:
        """The filters (and `extra`) as a query string for links; empty ones left out."""
        return urlencode({k: v for k, v in {**self.chosen(), **extra}.items() if v})

    @property
    def oldest_first(self) -> bool:
        return self.sort == "oldest"

    def params(self, me: str, zone: tzinfo) -> dict[str, str | None]:
        """What ingest's `GET /mentions` (and a saved view) takes as filters; the order apart."""
        values = asdict(self)
        start, end = values.pop("start"), values.pop("end")
        values.pop("sort")
        if values["assignee"] == "me":
            values["assignee"] = me
        shown = {k: v or None for k, v in values.items()}
        shown["since"] = _midnight(date.fromisoformat(start), zone) if start else None
        shown["until"] = (
            _midnight(date.fromisoformat(end) + timedelta(days=1), zone) if end else None
        )
        return shown

    def ordered(self) -> str:
        """The order as ingest names it."""
        return "oldest" if self.oldest_first else "newest"

    @classmethod
    def of_view(cls, view: SavedView, me: str, zone: tzinfo) -> Filters:
        """A saved view in the form's terms: the inverse of `params`."""
        given: dict[str, Any] = view.filters
        shown = {k: str(given[k]) for k in _SHOWN if given.get(k)}
        if shown.get("assignee") == me:
            shown["assignee"] = "me"
        since, until = _instant(given.get("since")), _instant(given.get("until"))
        start = since.astimezone(zone).date().isoformat() if since else ""
        last = (until.astimezone(zone) - timedelta(microseconds=1)).date() if until else None
        return replace(
            cls(**shown),
            start=start,
            end=last.isoformat() if last else "",
            sort="oldest" if view.sort == "oldest" else "",
        )


def _midnight(day: date, zone: tzinfo) -> str:
    return datetime.combine(day, time(), zone).astimezone(UTC).isoformat()


def _instant(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _filters(
    text: Text = "",
    platform: Text = "",
    sentiment: Text = "",
    priority: Text = "",
    tag: Text = "",
    status: Text = "",
    assignee: Text = "",
    team: Text = "",
    start: Text = "",
    end: Text = "",
    sort: Text = "",
) -> Filters:
    """The form's filters, or a 400 page for a value no filter takes."""
    chosen = Filters(
        text.strip(),
        platform,
        sentiment,
        priority,
        tag.strip(),
        status,
        assignee,
        team,
        start,
        end,
        sort,
    )
    allowed = (
        (sentiment, SENTIMENTS),
        (priority, PRIORITIES),
        (status, STATUSES),
        (sort, ORDERS),
    )
    if any(value and value not in values for value, values in allowed):
        raise PageError(400, "invalid")
    if platform and not _PLATFORM.match(platform):
        raise PageError(400, "invalid")
    try:
        days = [date.fromisoformat(d) for d in (start, end) if d]
    except ValueError:
        raise PageError(400, "invalid") from None
    if len(days) == 2 and days[0] > days[1]:
        raise PageError(400, "invalid")
    return chosen


Filtered = Annotated[Filters, Depends(_filters)]
