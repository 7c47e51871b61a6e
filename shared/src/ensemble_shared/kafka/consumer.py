"""At-least-once batch consumption with bounded retries and a dead-letter topic.

FastStream 0.7's Kafka ack policies do not give this: ACK_FIRST commits on receipt (at most
once), REJECT_ON_ERROR commits a failed message (dropped), NACK_ON_ERROR re-reads it at once and
forever. So subscribers here run with AckPolicy.MANUAL and this module decides:

- a batch is committed only after the handler's effects are stored and its dead letters acked;
- an event the handler keeps failing on is retried a bounded number of times, then parked on the
  stream's dead-letter topic with the error, and the stream goes on;
- an unreachable store or broker is not the event's fault: the batch is retried with backoff and,
  past a budget, rewound to be read again — never dead-lettered, never committed. Which store
  errors are brownouts is decided once, in `ensemble_shared.storage.errors`: only an error that
  says the request is wrong counts against the event;
- anything else that goes wrong outside the handler (publishing a dead letter, the machinery
  itself) rewinds the batch too: a manual-ack subscriber that just raised would be committed
  past by the next batch's commit, losing this one;
- on partition revocation the in-flight batch finishes and commits first (rebalance listener).

Handlers receive whole batches and must be idempotent: a batch may be seen again after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaConnectionError, KafkaError
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaAckableMessage
from faststream.message import StreamMessage
from pydantic import SkipValidation

from ensemble_shared.events import Event, parse_event
from ensemble_shared.logs import correlation_id
from ensemble_shared.metrics import BATCH_SECONDS, CONSUMED, REWOUND, TRANSIENT_WAITS
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.storage import is_store_brownout
from ensemble_shared.topics import Stream, Topics

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
BatchHandler = Callable[[Sequence[E]], Awaitable[None]]
Records = tuple[ConsumerRecord[bytes, bytes], ...]


class TransientError(Exception):
    """Raised by a handler when a dependency is down: wait and retry, never dead-letter."""


def is_transient(exc: BaseException) -> bool:
    """A dependency is down, not the event at fault: wait, retry, never dead-letter."""
    return isinstance(exc, TransientError | KafkaConnectionError) or is_store_brownout(exc)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one event before dead-lettering it, and how long to wait out outages."""

    attempts: int = 3
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0
    outage_budget_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: KafkaSettings) -> RetryPolicy:
        return cls(attempts=settings.retry_attempts, backoff_seconds=settings.retry_backoff_seconds)

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds))


