"""Transactional outbox without transactions, and without updating the documents it announces.

A state change and its events are one single-document write: the events ride inside the
document (`_outbox.<event id>`), atomic on MongoDB and FerretDB alike. Before that write, a
pointer per event goes into the small `outbox` collection; after it, the events are published
and the pointers deleted. The announced documents are never rewritten to mark events sent:
on FerretDB over SQLite an update costs a scan of the whole collection, an insert does not.

If the process dies between the write and the deletion, the relay finds the pointers (a small
collection), reads each document by `_id`, and publishes the events it really carries; pointers
whose document never got the event (the write failed) are dropped after a long grace.
Consumers dedupe on event id, so a relay racing a slow writer costs a duplicate, never a loss.

A pointer deletion costs a scan of the collection on FerretDB (~15 ms of its CPU even when the
collection is nearly empty), so concurrent writers delete theirs together: one `delete_many` in
flight at a time, the next one taking every pointer that queued meanwhile (group commit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ensemble_shared.events import Event, utcnow
from ensemble_shared.kafka.publisher import EventPublisher, OutgoingRecord, record_for
from ensemble_shared.metrics import OUTBOX_RELAYED
from ensemble_shared.runtime import repeat
from ensemble_shared.settings import ServiceSettings
from ensemble_shared.storage import ASCENDING, Collection, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.topics import Topics

log = logging.getLogger(__name__)

FIELD = "_outbox"
POINTERS = "outbox"
INDEXES = {POINTERS: [Index([("at", ASCENDING)], name="by_age")]}


def _entry(record: OutgoingRecord, at: datetime, seq: int) -> Document:
    return {
        "topic": record.topic,
        "key": record.key,
        "value": record.value.decode(),
        "headers": record.headers,
        "at": at,
        "seq": seq,  # order within one write: stores may reorder a document's fields
    }


def in_order(entries: Iterable[Document]) -> list[Document]:
    """A document's outbox entries in the order their events happened."""
    return sorted(entries, key=lambda entry: (entry["at"], entry.get("seq", 0)))


def _record(entry: Document) -> OutgoingRecord:
    return OutgoingRecord(
        topic=entry["topic"],
        key=entry["key"],
        value=entry["value"].encode(),
        headers=entry["headers"],
    )


