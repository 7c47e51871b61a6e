"""Field events, their roster log, check-ins and follow-up invitations.

Everything the roster needs is insert-only: an act is inserted at `_id = {event}#{seq}`, and a
unique `_id` is the lock that serializes concurrent RSVPs (FerretDB's findAndModify is not
atomic under concurrency; a duplicate-key insert is). Check-ins and follow-ups are keyed by
`{event}#{member}`, so each happens once whoever races. Only the event's own description is
updated in place (rare, by staff, with an expected version).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ensemble_feedback.models.field_events import Act, FieldEvent
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Database, Document, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, newer_than, older_than

EVENTS = "field_events"
ACTS = "field_event_acts"
CHECK_INS = "field_event_check_ins"
FOLLOWUPS = "field_event_followups"


def _event_document(event: FieldEvent) -> Document:
    return {"_id": event.id, **event.model_dump(exclude={"id"})}


def _event(document: Document) -> FieldEvent:
    return FieldEvent.model_validate({**document, "id": document["_id"]})


def _act(document: Document) -> Act:
    return Act(
        seq=document["seq"],
        kind=document["kind"],
        member_id=document.get("member_id"),
        capacity=document.get("capacity"),
        # Stored as a list of objects: member ids are not guaranteed to be safe field names,
        # and FerretDB refuses nested arrays.
        codes={entry["member_id"]: entry["code"] for entry in document.get("codes", [])},
        into=document.get("into"),
    )


def act_id(event_id: str, seq: int) -> str:
    return f"{event_id}#{seq:08d}"


class FieldEventRepository:
    INDEXES = {
        EVENTS: [
            Index(
                [("workspace", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                name="agenda",
            ),
            Index([("ends_at", ASCENDING)], name="by_end"),
        ],
        ACTS: [
            Index([("event_id", ASCENDING), ("seq", ASCENDING)], name="log", unique=True),
        ],
        CHECK_INS: [Index([("event_id", ASCENDING)], name="by_event")],
        FOLLOWUPS: [Index([("event_id", ASCENDING)], name="by_event")],
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.events: Collection = database[EVENTS]
        self.acts: Collection = database[ACTS]
        self.check_ins: Collection = database[CHECK_INS]
        self.followups: Collection = database[FOLLOWUPS]
        self._outbox = outbox

    # --- the events themselves ---

    async def insert(self, event: FieldEvent) -> None:
        await self.events.insert_one(_event_document(event))

    async def get(self, workspace: str, event_id: str) -> FieldEvent | None:
        document = await find_owned(self.events, event_id, workspace)
        return _event(document) if document else None

    async def update(self, event: FieldEvent, *, expected_version: int) -> bool:
        """Replace the description fields if nobody changed them since `expected_version`."""
        fields = {k: v for k, v in _event_document(event).items() if k not in ("_id", "workspace")}
        result = await self.events.update_one(
            {"_id": event.id, "workspace": event.workspace, "version": expected_version},
            {"$set": fields},
        )
        return bool(result.modified_count)

    async def page(
        self, workspace: str, *, after: Position | None, ending_after: datetime | None, limit: int
    ) -> list[FieldEvent]:
        """Soonest first."""
        filters: dict[str, Any] = {"workspace": workspace, **newer_than("starts_at", after)}
        if ending_after is not None:
            filters["ends_at"] = {"$gt": ending_after}
        found = self.events.find(filters).sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
        return [_event(d) for d in await found.limit(limit).to_list(limit)]

    async def past_page(
        self, workspace: str, *, before: Position | None, ended_by: datetime, limit: int
    ) -> list[FieldEvent]:
        """Events over by `ended_by`, the latest first (what a public page lists apart)."""
        filters: dict[str, Any] = {
            "workspace": workspace,
            "ends_at": {"$lte": ended_by},
            **older_than("starts_at", before),
        }
        found = self.events.find(filters).sort([("starts_at", DESCENDING), ("_id", DESCENDING)])
        return [_event(d) for d in await found.limit(limit).to_list(limit)]

    async def ended_between(
        self, start: datetime, end: datetime, *, limit: int
    ) -> list[FieldEvent]:
        """Scheduled events (any workspace) that ended in [start, end): follow-up candidates."""
        found = self.events.find(
            {"status": "scheduled", "ends_at": {"$gte": start, "$lt": end}}
        ).sort("ends_at", ASCENDING)
        return [_event(d) for d in await found.limit(limit).to_list(limit)]

    # --- the roster log ---

    async def acts_after(self, event_id: str, seq: int = 0) -> list[Act]:
        found = self.acts.find({"event_id": event_id, "seq": {"$gt": seq}}, {FIELD: 0})
        return [_act(d) for d in await found.sort("seq", ASCENDING).to_list(None)]

    async def logs_of(self, event_ids: Sequence[str]) -> dict[str, list[Act]]:
        """Each event's whole roster log, in order: one query for a page of events."""
        logs: dict[str, list[Act]] = {e: [] for e in event_ids}
        found = self.acts.find({"event_id": {"$in": list(event_ids)}}, {FIELD: 0})
        async for document in found.sort([("event_id", ASCENDING), ("seq", ASCENDING)]):
            logs[document["event_id"]].append(_act(document))
        return logs

    async def events_of_member(self, workspace: str, member_id: str) -> list[str]:
        """The events whose roster log names the member (as joiner or merged-away id)."""
        found = self.acts.find(
            {"workspace": workspace, "member_id": member_id}, {"event_id": 1, "_id": 0}
        )
        return sorted({d["event_id"] async for d in found})

    async def append(
        self, event: FieldEvent, act: Act, events: Sequence[Event], *, by: str, at: datetime
    ) -> bool:
        """Insert the act at its sequence number with its events; False when another act took
        that number first (the caller re-reads the log and plans again)."""
        return await self._outbox.insert_one(
            self.acts,
            {
                "_id": act_id(event.id, act.seq),
                "event_id": event.id,
                "workspace": event.workspace,
                "seq": act.seq,
                "kind": act.kind,
                "member_id": act.member_id,
                "capacity": act.capacity,
                "codes": [{"member_id": m, "code": c} for m, c in act.codes.items()],
                "into": act.into,
                "by": by,
                "at": at,
            },
            events,
        )

    # --- check-ins ---

    async def check_in(
        self, event: FieldEvent, member_id: str, events: Sequence[Event], *, by: str, at: datetime
    ) -> bool:
        """Record the member's check-in once; False when they were already checked in."""
        return await self._outbox.insert_one(
            self.check_ins,
            {
                "_id": f"{event.id}#{member_id}",
                "event_id": event.id,
                "workspace": event.workspace,
                "member_id": member_id,
                "by": by,
                "at": at,
            },
            events,
        )

    async def checked_in_at(self, event_id: str, member_id: str) -> datetime | None:
        document = await self.check_ins.find_one({"_id": f"{event_id}#{member_id}"}, {"at": 1})
        return document["at"] if document else None

    async def checked_in(self, event_id: str) -> dict[str, datetime]:
        """Every member checked in at the event, with when."""
        found = self.check_ins.find({"event_id": event_id}, {"member_id": 1, "at": 1})
        return {d["member_id"]: d["at"] async for d in found}

    # --- follow-up invitations ---

    async def invited(self, event_id: str) -> set[str]:
        found = self.followups.find({"event_id": event_id}, {"member_id": 1})
        return {d["member_id"] async for d in found}

    async def invite(
        self, event: FieldEvent, invitations: Sequence[tuple[str, Event]], *, at: datetime
    ) -> set[str]:
        """One invitation per member, ever; returns the members invited by this call."""
        documents = [
            self._outbox.stage(
                {
                    "_id": f"{event.id}#{member_id}",
                    "event_id": event.id,
                    "workspace": event.workspace,
                    "member_id": member_id,
                    "at": at,
                },
                [invitation],
            )
            for member_id, invitation in invitations
        ]
        written = await self._outbox.insert(self.followups, documents)
        return {str(doc_id).split("#", 1)[1] for doc_id in written}