@dataclass(frozen=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    reason: str
    attempts: int


class _OutageOutlasted(Exception):
    """The store or broker stayed down past the budget: rewind the batch and poll again."""


class InFlightGate(ConsumerRebalanceListener):  # type: ignore[misc]
    """Holds a rebalance until the batch in flight is handled and committed.

    Without it, partitions revoked mid-batch are committed by nobody and the new owner redoes
    the work; the handlers would absorb that, but the gate keeps it from happening.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def in_flight(self) -> Any:
        async with self._lock:
            yield

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        async with self._lock:
            return

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return


class ReliableConsumer:
    """Handles one consumer group's batches from one topic (see the module docstring)."""

    def __init__(
        self,
        *,
        group: str,
        topic: str,
        handler: BatchHandler[Event],
        wants: Collection[type[Event]],
        dead_letters: Callable[[DeadLetter, str], Awaitable[None]],
        retry: RetryPolicy,
    ) -> None:
        self.group = group
        self.topic = topic
        self.gate = InFlightGate()
        self._handler = handler
        self._wants = tuple(wants)
        self._dead_letter = dead_letters
        self._retry = retry

    async def consume(self, message: KafkaAckableMessage) -> None:
        started = time.perf_counter()
        async with self.gate.in_flight():
            try:
                records = self._still_assigned(message, message.raw_message)
                events, dead = self._parse(records)
                skipped = len(records) - len(events) - len(dead)
                await self._handle(events, dead)
                await asyncio.gather(*(self._dead_letter(d, self.group) for d in dead))
            except BaseException as exc:
                await self._rewind(message, exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled (shutdown): rewound all the same
                return
            try:
                await message.ack()
            except (CommitFailedError, KafkaError) as exc:
                # The group moved on (rebalance): the new owner re-reads; handlers are idempotent.
                log.warning("commit failed, batch will be redelivered: %s", exc)
                return
        CONSUMED.labels(self.group, self.topic, "handled").inc(len(records) - skipped - len(dead))
        CONSUMED.labels(self.group, self.topic, "dead_lettered").inc(len(dead))
        CONSUMED.labels(self.group, self.topic, "skipped").inc(skipped)
        BATCH_SECONDS.labels(self.group, self.topic).observe(time.perf_counter() - started)

    async def _rewind(self, message: KafkaAckableMessage, exc: BaseException) -> None:
        """Seek back to the batch's first records: nothing of it is committed, and the next
        batch's commit cannot pass over it (the manual-ack subscriber commits positions)."""
        expected = isinstance(exc, _OutageOutlasted | KafkaError) or is_transient(exc)
        if expected:
            log.warning("batch rewound, will be read again: %r", exc)
        elif isinstance(exc, Exception):
            log.error("batch rewound after an unexpected error", exc_info=exc)
        REWOUND.labels(self.group, self.topic).inc()
        try:
            await message.nack()
        except KafkaError as error:  # revoked meanwhile: its new owner reads from the commit
            log.warning("rewind failed, partition moved: %r", error)

    @staticmethod
    def _still_assigned(message: KafkaAckableMessage, records: Records) -> Records:
        """Drop records of partitions revoked while this batch waited for the gate."""
        assignment = getattr(message.consumer, "assignment", None)
        if assignment is None:  # FastStream's in-memory test broker has no assignment
            return records
        assigned = assignment()
        return tuple(r for r in records if TopicPartition(r.topic, r.partition) in assigned)

    def _parse(
        self, records: Records
    ) -> tuple[list[tuple[ConsumerRecord[bytes, bytes], Event]], list[DeadLetter]]:
        events: list[tuple[ConsumerRecord[bytes, bytes], Event]] = []
        dead: list[DeadLetter] = []
        for record in records:
            try:
                event = parse_event(record.value or b"")
            except ValueError as exc:
                dead.append(DeadLetter(record, f"malformed event: {exc}", attempts=0))
                continue
            if isinstance(event, self._wants):
                events.append((record, event))
        return events, dead

    async def _handle(
        self,
        events: list[tuple[ConsumerRecord[bytes, bytes], Event]],
        dead: list[DeadLetter],
    ) -> None:
        if not events:
            return
        try:
            await self._call([event for _, event in events])
            return
        except _OutageOutlasted:
            raise
        except Exception as exc:
            log.warning("batch of %d failed (%r); isolating the failing events", len(events), exc)
        for record, event in events:
            token = correlation_id.set(event.correlation_id)
            try:
                failure = await self._retry_one(event)
            finally:
                correlation_id.reset(token)
            if failure is not None:
                log.error("event %s dead-lettered: %s", event.id, failure)
                dead.append(DeadLetter(record, failure, attempts=self._retry.attempts))

    async def _retry_one(self, event: Event) -> str | None:
        """None once the handler succeeds; the last error when every attempt failed."""
        failure = "not attempted"
        for attempt in range(1, self._retry.attempts + 1):
            try:
                await self._call([event])
                return None
            except _OutageOutlasted:
                raise
            except Exception as exc:
                failure = f"{type(exc).__name__}: {exc}"
                if attempt < self._retry.attempts:
                    await asyncio.sleep(self._retry.delay(attempt))
        return failure

    async def _call(self, events: Sequence[Event]) -> None:
        """The handler, waiting out outages of the store or broker up to the budget."""
        deadline = time.monotonic() + self._retry.outage_budget_seconds
        attempt = 0
        while True:
            try:
                await self._handler(events)
                return
            except Exception as exc:
                if not is_transient(exc):
                    raise
                attempt += 1
                TRANSIENT_WAITS.labels(self.group).inc()
                if time.monotonic() >= deadline:
                    raise _OutageOutlasted(str(exc)) from exc
                delay = min(self._retry.delay(attempt), self._retry.max_backoff_seconds)
                log.warning("dependency unavailable (%r), retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)


def dead_letter_headers(dead: DeadLetter, group: str) -> dict[str, str]:
    """The original headers plus where the record came from and why it was parked."""
    record = dead.record
    headers = {name: value.decode(errors="replace") for name, value in record.headers}
    headers.update(
        {
            "dlt_topic": record.topic,
            "dlt_partition": str(record.partition),
            "dlt_offset": str(record.offset),
            "dlt_group": group,
            "dlt_reason": dead.reason[:2000],
            "dlt_attempts": str(dead.attempts),
            "dlt_failed_at": str(int(time.time() * 1000)),
        }
    )
    return headers


def subscribe_reliably(
    broker: KafkaBroker,
    *,
    topics: Topics,
    stream: Stream,
    group: str,
    handler: BatchHandler[Any],
    wants: Collection[type[Event]] | None = None,
    retry: RetryPolicy | None = None,
    max_records: int = 500,
    description: str | None = None,
) -> ReliableConsumer:
    """Register a batch subscriber for `group` on `stream` with the guarantees above.

    `wants` narrows the event types handed to `handler`; other known types are skipped
    (committed), unknown or malformed ones are dead-lettered.
    """
    topic = topics.topic(stream)
    dlt = topics.dead_letter(stream)
    dlt_publisher = broker.publisher(
        dlt,
        title=f"{dlt}:{group}",
        description=f"Events of {topic} that {group} could not handle, with dlt_* headers.",
    )

    async def publish_dead_letter(dead: DeadLetter, group: str) -> None:
        await dlt_publisher.publish(
            dead.record.value or b"",
            key=dead.record.key,
            headers=dead_letter_headers(dead, group),
        )

    reliable = ReliableConsumer(
        group=group,
        topic=topic,
        handler=handler,
        wants=wants or stream.events,
        dead_letters=publish_dead_letter,
        retry=retry or RetryPolicy(),
    )
    subscriber = broker.subscriber(
        topic,
        group_id=group,
        batch=True,
        max_records=max_records,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=reliable.gate,
        title=f"{topic}:{group}",
        description=description,
    )

    async def parse(records: Records) -> StreamMessage[Records]:
        # Built here rather than by FastStream's parser: that one decodes every header as UTF-8
        # and a single bad header would fail the whole batch before it reached us.
        first, last = records[0], records[-1]
        return KafkaAckableMessage(
            raw_message=records,
            body=[r.value or b"" for r in records],
            message_id=f"{first.topic}-{first.partition}-{first.offset}-{last.offset}",
            consumer=subscriber.consumer,
        )

    async def decode(message: StreamMessage[Records]) -> Any:
        return message.body

    async def consume(body: list[bytes], message: KafkaAckableMessage) -> None:
        await reliable.consume(message)

    # Set as objects, not strings: the payload type is only known here. SkipValidation keeps the
    # schema in the AsyncAPI document while validation stays ours (per event, never per batch).
    consume.__annotations__ = {
        "body": list[SkipValidation[stream.payload_type]],  # type: ignore[name-defined]
        "message": Annotated[KafkaAckableMessage, Context("message")],
        "return": None,
    }
    consume.__doc__ = description
    subscriber(consume, parser=parse, decoder=decode)
    return reliable
