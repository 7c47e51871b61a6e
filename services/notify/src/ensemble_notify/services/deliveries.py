"""Exactly one delivery per (event, recipient, channel); each attempt claimed by one replica.

Consuming an event only *records* its deliveries (unique ids) and queues them, so Kafka
redeliveries add nothing. Sending happens beside the consumer: attempt n of delivery d is
claimed by inserting `d#n` (a unique key, the lock FerretDB makes reliable); the claim carries a
lease, so an attempt whose process died is counted as spent and the next one is claimed after
the lease runs out. A delivery ends with one outcome, inserted once, with its event.

Fan-out is batched end to end, since FerretDB charges per write, not per document:
- in-app deliveries are inbox inserts keyed by the delivery id, idempotent by themselves: a
  consumed batch's items, outcomes (with their notification.sent events) and attempt log go
  in a few bulk writes before the batch is acknowledged; no queue, claims or retries (a failed
  write fails the batch and Kafka redelivers it);
- other channels are queued in bulk; a delivery recorded by this very batch starts from what
  is in hand (no re-reads), and every delivery's claim, endpoint read, outcome and attempt
  result share bulk writes with the others in flight (`GroupCommit`). Each attempt still holds
  one of `concurrency` slots from its claim to its recorded result, so a crash leaves at most
  that many attempts half-done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from ensemble_notify.channels.base import BulkChannel, Channel
from ensemble_notify.models.breaker import BreakerState, Wait
from ensemble_notify.models.deliveries import (
    AttemptResult,
    ChannelName,
    Delivery,
    DeliveryStatus,
    Outcome,
    QueueEntry,
)
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.models.notifications import Notification
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.services.composition import compose
from ensemble_notify.services.outcomes import ended
from ensemble_notify.services.policy import Decision, Delivered, DeliveryPolicy, GiveUp, RetryIn
from ensemble_notify.services.recipients import RecipientResolver
from ensemble_notify.storage import (
    AttemptLog,
    DeliveryQueue,
    DeliveryRepository,
    EndpointRepository,
    PeopleRepository,
)
from ensemble_shared.events import Event, utcnow
from ensemble_shared.group_commit import GroupCommit
from ensemble_shared.logs import correlation_id
from ensemble_shared.storage import through_brownouts
from ensemble_shared.storage.claims import ClaimState

log = logging.getLogger(__name__)


class DeliveryService:
    def __init__(
        self,
        *,
        endpoints: EndpointRepository,
        people: PeopleRepository,
        recipients: RecipientResolver,
        deliveries: DeliveryRepository,
        queue: DeliveryQueue,
        attempts: AttemptLog,
        channels: Mapping[ChannelName, Channel],
        policy: DeliveryPolicy,
        breakers: Breakers,
        owner: str,
        lease: timedelta,
        concurrency: int,
        backlog: int = 1000,
    ) -> None:
        self._endpoints = endpoints
        self._people = people
        self._recipients = recipients
        self._deliveries = deliveries
        self._queue = queue
        self._attempts = attempts
        self._channels = channels
        self._policy = policy
        self._owner = owner
        self._lease = lease
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._breakers = breakers
        self._held: dict[str, set[str]] = {}  # endpoint -> deliveries this process held back
        self._ended: set[str] = set()  # queue entries to remove, in one delete per flush
        self._backlog = backlog
        self._room = asyncio.Event()  # set when fewer than `backlog` deliveries are in flight
        self._claims = GroupCommit(self._claim_many)
        self._endpoint_reads = GroupCommit(self._endpoints_many)
        self._departure_reads = GroupCommit(self._departed_many)
        self._outcomes = GroupCommit(deliveries.record_outcomes)
        self._results = GroupCommit(attempts.finish_many)
        self._logging: set[asyncio.Task[bool]] = set()  # attempt results written after the slot

    async def _claim_many(self, attempts: list[tuple[str, int]]) -> list[bool]:
        return await self._attempts.claim_many(attempts, owner=self._owner, lease=self._lease)

    async def _endpoints_many(self, keys: list[tuple[str, str]]) -> list[Endpoint | None]:
        found = await self._endpoints.many(keys)
        return [found.get(key) for key in keys]

    async def _departed_many(self, keys: list[tuple[str, str]]) -> list[bool]:
        gone = await self._people.departed(keys)
        return [key in gone for key in keys]

    async def accept(self, events: Sequence[Event]) -> None:
        """Record and queue the deliveries these events call for; start the newly queued.

        Both writes are idempotent and the delivery goes first, so a crash in between is
        mended by Kafka's redelivery. A redelivered event re-queues deliveries that already
        ended; the worker finds their outcome and drops them without sending. A notification
        that cannot be rendered is stored failed at once, with its reason: it never blocks
        the batch it came in. Consuming waits while `backlog` deliveries are still being
        sent here: the queue (updated and deleted from, so scanned on FerretDB) stays small.
        """
        while len(self._in_flight) >= self._backlog:
            self._room.clear()
            await self._room.wait()
        await self.deliver(await self._recipients.resolve(events))

    async def deliver(self, notifications: Sequence[Notification]) -> None:
        """Record, queue and start these resolved notifications (also how held ones, digests
        and quiet-hour releases, go out): idempotent by delivery id, as `accept` is."""
        composed = compose(notifications, self._channels)
        refused = [delivery for delivery, _ in composed.refused]
        new = set(await self._deliveries.insert_new([*composed.ready, *refused]))
        failed: list[tuple[Outcome, Event]] = []
        for delivery, reason in composed.refused:
            log.warning("notification %s failed before sending: %s", delivery.id, reason)
            failed.append(ended(delivery, DeliveryStatus.FAILED, attempts=0, reason=reason))
        if failed:
            await self._deliveries.record_outcomes(failed)
        rest = list(composed.ready)
        inbox = self._channels.get(ChannelName.IN_APP)
        if isinstance(inbox, BulkChannel):
            in_app = [d for d in rest if d.channel is ChannelName.IN_APP]
            if in_app:
                await self._deliver_at_once(inbox, in_app)
            rest = [d for d in rest if d.channel is not ChannelName.IN_APP]
        queued = set(
            await self._queue.enqueue([QueueEntry(id=d.id, workspace=d.workspace) for d in rest])
        )
        # Recorded by this call: no outcome, no claim yet, the definition in hand.
        self.submit([d.id for d in rest if d.id in queued and d.id not in new])
        self.start([d for d in rest if d.id in queued and d.id in new])

    async def _deliver_at_once(self, channel: BulkChannel, deliveries: Sequence[Delivery]) -> None:
        """Idempotent bulk delivery (the inbox), its outcomes and events, and its attempt log.

        Redone whole when Kafka redelivers the batch: the items, outcomes and attempts already
        written are duplicates and change nothing; no event is announced twice.
        """
        result = await channel.send_many(deliveries)
        await self._deliveries.record_outcomes(
            [ended(d, DeliveryStatus.DELIVERED, attempts=1) for d in deliveries]
        )
        attempts = [(d.id, 1) for d in deliveries]
        await self._attempts.claim_many(attempts, owner=self._owner, lease=self._lease)
        logged = {"outcome": "delivered", "latency_ms": result.latency_ms}
        await self._attempts.finish_many([(d.id, 1, logged) for d in deliveries])

    def submit(self, delivery_ids: Sequence[str]) -> None:
        """Start deliveries known only by id (the sweep, retries, replays): read, then send."""
        for key in delivery_ids:
            self._start(key, None)

    def start(self, deliveries: Sequence[Delivery]) -> None:
        """Start deliveries this process recorded and queued just now: nothing to re-read."""
        for delivery in deliveries:
            self._start(delivery.id, delivery)

    def _start(self, key: str, fresh: Delivery | None) -> None:
        if key not in self._in_flight:
            task = asyncio.create_task(self._run(key, fresh), name=f"delivery {key}")
            self._in_flight[key] = task
            task.add_done_callback(partial(self._forget, key))

    def _forget(self, key: str, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(key, None)
        if len(self._in_flight) < self._backlog:
            self._room.set()

    async def _run(self, key: str, fresh: Delivery | None) -> None:
        try:
            async with self._slots:
                await self.attempt(key, fresh)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The claim's lease expires and the sweep takes the delivery up again.
            log.exception("delivery %s attempt crashed", key)

    async def attempt(self, key: str, fresh: Delivery | None = None) -> None:
        """Claim the next attempt, send, record; at most one replica sends any attempt.

        `fresh`: a delivery this process recorded and queued itself just now, so it has no
        outcome and its next attempt is the first (the claim still decides who sends it).
        """
        if fresh is not None:
            entry: QueueEntry | None = QueueEntry(id=key, workspace=fresh.workspace)
            delivery: Delivery | None = fresh
        else:
            entry = await self._queue.get(key)
            if entry is None:
                return  # ended meanwhile
            if await self._deliveries.outcome(key) is not None:
                self._ended.add(key)  # ended, but the queue entry outlived it
                return
            delivery = await self._deliveries.get(key)
        if delivery is None or entry is None:
            return  # queued ahead of its record; Kafka's redelivery stores it
        token = correlation_id.set(delivery.correlation_id)
        try:
            probe = False
            if delivery.recipient_kind == "endpoint":
                self._held.get(delivery.recipient, set()).discard(key)
                verdict = await self._breakers.admit(delivery.workspace, delivery.recipient)
                if isinstance(verdict, Wait):
                    await self._hold(delivery, verdict)
                    return
                probe = verdict.probe
            attempt = await self._claim_next(delivery, entry)
            if attempt is None:
                return
            channel = self._channels.get(delivery.channel)
            if channel is None:
                result = AttemptResult(error=f"no {delivery.channel} channel", latency_ms=0)
                await self._finish(delivery, attempt, result, GiveUp(result.describe()))
                return
            secrets: list[str] = []
            if delivery.recipient_kind == "endpoint":
                # Read fresh at each attempt (a rotated secret signs at once), one read for many.
                endpoint = await self._endpoint_reads((delivery.workspace, delivery.recipient))
                if endpoint is None or not endpoint.enabled:
                    result = AttemptResult(
                        error="the endpoint was deleted or disabled", latency_ms=0
                    )
                    await self._finish(delivery, attempt, result, GiveUp(result.describe()))
                    return
                secrets = endpoint.signing_secrets()
            elif await self._departure_reads((delivery.workspace, delivery.recipient)):
                # Queued before they left (a retry, a digest): they are no longer told.
                result = AttemptResult(error="the person left the workspace", latency_ms=0)
                await self._finish(delivery, attempt, result, GiveUp(result.describe()))
                return
            result = await channel.send(delivery, secrets)
            await self._finish(delivery, attempt, result, self._policy.decide(attempt, result))
            if delivery.recipient_kind == "endpoint":
                moved = await self._breakers.record(
                    delivery.workspace, delivery.recipient, result, probe=probe
                )
                if moved is BreakerState.CLOSED:
                    self.submit(sorted(self._held.pop(delivery.recipient, set())))
        finally:
            correlation_id.reset(token)

    async def _hold(self, delivery: Delivery, wait: Wait) -> None:
        """The endpoint's breaker is open: wait for it without spending an attempt. This
        process takes it up again when the breaker closes here, or when the wait is over."""
        await self._queue.hold(
            delivery.id, until=wait.until, reason="the endpoint's circuit breaker is open"
        )
        self._held.setdefault(delivery.recipient, set()).add(delivery.id)
        self._later(max(0.0, (wait.until - utcnow()).total_seconds()), delivery.id)

    async def _claim_next(self, delivery: Delivery, entry: QueueEntry) -> int | None:
        """The attempt number this process now owns, or None when there is nothing to do."""
        attempt = entry.next_attempt
        while attempt <= self._policy.max_attempts:
            if await self._claims((delivery.id, attempt)):
                return attempt
            state = await self._attempts.state(delivery.id, attempt)
            if state is ClaimState.LIVE:
                return None  # another replica is sending it
            if state is ClaimState.EXPIRED:
                # Its owner died mid-attempt: the receiver may or may not have it; count it spent.
                await self._attempts.finish(delivery.id, attempt, outcome="abandoned")
            if state is ClaimState.FINISHED and await self._deliveries.outcome(delivery.id):
                self._ended.add(delivery.id)  # another replica ended it; its entry lingers
                return None
            current = await self._queue.get(delivery.id)
            if current is None:
                return None  # ended meanwhile; our copy was stale
            attempt = max(attempt + 1, current.next_attempt)
        await self._finish(
            delivery,
            self._policy.max_attempts,
            AttemptResult(error="attempts abandoned by stopped processes", latency_ms=0),
            GiveUp("gave up: every attempt was abandoned by a stopped process"),
        )
        return None

    async def _finish(
        self, delivery: Delivery, attempt: int, result: AttemptResult, decision: Decision
    ) -> None:
        """Record what the attempt decided. The queue or outcome is written before the
        attempt's result, so a finished attempt always means the delivery's state moved on."""
        if isinstance(decision, RetryIn):
            await self._recording(
                lambda: self._queue.reschedule(
                    delivery.id,
                    next_attempt=attempt + 1,
                    due_at=utcnow() + timedelta(seconds=decision.seconds),
                    status_code=result.status_code,
                    error=result.error,
                )
            )
            await self._log_attempt(delivery, attempt, result, decision)
            self._later(decision.seconds, delivery.id)
            return
        status = (
            DeliveryStatus.DELIVERED if isinstance(decision, Delivered) else DeliveryStatus.FAILED
        )
        reason = decision.reason if isinstance(decision, GiveUp) else None
        if status is DeliveryStatus.FAILED:
            log.warning("delivery %s failed: %s", delivery.id, reason)
        outcome = ended(
            delivery, status, attempts=attempt, status_code=result.status_code, reason=reason
        )
        await self._recording(lambda: self._outcomes(outcome))
        # Ended: nothing resends it now, so its slot is free before the result is written (a
        # crash meanwhile loses only the latency: the log tells the attempt by its outcome).
        task = asyncio.create_task(self._log_attempt(delivery, attempt, result, decision))
        self._logging.add(task)
        task.add_done_callback(self._logged)
        # A delete scans the whole queue on FerretDB: remove ended entries in batches. An
        # entry that outlives its outcome is harmless (`attempt` finds the outcome first).
        self._ended.add(delivery.id)

    async def _recording(self, write: Callable[[], Awaitable[Any]]) -> None:
        """What an attempt decided, written through a store brownout: failing here would let
        the lease lapse and the attempt be sent again. Within half the lease, so a replica
        never retakes an attempt whose result is still being written."""
        budget = self._lease.total_seconds() / 2
        await through_brownouts(write, budget_seconds=budget, what="a delivery's result")

    def _logged(self, task: asyncio.Task[bool]) -> None:
        self._logging.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("an attempt result was not written: %r", task.exception())

    async def _log_attempt(
        self, delivery: Delivery, attempt: int, result: AttemptResult, decision: Decision
    ) -> bool:
        return await self._results(
            (
                delivery.id,
                attempt,
                {
                    "outcome": decision.outcome,
                    "status_code": result.status_code,
                    "error": result.error,
                    "latency_ms": result.latency_ms,
                },
            )
        )

    def _later(self, seconds: float, key: str) -> None:
        """Retry in this process when due; the sweep covers it if the process stops first."""

        def resubmit() -> None:
            if key in self._in_flight:  # the attempt that scheduled us is still recording
                asyncio.get_running_loop().call_later(0.05, resubmit)
            else:
                self.submit([key])

        asyncio.get_running_loop().call_later(seconds, resubmit)

    async def sweep_once(self, limit: int = 500) -> int:
        """Start deliveries that are due and not being sent here; returns how many."""
        due = await self._queue.due(utcnow(), limit=limit)
        fresh = [entry.id for entry in due if entry.id not in self._in_flight]
        self.submit(fresh)
        return len(fresh)

    async def flush_ended(self) -> int:
        """Remove the queue entries of deliveries that ended; returns how many."""
        ended, self._ended = self._ended, set()
        if ended:
            try:
                await self._queue.remove_many(sorted(ended))
            except Exception:
                self._ended |= ended  # next flush
                raise
        return len(ended)

    async def drain(self) -> None:
        """Stop: cancel in-flight attempts (their claims lapse and are retaken elsewhere)."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*self._logging, return_exceptions=True)  # results already sent
        for batch in (self._claims, self._endpoint_reads, self._outcomes, self._results):
            batch.close()
        with contextlib.suppress(Exception):  # best effort: the sweep mends what is left
            await self.flush_ended()
