"""Field events: planning by staff, RSVPs with a waitlist, check-in codes (the invitations
after the event are in event_followups.py).

Seats are allocated by appending acts to a per-event log (see models/field_events.py): a writer
reads the log, plans act `last + 1` on the roster it derived, and inserts it under a unique id.
Exactly one of several concurrent writers gets each number; the others re-read what they missed
and plan again on the new roster. So the roster never goes over capacity, the waitlist keeps
the order acts were written in, and a freed seat goes to the first waitlisted member inside the
very act that freed it (its `promoted` event rides in that act's outbox).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime

from ensemble_feedback.models.activity import Activity
from ensemble_feedback.models.field_events import (
    Act,
    Change,
    CheckInResult,
    FieldEvent,
    FieldEventCreate,
    FieldEventPage,
    FieldEventUpdate,
    FieldEventView,
    MyRsvp,
    Roster,
    RosterEntry,
    RosterPage,
    normalize_code,
)
from ensemble_feedback.services.directory import refuse_blocked
from ensemble_feedback.services.ports import ActivityLog, MemberDirectory
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid, NotFound
from ensemble_shared.events import (
    CheckInData,
    Event,
    EventCheckedInV1,
    EventRsvpV1,
    MemberMergedV1,
    RsvpData,
    Source,
    envelope,
    new_id,
    utcnow,
)
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

log = logging.getLogger(__name__)

# Each lost race costs one re-read of the acts written meanwhile; a request that loses this
# many times in a row is told to retry rather than held forever.
MAX_ATTEMPTS = 500


class FieldEventNotFound(NotFound):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"no field event {event_id!r}")


Planner = Callable[[Roster], tuple[Act, list[Change]] | None]


class FieldEventService:
    def __init__(
        self,
        events: FieldEventRepository,
        members: MemberDirectory,
        activity: ActivityLog,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._events = events
        self._members = members
        self._activity = activity
        self._clock = clock

    # --- staff: planning ---

    async def create(self, principal: Principal, body: FieldEventCreate) -> FieldEventView:
        event = FieldEvent(
            id=new_id(),
            workspace=principal.workspace,
            created_by=principal.subject,
            created_at=self._clock(),
            **body.model_dump(),
        )
        await self._events.insert(event)
        return FieldEventView.of(event, Roster(capacity=event.capacity))

    async def update(
        self, principal: Principal, event_id: str, body: FieldEventUpdate
    ) -> FieldEventView:
        event = await self._event(principal.workspace, event_id)
        if event.status == "cancelled":
            raise Conflict("the event is cancelled")
        # The stored capacity stays the initial one: the log replays from it.
        # The validated values themselves (a dump would turn `place` into a plain dict).
        sent = body.model_fields_set - {"capacity"}
        changes = {name: getattr(body, name) for name in sent if getattr(body, name) is not None}
        changed = event.model_copy(update={**changes, "version": event.version + 1})
        if changed.ends_at <= changed.starts_at:
            raise Invalid("ends_at must come after starts_at")
        roster = await self._roster(event)
        if body.capacity is not None and body.capacity != roster.capacity:
            capacity = body.capacity

            def resize(current: Roster) -> tuple[Act, list[Change]] | None:
                if len(current.confirmed) > capacity:
                    # Nobody loses a seat they were given; staff cancel seats explicitly first.
                    raise Conflict(
                        f"{len(current.confirmed)} members hold a seat: capacity cannot go "
                        f"below that"
                    )
                return current.plan("capacity", capacity=capacity)

            roster, _ = await self._append(event, resize, by=principal.subject)
        if not await self._events.update(changed, expected_version=event.version):
            raise Conflict("the event changed meanwhile; reload it and try again")
        return FieldEventView.of(changed, roster)

    async def cancel(self, principal: Principal, event_id: str) -> FieldEventView:
        """Cancel the event: every RSVP is cancelled (and announced) in one act of the log."""
        event = await self._event(principal.workspace, event_id)
        roster, _ = await self._append(
            event,
            lambda current: None if current.closed else current.plan("close"),
            by=principal.subject,
        )
        if event.status != "cancelled":
            changed = event.model_copy(update={"status": "cancelled", "version": event.version + 1})
            if not await self._events.update(changed, expected_version=event.version):
                raise Conflict("the event changed meanwhile; cancel it again")
            event = changed
        return FieldEventView.of(event, roster)

    async def get(self, workspace: str, event_id: str) -> FieldEventView:
        event = await self._event(workspace, event_id)
        return FieldEventView.of(event, await self._roster(event))

    async def page(
        self, workspace: str, *, cursor: str | None, upcoming: bool, limit: int
    ) -> FieldEventPage:
        events = await self._events.page(
            workspace,
            after=parse_cursor(cursor),
            ending_after=self._clock() if upcoming else None,
            limit=limit,
        )
        return await self._page_of(events, limit)

    async def past(self, workspace: str, *, cursor: str | None, limit: int) -> FieldEventPage:
        """Events already over, the latest first (the public page lists them apart)."""
        events = await self._events.past_page(
            workspace, before=parse_cursor(cursor), ended_by=self._clock(), limit=limit
        )
        return await self._page_of(events, limit)

    async def roster(
        self, workspace: str, event_id: str, *, cursor: str | None, limit: int
    ) -> RosterPage:
        """Confirmed members in seat order, then the waitlist in order (codes never shown)."""
        event = await self._event(workspace, event_id)
        roster = await self._roster(event)
        checked_in = await self._events.checked_in(event.id)
        entries = [
            RosterEntry(member_id=m, status="confirmed", position=i + 1, checked_in=m in checked_in)
            for i, m in enumerate(roster.confirmed)
        ] + [
            RosterEntry(member_id=m, status="waitlisted", position=i + 1)
            for i, m in enumerate(roster.waitlist)
        ]
        start = _decode_offset(cursor)
        items = entries[start : start + limit]
        more = start + limit < len(entries)
        return RosterPage(items=items, next_cursor=_encode_offset(start + limit) if more else None)

    # --- members: RSVP ---

    async def rsvp(self, principal: Principal, event_id: str) -> MyRsvp:
        """Take a seat, or a place on the waitlist; asking twice answers the same."""
        event = await self._event(principal.workspace, event_id)
        member = await self._member(principal)
        self._open(event)
        await self._fold(event, principal.subject, member)
        roster, _ = await self._append(
            event,
            lambda current: (
                None
                if current.status_of(member) != "none" or current.closed
                else current.plan("join", member_id=member)
            ),
            by=member,
        )
        if roster.closed:
            raise Conflict("the event is cancelled")
        return await self._mine(event, roster, member)

    async def withdraw(self, principal: Principal, event_id: str) -> MyRsvp:
        """Give the seat (or the waitlist place) back; the first waitlisted member moves up."""
        event = await self._event(principal.workspace, event_id)
        member = await self._canonical(principal)
        if self._clock() >= event.ends_at:
            raise Conflict("the event is over")
        await self._fold(event, principal.subject, member)
        return await self._mine(event, await self._leave(event, member), member)

    async def give_back(self, workspace: str, member: str) -> list[str]:
        """An erased member's seats and waitlist places at events not over yet go to the next
        in line; past events keep theirs, as counts. The events left, once each."""
        left = []
        for event_id in await self._events.events_of_member(workspace, member):
            event = await self._events.get(workspace, event_id)
            if event is None or event.status == "cancelled" or self._clock() >= event.ends_at:
                continue
            roster = await self._roster(event)
            if roster.status_of(member) != "none":
                await self._leave(event, member)
                left.append(event_id)
        return left

    async def _leave(self, event: FieldEvent, member: str) -> Roster:
        roster, _ = await self._append(
            event,
            lambda current: (
                None
                if current.status_of(member) == "none"
                else current.plan("leave", member_id=member)
            ),
            by=member,
        )
        return roster

    async def my_rsvp(self, principal: Principal, event_id: str) -> MyRsvp:
        event = await self._event(principal.workspace, event_id)
        member = await self._canonical(principal)
        return await self._mine(event, await self._roster(event), member)

    # --- merged members: one person, one place ---

    async def members_merged(self, events: Sequence[Event]) -> None:
        """Kafka handler: a merge folds the merged-away id's places into the survivor's at
        every event not over yet (idempotent: a folded roster has nothing left to fold)."""
        for merge in events:
            if not isinstance(merge, MemberMergedV1):
                continue
            workspace, merged = merge.workspace, merge.data.merged_member_id
            survivor = merge.data.survivor_member_id
            into = (await self._members.canonical(workspace, [survivor])).get(survivor, survivor)
            for event_id in await self._events.events_of_member(workspace, merged):
                event = await self._events.get(workspace, event_id)
                if event is not None and self._clock() < event.ends_at:
                    await self._fold(event, merged, into)

    async def _fold(self, event: FieldEvent, merged: str, into: str) -> None:
        """Also called before a withdrawal, so it acts on the right place even if the merge's
        event has not been handled yet."""
        if merged != into:
            await self._append(
                event,
                lambda r: (
                    None
                    if r.closed or r.status_of(merged) == "none"
                    else r.plan("merge", member_id=merged, into=into)
                ),
                by=f"merge:{merged}",
            )

    # --- staff: check-in ---

    async def check_in(self, principal: Principal, event_id: str, code: str) -> CheckInResult:
        """Single use: the first check-in with a code wins, a second is a conflict."""
        event = await self._event(principal.workspace, event_id)
        if event.status == "cancelled":
            raise Conflict("the event is cancelled")
        roster = await self._roster(event)
        member = roster.member_of_code(normalize_code(code))
        if member is None:
            raise NotFound("no seat holds this check-in code")
        at = self._clock()
        checked_in = EventCheckedInV1(
            **envelope(Source.FEEDBACK, event.workspace, event.id),
            data=CheckInData(event_id=event.id, title=event.title, member_id=member),
        )
        first = await self._events.check_in(
            event, member, [checked_in], by=principal.subject, at=at
        )
        if not first:
            at = await self._events.checked_in_at(event.id, member) or at
        # Recorded on the second use too: it repairs a first use whose recording failed.
        await self._activity.record(
            [
                Activity(
                    workspace=event.workspace,
                    member_id=member,
                    kind="attendance",
                    ref=event.id,
                    at=at,
                )
            ]
        )
        if not first:
            raise Conflict("this code was already used")
        return CheckInResult(event_id=event.id, member_id=member, checked_in_at=at)

    # --- internals ---

    async def _append(
        self, event: FieldEvent, planner: Planner, *, by: str
    ) -> tuple[Roster, list[Change]]:
        """Plan on the current roster and append; on a lost race, catch up and plan again."""
        roster = await self._roster(event)
        for attempt in range(MAX_ATTEMPTS):
            planned = planner(roster)
            if planned is None:
                return roster, []
            act, changes = planned
            events = [self._rsvp_event(event, change) for change in changes]
            if await self._events.append(event, act, events, by=by, at=self._clock()):
                roster.apply(act)
                return roster, changes
            missed = await self._events.acts_after(event.id, roster.last_seq)
            for other in missed:
                roster.apply(other)
            if not missed:  # the winner's act is not visible yet: let it land
                await asyncio.sleep(random.uniform(0.001, 0.005) * (attempt + 1))
        raise Conflict("too many people are signing up at once; try again")

    async def _page_of(self, events: list[FieldEvent], limit: int) -> FieldEventPage:
        """Seats left from every listed event's roster log, read together."""
        logs = await self._events.logs_of([e.id for e in events]) if events else {}
        return FieldEventPage(
            items=[FieldEventView.of(e, Roster.replay(e.capacity, logs[e.id])) for e in events],
            next_cursor=next_cursor(events, limit, lambda e: (e.starts_at, e.id)),
        )

    async def _roster(self, event: FieldEvent) -> Roster:
        return Roster.replay(event.capacity, await self._events.acts_after(event.id))

    async def _mine(self, event: FieldEvent, roster: Roster, member: str) -> MyRsvp:
        status = roster.status_of(member)
        checked_in = (
            status == "confirmed" and await self._events.checked_in_at(event.id, member) is not None
        )
        return MyRsvp(
            event_id=event.id,
            member_id=member,
            status=status,
            position=roster.position(member),
            check_in_code=roster.codes.get(member) if status == "confirmed" else None,
            checked_in=checked_in,
        )

    async def _event(self, workspace: str, event_id: str) -> FieldEvent:
        event = await self._events.get(workspace, event_id)
        if event is None:
            raise FieldEventNotFound(event_id)
        return event

    async def _canonical(self, principal: Principal) -> str:
        """Merged identities hold one seat: the RSVP is the canonical member's."""
        canonical = await self._members.canonical(principal.workspace, [principal.subject])
        return canonical.get(principal.subject, principal.subject)

    async def _member(self, principal: Principal) -> str:
        member = await self._canonical(principal)
        await refuse_blocked(self._members, principal.workspace, member)
        return member

    def _open(self, event: FieldEvent) -> None:
        if event.status == "cancelled":
            raise Conflict("the event is cancelled")
        if self._clock() >= event.ends_at:
            raise Conflict("the event is over")

    def _rsvp_event(self, event: FieldEvent, change: Change) -> EventRsvpV1:
        return EventRsvpV1(
            **envelope(Source.FEEDBACK, event.workspace, event.id),
            data=RsvpData(
                event_id=event.id,
                title=event.title,
                starts_at=event.starts_at,
                member_id=change.member_id,
                status=change.status,
                position=change.position,
                reason=change.reason,
            ),
        )


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise Invalid("cursor: not a cursor this API returned") from exc
    if offset < 0:
        raise Invalid("cursor: not a cursor this API returned")
    return offset
