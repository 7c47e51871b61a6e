"""Finding slots: a channel's weekly slots as instants, and the next one no other item holds.

Slot math is pure (`occurrences`): a slot is a wall-clock time in the plan's zone, so 09:30
Europe/Paris is 08:30 UTC in winter and 07:30 UTC in summer. A slot that falls in a spring-forward
gap moves forward by the gap (02:30 → 03:30); a slot in a fall-back overlap is its first
occurrence (fold 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from ensemble_scheduler.models.calendar import WEEKDAYS, SlotPlanIn
from ensemble_scheduler.models.zones import zone
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_shared.errors import Invalid

HORIZON = timedelta(days=366)
"""How far ahead "next free slot" looks before giving up."""


def occurrences(plan: SlotPlanIn, after: datetime) -> Iterator[datetime]:
    """The plan's slots strictly after `after`, in order, as UTC times (endless)."""
    tz = zone(plan.time_zone)
    day: date = after.astimezone(tz).date() - timedelta(days=1)  # a gap may shift a slot back
    while True:
        weekday = WEEKDAYS[day.weekday()]
        times = sorted({s.at for s in plan.slots if weekday in s.days})
        for at in times:
            local = datetime.combine(day, at, tzinfo=tz)
            # Round-trip through UTC: a wall time in a spring-forward gap becomes the real
            # instant after the gap; fold 0 picks the first of two in a fall-back overlap.
            moment = local.astimezone(UTC)
            if moment > after:
                yield moment
        day += timedelta(days=1)


def at_second(moment: datetime) -> datetime:
    """Slots are compared and claimed to the second, in UTC."""
    return moment.astimezone(UTC).replace(microsecond=0)


class SlotFinder:
    """The next free slot of a channel: what "next" scheduling and re-slotting use."""

    def __init__(self, calendar: CalendarRepository) -> None:
        self._calendar = calendar

    async def _candidates(
        self, workspace: str, channel: str, after: datetime
    ) -> Iterator[datetime]:
        plan = await self._calendar.plan(workspace, channel)
        if plan is None:
            raise Invalid(
                f"slot: channel {channel!r} has no slot plan; an admin adds one "
                f"(PUT /calendar/channels/{channel})"
            )
        return occurrences(plan, after)

    async def next_free(
        self, workspace: str, channel: str, after: datetime, *, content_id: str | None = None
    ) -> datetime:
        """The first slot after `after` not claimed by another item (one `content_id` holds
        counts as free for it). Invalid when the channel has no plan or no free slot within
        a year."""
        slots = await self._candidates(workspace, channel, after)
        limit = after + HORIZON
        while True:
            batch = []
            for moment in slots:
                batch.append(moment)
                if len(batch) >= 50 or moment > limit:
                    break
            holders = await self._calendar.holders(workspace, channel, batch)
            for moment in batch:
                if moment > limit:
                    raise Invalid(f"slot: channel {channel!r} has no free slot within a year")
                if holders.get(moment) in (None, content_id):
                    return moment
