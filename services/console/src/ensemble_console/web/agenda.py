"""The days a calendar page shows (a week from Monday, or the whole weeks around a month) and
the channels' weekly slots falling on them, in the person's time zone: pure date arithmetic,
no API, so the page only places what scheduler answered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

View = Literal["week", "month"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Span:
    """The days shown, `first` to `last` inclusive; `anchor` is the day asked for."""

    view: View
    anchor: date
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The span as two aware instants (midnight of `first`, midnight after `last`)."""
        start = datetime.combine(self.first, time(), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone)
        return start, end

    def previous(self) -> date:
        if self.view == "week":
            return self.anchor - timedelta(days=7)
        return (self.anchor.replace(day=1) - timedelta(days=1)).replace(day=1)

    def next(self) -> date:
        if self.view == "week":
            return self.anchor + timedelta(days=7)
        return (self.anchor.replace(day=28) + timedelta(days=4)).replace(day=1)


def span(view: View, anchor: date) -> Span:
    """A week: Monday to Sunday around `anchor`. A month: the Monday on or before the 1st to
    the Sunday on or after its last day (the grid's whole weeks)."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return Span(view, anchor, first, first + timedelta(days=6))
    start = anchor.replace(day=1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    first = start - timedelta(days=start.weekday())
    last = end + timedelta(days=6 - end.weekday())
    return Span(view, anchor, first, last)


@dataclass(frozen=True)
class PlannedSlot:
    channel: str
    at: datetime


@dataclass(frozen=True)
class WeeklySlot:
    channel: str
    time_zone: str
    days: Sequence[str]
    at: str  # HH:MM[:SS]


def planned(slots: Iterable[WeeklySlot], shown: Span, zone: tzinfo) -> list[PlannedSlot]:
    """Every weekly slot falling in the span, as instants (each plan has its own zone)."""
    found: list[PlannedSlot] = []
    start, end = shown.bounds(zone)
    for slot in slots:
        try:
            plan_zone = ZoneInfo(slot.time_zone)
            wall = time.fromisoformat(slot.at)
        except (ValueError, KeyError):
            continue
        day = shown.first - timedelta(days=1)
        while day <= shown.last + timedelta(days=1):
            if WEEKDAYS[day.weekday()] in slot.days:
                moment = datetime.combine(day, wall, tzinfo=plan_zone)
                if start <= moment < end:
                    found.append(PlannedSlot(slot.channel, moment))
            day += timedelta(days=1)
    return sorted(found, key=lambda s: (s.at, s.channel))
