"""The consumer's decisions: commit, retry, dead-letter, rewind — with fakes for Kafka only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka.message import KafkaAckableMessage
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    WriteConcernError,
)

from ensemble_shared.events import Author, Event, MentionData, MentionReceivedV1, utcnow
from ensemble_shared.events.notifications import DeliveryData, NotificationSentV1
from ensemble_shared.kafka.consumer import (
    DeadLetter,
    ReliableConsumer,
    RetryPolicy,
    dead_letter_headers,
)

TOPIC = "t.mentions"
FAST = RetryPolicy(
    attempts=3, backoff_seconds=0.001, max_backoff_seconds=0.002, outage_budget_seconds=0.05
)


def mention(n: int) -> MentionReceivedV1:
    return MentionReceivedV1(
        source="test",
        subject=f"m{n}",
        workspace="acme",
        data=MentionData(
            mention_id=f"m{n}",
            platform="forum",
            external_id=str(n),
            author=Author(id="u", handle="h"),
            text="t",
            created_at=utcnow(),
        ),
    )


def record(value: bytes, offset: int, partition: int = 0) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=TOPIC,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=[("ce_id", b"x")],
    )


class FakeConsumer:
    def __init__(self, assigned: set[TopicPartition]) -> None:
        self._assigned = assigned

    def assignment(self) -> set[TopicPartition]:
        return self._assigned


class FakeMessage:
    def __init__(
        self,
        records: Sequence[ConsumerRecord[bytes, bytes]],
        assigned: frozenset[int] = frozenset({0}),
    ) -> None:
        self.raw_message = tuple(records)
        self.consumer = FakeConsumer({TopicPartition(TOPIC, p) for p in assigned})
        self.acked = 0
        self.nacked = 0

    async def ack(self) -> None:
        self.acked += 1

    async def nack(self) -> None:
        self.nacked += 1


class Recorder:
    def __init__(self, fail_on: frozenset[str] = frozenset(), transient_times: int = 0) -> None:
        self.batches: list[list[str]] = []
        self.calls = 0
        self._fail_on = fail_on
        self._transient_times = transient_times

    async def __call__(self, events: Sequence[Event]) -> None:
        self.calls += 1
        if self._transient_times:
            self._transient_times -= 1
            raise AutoReconnect("store away")
        if any(e.subject in self._fail_on for e in events):
            raise RuntimeError("cannot handle " + ",".join(e.subject for e in events))
        self.batches.append([e.subject for e in events])


def consumer(
    handler: Recorder, dead: list[DeadLetter], wants: tuple[type[Event], ...] = (MentionReceivedV1,)
) -> ReliableConsumer:
    async def park(letter: DeadLetter, group: str) -> None:
        dead.append(letter)

    return ReliableConsumer(
        group="g", topic=TOPIC, handler=handler, wants=wants, dead_letters=park, retry=FAST
    )


async def run(c: ReliableConsumer, message: FakeMessage) -> None:
    await c.consume(cast(KafkaAckableMessage, message))


async def test_a_good_batch_is_handled_once_then_committed() -> None:
    handler, dead = Recorder(), list[DeadLetter]()
    message = FakeMessage([record(mention(i).model_dump_json().encode(), i) for i in range(3)])
    await run(consumer(handler, dead), message)
    assert handler.batches == [["m0", "m1", "m2"]]
    assert (message.acked, message.nacked, dead) == (1, 0, [])


async def test_a_malformed_record_is_dead_lettered_and_the_rest_handled() -> None:
    handler, dead = Recorder(), list[DeadLetter]()
    message = FakeMessage(
        [record(b"\x00garbage", 0), record(mention(1).model_dump_json().encode(), 1)]
    )
    await run(consumer(handler, dead), message)
    assert handler.batches == [["m1"]]
    assert [d.record.offset for d in dead] == [0]
    assert dead[0].reason.startswith("malformed event: not JSON")
    assert message.acked == 1


async def test_an_event_that_keeps_failing_is_retried_then_dead_lettered_alone() -> None:
    handler, dead = Recorder(fail_on=frozenset({"m1"})), list[DeadLetter]()
    message = FakeMessage([record(mention(i).model_dump_json().encode(), i) for i in range(3)])
    await run(consumer(handler, dead), message)
    assert handler.batches == [["m0"], ["m2"]]
    # one batch call, then m0 once, m1 three times, m2 once
    assert handler.calls == 1 + 1 + FAST.attempts + 1
    assert [d.record.offset for d in dead] == [1]
    assert dead[0].attempts == FAST.attempts
    assert "RuntimeError: cannot handle m1" in dead[0].reason
    assert message.acked == 1


async def test_a_short_outage_is_waited_out_without_dead_letters() -> None:
    handler, dead = Recorder(transient_times=2), list[DeadLetter]()
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    await run(consumer(handler, dead), message)
    assert handler.batches == [["m0"]]
    assert (message.acked, dead) == (1, [])


async def test_a_long_outage_rewinds_the_batch_and_commits_nothing() -> None:
    handler, dead = Recorder(transient_times=10_000), list[DeadLetter]()
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    await run(consumer(handler, dead), message)
    assert (message.acked, message.nacked, dead, handler.batches) == (0, 1, [], [])


async def test_known_events_this_group_does_not_want_are_skipped_and_committed() -> None:
    handler, dead = Recorder(), list[DeadLetter]()
    sent = NotificationSentV1(
        source="test",
        subject="d",
        workspace="acme",
        data=DeliveryData(
            delivery_id="d",
            channel="webhook",
            recipient="e",
            source_event_id="x",
            source_event_type="mention.received.v1",
            attempts=1,
        ),
    )
    message = FakeMessage([record(sent.model_dump_json().encode(), 0)])
    await run(consumer(handler, dead), message)
    assert (handler.calls, dead, message.acked) == (0, [], 1)


async def test_records_of_partitions_revoked_meanwhile_are_left_to_their_new_owner() -> None:
    handler, dead = Recorder(), list[DeadLetter]()
    message = FakeMessage(
        [
            record(mention(0).model_dump_json().encode(), 0, partition=0),
            record(mention(1).model_dump_json().encode(), 0, partition=1),
        ],
        assigned=frozenset({1}),
    )
    await run(consumer(handler, dead), message)
    assert handler.batches == [["m1"]]


async def test_a_rebalance_waits_for_the_batch_in_flight() -> None:
    release = asyncio.Event()
    order: list[str] = []

    async def slow(events: Sequence[Event]) -> None:
        order.append("handling")
        await release.wait()
        order.append("handled")

    c = ReliableConsumer(
        group="g",
        topic=TOPIC,
        handler=slow,
        wants=(MentionReceivedV1,),
        dead_letters=_never,
        retry=FAST,
    )
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    batch = asyncio.create_task(run(c, message))
    await asyncio.sleep(0.01)
    revoke = asyncio.create_task(c.gate.on_partitions_revoked({TopicPartition(TOPIC, 0)}))
    await asyncio.sleep(0.01)
    assert not revoke.done()
    release.set()
    await asyncio.gather(batch, revoke)
    order.append("revoked")
    assert order == ["handling", "handled", "revoked"]
    assert message.acked == 1


async def _never(letter: DeadLetter, group: str) -> None:
    raise AssertionError(f"unexpected dead letter: {letter.reason}")


def test_dead_letters_carry_where_they_came_from_and_why() -> None:
    letter = DeadLetter(record(b"x", 41, partition=2), "RuntimeError: boom", attempts=3)
    headers: dict[str, Any] = dead_letter_headers(letter, "t.notify")
    assert headers["ce_id"] == "x"
    assert (headers["dlt_topic"], headers["dlt_partition"], headers["dlt_offset"]) == (
        TOPIC,
        "2",
        "41",
    )
    assert (headers["dlt_group"], headers["dlt_reason"], headers["dlt_attempts"]) == (
        "t.notify",
        "RuntimeError: boom",
        "3",
    )


@pytest.mark.parametrize(("attempt", "expected"), [(1, 0.2), (2, 0.4), (3, 0.8), (10, 5.0)])
def test_retry_delays_double_up_to_a_cap(attempt: int, expected: float) -> None:
    assert RetryPolicy().delay(attempt) == pytest.approx(expected)


class Flaky:
    """A handler the store fails with `error` the first `times` calls."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.times, self.handled = error, times, list[str]()

    async def __call__(self, events: Sequence[Event]) -> None:
        if self.times:
            self.times -= 1
            raise self.error
        self.handled.extend(e.subject for e in events)


