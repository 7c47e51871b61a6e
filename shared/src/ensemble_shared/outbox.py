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

Publishing in the request is a fast path, bounded in time (`FAST_PATH_SECONDS`): with the
broker down, an idempotent producer waits for it without end, and a webhook must still answer
once its document is stored. Past the bound the request goes on; the publish carries on in the
background and deletes its pointers if Kafka takes it, else the relay publishes after its grace
(both may: consumers dedupe on event id). After a slow or failed publish the fast path rests for
`FAST_PATH_REST_SECONDS` — writes then leave their events to the relay — so requests during an
outage do not each wait out the bound.

A pointer deletion costs a scan of the collection on FerretDB (~15 ms of its CPU even when the
collection is nearly empty), so concurrent writers delete theirs together: one `delete_many` in
flight at a time, the next one taking every pointer that queued meanwhile (group commit).
"""

from __future__ import annotations

import asyncio
import logging
import time
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
FAST_PATH_SECONDS = 2.0
FAST_PATH_REST_SECONDS = 5.0


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("outbox pointers not deleted, the relay will: %r", task.exception())


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

    def __init__(
        self,
        publisher: EventPublisher,
        topics: Topics,
        database: Database,
        *,
        fast_path_seconds: float = FAST_PATH_SECONDS,
        fast_path_rest_seconds: float = FAST_PATH_REST_SECONDS,
    ) -> None:
        self._publisher = publisher
        self._topics = topics
        self.database = database
        self.pointers = database[POINTERS]
        self._doomed: set[Any] = set()  # pointer ids waiting for the next deletion
        self._deleting = asyncio.Lock()
        self._fast_path_seconds = fast_path_seconds
        self._fast_path_rest_seconds = fast_path_rest_seconds
        self._resting_until = 0.0
        self._late: set[asyncio.Future[Any]] = set()  # fast paths that outlived their request

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
        take the events within the fast path's bound, their pointers stay for the relay; the
        write itself stands.
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
        published = [p["_id"] for p in pointers if p["doc_id"] in written]
        done = [p["_id"] for p in pointers if p["doc_id"] not in written]
        try:
            if await self._publish_fast(records, published):
                done += published
        except Exception as exc:  # the relay publishes them later
            log.warning("outbox fast path failed, the relay will retry: %r", exc)
        if done:
            await self._forget(done)
        return written

    async def _publish_fast(
        self, records: Sequence[OutgoingRecord], pointer_ids: list[Any]
    ) -> bool:
        """True once Kafka took `records` within the bound. False when they were left to
        finish late (their pointers are forgotten when they do) or, while resting, to the
        relay. Raises what a publish that failed within the bound raised."""
        if not records:
            return True
        if time.monotonic() < self._resting_until:
            return False
        publish = asyncio.ensure_future(self._publisher.publish_records(records))
        self._late.add(publish)  # a task nobody references may be collected mid-flight
        publish.add_done_callback(self._late.discard)
        done, _ = await asyncio.wait({publish}, timeout=self._fast_path_seconds)
        if not done:
            self._resting_until = time.monotonic() + self._fast_path_rest_seconds
            publish.add_done_callback(lambda task: self._finish_late(task, pointer_ids))
            log.warning(
                "outbox fast path took over %.1fs; the events go when Kafka takes them, "
                "or by the relay",
                self._fast_path_seconds,
            )
            return False
        if publish.exception() is not None:
            self._resting_until = time.monotonic() + self._fast_path_rest_seconds
        publish.result()
        return True

    def _finish_late(self, publish: asyncio.Future[None], pointer_ids: list[Any]) -> None:
        """A publish that outlived the request: once Kafka took it, the relay need not."""
        if publish.cancelled() or publish.exception() is not None:
            return  # the relay has them
        forget = asyncio.ensure_future(self._forget(pointer_ids))
        self._late.add(forget)
        forget.add_done_callback(self._late.discard)
        forget.add_done_callback(_log_failure)

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
            orphan_grace=timedelta(seconds=settings.outbox_orphan_grace_seconds),
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
