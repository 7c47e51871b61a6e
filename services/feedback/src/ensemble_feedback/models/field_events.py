"""Field events (members meeting in a place) and their roster, derived from an append-only log.

Who holds a seat is never stored as mutable state: every RSVP, cancellation, capacity change
and event cancellation is an *act* with a per-event sequence number, and the roster is a pure
fold of the acts in order (`Roster.replay`). The same log always gives the same roster, so
allocation is deterministic and can be unit-tested without a store.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ensemble_shared.capabilities import same_secret
from ensemble_shared.inputs import StorableDatetime, time_zone

FieldEventStatus = Literal["scheduled", "cancelled"]
RsvpStatus = Literal["confirmed", "waitlisted", "cancelled", "promoted"]
MAX_CAPACITY = 10_000

Tag = Field(min_length=1, max_length=50, pattern=r"^[^$\s][^\s]*$")


def _check_timezone(name: str) -> str:
    try:
        time_zone(name)
    except ValueError as exc:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name, e.g. Europe/Paris)"
        ) from exc
    return name


class Place(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Place:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


class FieldEventCreate(BaseModel):
    """What staff give to plan an event; unknown fields (status, counts...) are refused."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    place: Place
    starts_at: StorableDatetime
    ends_at: StorableDatetime
    timezone: str = Field(
        default="UTC", max_length=64, description="IANA zone the times are shown in."
    )
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    tags: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            TagModel(tag=tag)
        return list(dict.fromkeys(tags))

    @model_validator(mode="after")
    def _ordered(self) -> FieldEventCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must come after starts_at")
        return self


class TagModel(BaseModel):
    tag: str = Tag


class FieldEventUpdate(BaseModel):
    """A partial change by staff; capacity changes go through the roster log."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    place: Place | None = None
    starts_at: StorableDatetime | None = None
    ends_at: StorableDatetime | None = None
    timezone: str | None = Field(default=None, max_length=64)
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    tags: list[str] | None = Field(default=None, max_length=20)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is None:
            return None
        for tag in tags:
            TagModel(tag=tag)
        return list(dict.fromkeys(tags))


class FieldEvent(BaseModel):
    """A stored field event (its roster lives in the act log, not here)."""

    id: str
    workspace: str
    title: str
    description: str
    place: Place
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int = Field(description="Capacity at creation; the roster has the current one.")
    tags: list[str]
    status: FieldEventStatus = "scheduled"
    created_by: str
    created_at: datetime
    version: int = 1


class FieldEventView(BaseModel):
    """A field event as the API shows it, with its current seats."""

    id: str
    title: str
    description: str
    place: Place
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int
    tags: list[str]
    status: FieldEventStatus
    confirmed: int
    waitlisted: int
    seats_left: int
    submission_tag: str = Field(description="Tag submissions about this event carry.")

    @classmethod
    def of(cls, event: FieldEvent, roster: Roster) -> FieldEventView:
        return cls(
            **event.model_dump(
                include={
                    "id",
                    "title",
                    "description",
                    "place",
                    "starts_at",
                    "ends_at",
                    "timezone",
                    "tags",
                    "status",
                }
            ),
            capacity=roster.capacity,
            confirmed=len(roster.confirmed),
            waitlisted=len(roster.waitlist),
            seats_left=max(roster.capacity - len(roster.confirmed), 0),
            submission_tag=submission_tag(event.id),
        )


class FieldEventPage(BaseModel):
    items: list[FieldEventView]
    next_cursor: str | None = None


class MyRsvp(BaseModel):
    """A member's own seat; the check-in code is shown only to them, only while confirmed."""

    event_id: str
    member_id: str
    status: Literal["confirmed", "waitlisted", "none"]
    position: int | None = Field(default=None, description="Place on the waitlist, 1 = next.")
    check_in_code: str | None = None
    checked_in: bool = False


class RosterEntry(BaseModel):
    member_id: str
    status: Literal["confirmed", "waitlisted"]
    position: int
    checked_in: bool = False


class RosterPage(BaseModel):
    items: list[RosterEntry]
    next_cursor: str | None = None


class CheckInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=32)


class CheckInResult(BaseModel):
    event_id: str
    member_id: str
    checked_in_at: datetime


def submission_tag(event_id: str) -> str:
    """The tag convention tying a submission to the field event it came out of."""
    return f"event:{event_id}"


# --- the roster log ------------------------------------------------------------------------

ActKind = Literal["join", "leave", "capacity", "close", "merge"]
# Crockford-like alphabet: no 0/O, 1/I/L confusion when read aloud at the door.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8e14 codes: unguessable at any rate an HTTP API allows


def new_check_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


@dataclass(frozen=True)
class Act:
    """One entry of an event's roster log; `seq` is dense from 1 and unique per event.

    `codes` holds a fresh check-in code for every member the act confirms (the joiner, or the
    members it promotes); codes are drawn before the act is written so the log is the only truth.
    A `merge` act folds the entries of `member_id` (merged away) into those of `into`.
    """

    seq: int
    kind: ActKind
    member_id: str | None = None
    capacity: int | None = None
    codes: dict[str, str] = field(default_factory=dict)
    into: str | None = None