BROWNOUTS = [
    NetworkTimeout("timed out"),
    ExecutionTimeout("operation exceeded time limit", 50),
    WriteConcernError("waiting for replication timed out", 64),
    OperationFailure("database is locked", 1),
    BulkWriteError({"writeErrors": [{"index": 0, "code": 91, "errmsg": "shutdown"}]}),
]


@pytest.mark.parametrize("error", BROWNOUTS, ids=repr)
async def test_a_store_brownout_of_any_kind_is_waited_out_never_dead_lettered(
    error: Exception,
) -> None:
    handler, dead = Flaky(error, times=5), list[DeadLetter]()
    c = ReliableConsumer(
        group="g",
        topic=TOPIC,
        handler=handler,
        wants=(MentionReceivedV1,),
        dead_letters=_never,
        retry=RetryPolicy(attempts=3, backoff_seconds=0.001, max_backoff_seconds=0.002),
    )
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    await run(c, message)
    assert (handler.handled, message.acked, dead) == (["m0"], 1, [])


@pytest.mark.parametrize("error", BROWNOUTS, ids=repr)
async def test_a_store_brownout_past_the_budget_rewinds_the_batch(error: Exception) -> None:
    handler = Flaky(error, times=10_000)
    c = ReliableConsumer(
        group="g",
        topic=TOPIC,
        handler=handler,
        wants=(MentionReceivedV1,),
        dead_letters=_never,
        retry=FAST,
    )
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    await run(c, message)
    assert (message.acked, message.nacked) == (0, 1)


