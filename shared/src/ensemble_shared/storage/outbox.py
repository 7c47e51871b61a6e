"""Transactional outbox without transactions: events ride inside the document they describe.

A state change and the events announcing it are one single-document write (`_outbox.<event
id>` fields), atomic on MongoDB and FerretDB alike. Right after the write the service publishes
them and unsets the fields (fast path); a relay sweeps documents whose events are still there
after a grace period (the process died in between) and publishes those. Consumers dedupe on
event id, so a sweep that races a slow fast path costs a duplicate message, never a lost one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ensemble_shared.events import Event, utcnow
from ensemble_shared.kafka.publisher import EventPublisher, OutgoingRecord, record_for
from ensemble_shared.metrics import OUTBOX_RELAYED
from ensemble_shared.storage import Collection, Document, UpdateOne
from ensemble_shared.topics import Topics

log = logging.getLogger(__name__)

FIELD = "_outbox"
PENDING = {FIELD: {"$exists": True, "$ne": {}}}


def _entry(record: OutgoingRecord, at: datetime) -> Document:
    return {
        "topic": record.topic,
        "key": record.key,
        "value": record.value.decode(),
        "headers": record.headers,
        "at": at,
    }


def _record(entry: Document) -> OutgoingRecord:
    return OutgoingRecord(
        topic=entry["topic"], key=entry["key"], value=entry["value"].encode(), headers=entry["headers"]
    )


class Outbox:
    """Stages events into documents and publishes what a write staged."""

    def __init__(self, publisher: EventPublisher, topics: Topics) -> None:
        self._publisher = publisher
        self._topics = topics

    def stage(self, document: Document, events: Sequence[Event]) -> Document:
        """The document to insert, carrying its events."""
        now = utcnow()
        entries = {e.id: _entry(record_for(e, self._topics), now) for e in events}
        return {**document, FIELD: entries}

    def stage_update(self, events: Sequence[Event]) -> Document:
        """`$set` fields that add events to an existing document in the same update."""
        now = utcnow()
        return {f"{FIELD}.{e.id}": _entry(record_for(e, self._topics), now) for e in events}

    async def dispatch(self, collection: Collection, staged: Mapping[Any, Sequence[Event]]) -> bool:
        """Fast path: publish the events just written, then clear them from their documents.

        Returns False (and leaves them for the relay) when Kafka did not take them.
        """
        events = [event for batch in staged.values() for event in batch]
        if not events:
            return True
        try:
            await self._publisher.publish(events)
        except Exception as exc:  # the relay will publish them; the write already succeeded
            log.warning("outbox fast path failed, the relay will retry: %r", exc)
            return False
        await _clear(collection, {doc_id: [e.id for e in batch] for doc_id, batch in staged.items()})
        return True


async def _clear(collection: Collection, published: Mapping[Any, Sequence[str]]) -> None:
    operations = [
        UpdateOne({"_id": doc_id}, {"$unset": {f"{FIELD}.{event_id}": "" for event_id in ids}})
        for doc_id, ids in published.items()
        if ids
    ]
    if operations:
        await collection.bulk_write(operations, ordered=False)


class OutboxRelay:
    """Publishes events a crash left in documents; runs in every replica of a service."""

    def __init__(
        self,
        publisher: EventPublisher,
        collections: Sequence[Collection],
        *,
        grace: timedelta = timedelta(seconds=5),
        interval: float = 2.0,
        batch: int = 500,
    ) -> None:
        self._publisher = publisher
        self._collections = collections
        self._grace = grace
        self._interval = interval
        self._batch = batch

    async def sweep_once(self) -> int:
        """Publish every entry older than the grace period; returns how many went out."""
        cutoff = utcnow() - self._grace
        relayed = 0
        for collection in self._collections:
            cursor = collection.find(PENDING, {FIELD: 1}).limit(self._batch)
            published: dict[Any, list[str]] = {}
            records: list[OutgoingRecord] = []
            async for document in cursor:
                entries = sorted(document[FIELD].items(), key=lambda item: item[1]["at"])
                for event_id, entry in entries:
                    if entry["at"] <= cutoff:
                        records.append(_record(entry))
                        published.setdefault(document["_id"], []).append(event_id)
            if records:
                await self._publisher.publish_records(records)
                await _clear(collection, published)
                OUTBOX_RELAYED.labels(collection.name).inc(len(records))
                relayed += len(records)
        return relayed

    async def run(self) -> None:
        """Sweep forever; a failed sweep is logged and tried again next interval."""
        while True:
            try:
                relayed = await self.sweep_once()
                if relayed:
                    log.info("outbox relay published %d events left behind", relayed)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox sweep failed: %r", exc)
            await asyncio.sleep(self._interval)