class Outbox:
    """Stages events into the documents they announce and publishes what a write stored."""

    def __init__(self, publisher: EventPublisher, topics: Topics, database: Database) -> None:
        self._publisher = publisher
        self._topics = topics
        self.database = database
        self.pointers = database[POINTERS]
        self._doomed: set[Any] = set()  # pointer ids waiting for the next deletion
        self._deleting = asyncio.Lock()

    def stage(self, document: Document, events: Sequence[Event]) -> Document:
        """The document to insert, carrying its events."""
        now = utcnow()
        entries = {
            e.id: _entry(record_for(e, self._topics), now, seq) for seq, e in enumerate(events)
        }
        return {**document, FIELD: entries}

    def stage_update(self, doc_id: Any, events: Sequence[Event]) -> tuple[Document, Document]:
        """For an update: the staged document to hand to `write`, and the `$set` fields that
        put the events into the stored document within the same update."""
        staged = self.stage({"_id": doc_id}, events)
        return staged, {f"{FIELD}.{event_id}": e for event_id, e in staged[FIELD].items()}

    async def write(
        self,
        collection: Collection,
        documents: Sequence[Document],
        write: Callable[[], Awaitable[Iterable[Any]]],
    ) -> set[Any]:
        """Point at the staged events, run `write` (it returns the ids it really wrote), then
        publish the events of those documents, serialized once, when they were staged.

        Events of documents `write` did not write (duplicates) are forgotten. If Kafka does not
        take the events, their pointers stay for the relay; the write itself stands.
        """
        now = utcnow()
        pointers = [
            {"_id": event_id, "collection": collection.name, "doc_id": document["_id"], "at": now}
            for document in documents
            for event_id in document.get(FIELD, {})
        ]
        if pointers:
            await self.pointers.insert_many(pointers, ordered=False)
        written = set(await write())
        records = [
            _record(entry)
            for document in documents
            if document["_id"] in written
            for entry in in_order(document.get(FIELD, {}).values())
        ]
        try:
            await self._publisher.publish_records(records)
            done = [p["_id"] for p in pointers]
        except Exception as exc:  # the relay publishes them later
            log.warning("outbox fast path failed, the relay will retry: %r", exc)
            done = [p["_id"] for p in pointers if p["doc_id"] not in written]
        if done:
            await self._forget(done)
        return written

    async def insert(self, collection: Collection, documents: Sequence[Document]) -> set[Any]:
        """`write` for the common case: insert the staged documents whose `_id` is new
        (`insert_new`); returns the ids written, whose events are published."""
        return await self.write(collection, documents, lambda: insert_new(collection, documents))

    async def insert_one(
        self, collection: Collection, document: Document, events: Sequence[Event] = ()
    ) -> bool:
        """Insert `document` carrying `events` if its `_id` is new; True when it was."""
        if not events:
            return bool(await insert_new(collection, [document]))
        return bool(await self.insert(collection, [self.stage(document, events)]))

    async def _forget(self, pointer_ids: Sequence[Any]) -> None:
        """Delete these pointers, with whatever other writers queued meanwhile; returns once a
        deletion that took them is done (a failed one puts them back and raises)."""
        mine = set(pointer_ids)
        self._doomed |= mine
        async with self._deleting:
            if not mine & self._doomed:
                return  # the deletion that just ended took them
            batch, self._doomed = self._doomed, set()
            try:
                await self.pointers.delete_many({"_id": {"$in": list(batch)}})
            except BaseException:
                self._doomed |= batch
                raise


class OutboxRelay:
    """Publishes events a crash left pointed at; runs in every replica of a service."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        *,
        grace: timedelta = timedelta(seconds=5),
        orphan_grace: timedelta = timedelta(minutes=10),
        interval: float = 2.0,
        batch: int = 500,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._grace = grace
        self._orphan_grace = orphan_grace
        self._interval = interval
        self._batch = batch

    @classmethod
    def from_settings(
        cls, outbox: Outbox, publisher: EventPublisher, settings: ServiceSettings
    ) -> OutboxRelay:
        return cls(
            outbox,
            publisher,
            grace=timedelta(seconds=settings.outbox_grace_seconds),
            interval=settings.outbox_interval_seconds,
        )

    async def sweep_once(self) -> int:
        """Publish the events behind pointers older than the grace; returns how many."""
        now = utcnow()
        pointers = await (
            self._outbox.pointers.find({"at": {"$lte": now - self._grace}})
            .sort("at", ASCENDING)
            .limit(self._batch)
            .to_list(self._batch)
        )
        entries: list[Document] = []
        done: list[str] = []
        for pointer in pointers:
            event_id = pointer["_id"]
            document = await self._outbox.database[pointer["collection"]].find_one(
                {"_id": pointer["doc_id"]}, {f"{FIELD}.{event_id}": 1}
            )
            entry = (document or {}).get(FIELD, {}).get(event_id)
            if entry is not None:
                entries.append(entry)
                done.append(event_id)
                OUTBOX_RELAYED.labels(pointer["collection"]).inc()
            elif pointer["at"] <= now - self._orphan_grace:
                log.info("dropping outbox pointer %s: its write never happened", event_id)
                done.append(event_id)
        if entries:
            await self._publisher.publish_records([_record(e) for e in in_order(entries)])
        if done:
            await self._outbox.pointers.delete_many({"_id": {"$in": done}})
        return len(entries)

    async def run(self) -> None:
        """Sweep forever; a failed sweep is logged and tried again next interval."""
        await repeat(self._sweep_and_tell, every=self._interval, what="outbox sweep")

    async def _sweep_and_tell(self) -> None:
        relayed = await self.sweep_once()
        if relayed:
            log.info("outbox relay published %d events left behind", relayed)