async def test_a_store_error_about_the_request_is_dead_lettered() -> None:
    handler, dead = (
        Flaky(OperationFailure("unknown operator: $bogus", 2), 10_000),
        list[DeadLetter](),
    )
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    await run(consumer(cast(Recorder, handler), dead), message)
    assert [d.record.offset for d in dead] == [0]
    assert "OperationFailure" in dead[0].reason
    assert message.acked == 1


class Partition:
    """One partition as aiokafka's consumer sees it: reading moves the position, `commit()`
    commits that position (as a manual-ack commit does), `seek` moves it back."""

    def __init__(self, values: Sequence[bytes]) -> None:
        self.records = [record(value, offset) for offset, value in enumerate(values)]
        self.position = self.committed = 0
        self.commits: list[int] = []

    def poll(self, most: int) -> KafkaAckableMessage:
        batch = tuple(self.records[self.position : self.position + most])
        self.position += len(batch)
        return KafkaAckableMessage(
            raw_message=batch, body=[r.value for r in batch], message_id="b", consumer=self
        )

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(TOPIC, 0)}

    async def commit(self) -> None:
        self.committed = self.position
        self.commits.append(self.position)

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.position = offset


async def test_an_unexpected_error_rewinds_the_batch_and_nothing_is_committed_past_it() -> None:
    partition = Partition(
        [mention(0).model_dump_json().encode(), b"\x00poison"]
        + [mention(n).model_dump_json().encode() for n in range(2, 6)]
    )
    handler, parked, failures = Recorder(), list[int](), [RuntimeError("producer closed")]

    async def park(letter: DeadLetter, group: str) -> None:
        if failures:  # the dead-letter topic refuses once, with an error nobody expected
            raise failures.pop()
        parked.append(letter.record.offset)

    c = ReliableConsumer(
        group="g",
        topic=TOPIC,
        handler=handler,
        wants=(MentionReceivedV1,),
        dead_letters=park,
        retry=FAST,
    )
    while partition.position < len(partition.records):
        await c.consume(partition.poll(2))
    assert parked == [1]  # the poison is parked, not lost behind a later commit
    handled = [s for batch in handler.batches for s in batch]
    assert set(handled) == {"m0", "m2", "m3", "m4", "m5"}  # m0 twice: its batch was re-read
    assert partition.commits == [2, 4, 6]  # the failed batch was never committed past


async def test_a_batch_cancelled_midway_is_rewound_and_the_cancel_goes_on() -> None:
    async def cancelled(events: Sequence[Event]) -> None:
        raise asyncio.CancelledError

    c = ReliableConsumer(
        group="g",
        topic=TOPIC,
        handler=cancelled,
        wants=(MentionReceivedV1,),
        dead_letters=_never,
        retry=FAST,
    )
    message = FakeMessage([record(mention(0).model_dump_json().encode(), 0)])
    with pytest.raises(asyncio.CancelledError):
        await run(c, message)
    assert (message.acked, message.nacked) == (0, 1)