@dataclass(frozen=True)
class Change:
    """What an act did to one member (one `event.rsvp.v1` each)."""

    member_id: str
    status: RsvpStatus
    position: int | None = None
    reason: Literal["member", "event_cancelled", "merged"] | None = None


@dataclass
class Roster:
    """Seats of one event: confirmed members in the order they got a seat, then the waitlist."""

    capacity: int
    confirmed: list[str] = field(default_factory=list)
    waitlist: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # confirmed member -> their code
    closed: bool = False
    last_seq: int = 0

    @classmethod
    def replay(cls, capacity: int, acts: list[Act]) -> Roster:
        roster = cls(capacity=capacity)
        for act in sorted(acts, key=lambda a: a.seq):
            roster.apply(act)
        return roster

    def status_of(self, member_id: str) -> Literal["confirmed", "waitlisted", "none"]:
        if member_id in self.confirmed:
            return "confirmed"
        if member_id in self.waitlist:
            return "waitlisted"
        return "none"

    def position(self, member_id: str) -> int | None:
        return self.waitlist.index(member_id) + 1 if member_id in self.waitlist else None

    def copy(self) -> Roster:
        return Roster(
            capacity=self.capacity,
            confirmed=list(self.confirmed),
            waitlist=list(self.waitlist),
            codes=dict(self.codes),
            closed=self.closed,
            last_seq=self.last_seq,
        )

    def member_of_code(self, code: str) -> str | None:
        for member, held in self.codes.items():
            if same_secret(code, held):
                return member
        return None

    def plan(
        self,
        kind: ActKind,
        *,
        member_id: str | None = None,
        capacity: int | None = None,
        into: str | None = None,
    ) -> tuple[Act, list[Change]]:
        """The next act (seq = last + 1) with a fresh code for everyone it would confirm, and
        what it would change; nothing changes here (a dry run on a copy)."""
        draft = Act(self.last_seq + 1, kind, member_id=member_id, capacity=capacity, into=into)
        confirmed = [
            c.member_id for c in self.copy().apply(draft) if c.status in ("confirmed", "promoted")
        ]
        act = Act(
            draft.seq,
            kind,
            member_id=member_id,
            capacity=capacity,
            codes={m: new_check_in_code() for m in confirmed},
            into=into,
        )
        return act, self.copy().apply(act)

    def apply(self, act: Act) -> list[Change]:
        """Fold one act in; the changes it made, in order. Acts that change nothing (a second
        join, a leave by a non-member, anything after close) are no-ops, so replay is total."""
        self.last_seq = act.seq
        if self.closed:
            return []
        changes: list[Change] = []
        if act.kind == "join" and act.member_id is not None:
            member = act.member_id
            if self.status_of(member) != "none":
                return []
            if len(self.confirmed) < self.capacity:
                self._confirm(member, act)
                changes.append(Change(member, "confirmed"))
            else:
                self.waitlist.append(member)
                changes.append(Change(member, "waitlisted", position=len(self.waitlist)))
        elif act.kind == "leave" and act.member_id is not None:
            member = act.member_id
            if member in self.confirmed:
                self.confirmed.remove(member)
                self.codes.pop(member, None)
            elif member in self.waitlist:
                self.waitlist.remove(member)
            else:
                return []
            changes.append(Change(member, "cancelled", reason="member"))
        elif act.kind == "merge" and act.member_id is not None and act.into is not None:
            changes = self._fold(act.member_id, act.into)
            if not changes:
                return []
        elif act.kind == "capacity" and act.capacity is not None:
            self.capacity = act.capacity
        elif act.kind == "close":
            changes = [
                Change(m, "cancelled", reason="event_cancelled")
                for m in [*self.confirmed, *self.waitlist]
            ]
            self.confirmed, self.waitlist, self.codes = [], [], {}
            self.closed = True
            return changes
        changes.extend(self._promote(act))
        return changes

    def _fold(self, merged: str, into: str) -> list[Change]:
        """One person, one place: the earliest of the two (a seat before a waitlist place),
        under the surviving id and, for a seat, its check-in code; the other is given back."""
        if self.status_of(merged) == "none":
            return []
        places = [
            (rank, index, member, kept)
            for rank, kept in enumerate((self.confirmed, self.waitlist))
            for index, member in enumerate(kept)
            if member in (merged, into)
        ]
        (_, _, first, first_list), *rest = sorted(places, key=lambda p: (p[0], p[1]))
        for _, _, member, kept in rest:
            kept.remove(member)
        self.codes.pop(into if first == merged else merged, None)
        changes = [Change(merged, "cancelled", reason="merged")]
        if first == merged:
            first_list[first_list.index(merged)] = into
            if merged in self.codes:
                self.codes[into] = self.codes.pop(merged)
            status: RsvpStatus = "confirmed" if first_list is self.confirmed else "waitlisted"
            changes.append(Change(into, status, position=self.position(into)))
        return changes

    def _confirm(self, member: str, act: Act) -> None:
        self.confirmed.append(member)
        code = act.codes.get(member)
        if code is not None:  # planned acts always carry one; a seat without one cannot check in
            self.codes[member] = code

    def _promote(self, act: Act) -> list[Change]:
        changes = []
        while self.waitlist and len(self.confirmed) < self.capacity:
            member = self.waitlist.pop(0)
            self._confirm(member, act)
            changes.append(Change(member, "promoted"))
        return changes
