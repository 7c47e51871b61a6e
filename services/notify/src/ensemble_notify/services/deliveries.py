"""Exactly one delivery per (event, recipient, channel); each attempt claimed by one replica.

Consuming an event only *records* its deliveries (unique ids) and queues them, so Kafka
redeliveries add nothing. Sending happens beside the consumer: attempt n of delivery d is
claimed by inserting `d#n` (a unique key, the lock FerretDB makes reliable); the claim carries a
lease, so an attempt whose process died is counted as spent and the next one is claimed after
the lease runs out. A delivery ends with one outcome, inserted once, with its event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import partial

from ensemble_notify.channels.base import Channel
from ensemble_notify.models.deliveries import (
    AttemptResult,
    ChannelName,
    Delivery,
    DeliveryStatus,
    Outcome,
    QueueEntry,
)
from ensemble_notify.services.policy import Decision, Delivered, DeliveryPolicy, GiveUp, RetryIn
from ensemble_notify.services.recipients import RecipientResolver
from ensemble_notify.services.routing import compose
from ensemble_notify.storage import (
    AttemptLog,
    DeliveryQueue,
    DeliveryRepository,
    EndpointRepository,
)
from ensemble_shared.events import (
    DeliveryData,
    Event,
    NotificationFailedV1,
    NotificationSentV1,
    utcnow,
)
from ensemble_shared.logs import correlation_id
from ensemble_shared.runtime import repeat
from ensemble_shared.storage.claims import ClaimState

log = logging.getLogger(__name__)

SOURCE = "ensemble/notify"


class DeliveryService:
    def __init__(
        self,
        *,
        endpoints: EndpointRepository,
        recipients: RecipientResolver,
        deliveries: DeliveryRepository,
        queue: DeliveryQueue,
        attempts: AttemptLog,
        channels: Mapping[ChannelName, Channel],
        policy: DeliveryPolicy,
        owner: str,
        lease: timedelta,
        concurrency: int,
    ) -> None:
        self._endpoints = endpoints
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

    async def accept(self, events: Sequence[Event]) -> None:
        """Record and queue the deliveries these events call for; start the newly queued.

        Both writes are idempotent and the delivery goes first, so a crash in between is
        mended by Kafka's redelivery. A redelivered event re-queues deliveries that already
        ended; the worker finds their outcome and drops them without sending. A notification
        that cannot be rendered is stored failed at once, with its reason: it never blocks
        the batch it came in.
        """
        planned = compose(await self._recipients.resolve(events), self._channels)
        refused = [delivery for delivery, _ in planned.refused]
        await self._deliveries.insert_new([*planned.ready, *refused])
        for delivery, reason in planned.refused:
            log.warning("notification %s failed before sending: %s", delivery.id, reason)
            outcome = Outcome(
                id=delivery.id,
                workspace=delivery.workspace,
                status=DeliveryStatus.FAILED,
                attempts=0,
                reason=reason,
            )
            await self._deliveries.record_outcome(outcome, _announcement(delivery, outcome))
        queued = await self._queue.enqueue(
            [QueueEntry(id=d.id, workspace=d.workspace) for d in planned.ready]
        )
        self.submit(queued)

    def submit(self, delivery_ids: Sequence[str]) -> None:
        for key in delivery_ids:
            if key not in self._in_flight:
                task = asyncio.create_task(self._run(key), name=f"delivery {key}")
                self._in_flight[key] = task
                task.add_done_callback(partial(self._forget, key))

    def _forget(self, key: str, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(key, None)

    async def _run(self, key: str) -> None:
        try:
            async with self._slots:
                await self.attempt(key)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The claim's lease expires and the sweep takes the delivery up again.
            log.exception("delivery %s attempt crashed", key)

    async def attempt(self, key: str) -> None:
        """Claim the next attempt, send, record; at most one replica sends any attempt."""
        entry = await self._queue.get(key)
        if entry is None:
            return  # ended meanwhile
        if await self._deliveries.outcome(key) is not None:
            await self._queue.remove(key)  # ended, but the queue entry outlived it
            return
        delivery = await self._deliveries.get(key)
        if delivery is None:
            return  # queued ahead of its record; Kafka's redelivery stores it
        token = correlation_id.set(delivery.correlation_id)
        try:
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
                endpoint = await self._endpoints.get(delivery.workspace, delivery.recipient)
                if endpoint is None or not endpoint.enabled:
                    result = AttemptResult(
                        error="the endpoint was deleted or disabled", latency_ms=0
                    )
                    await self._finish(delivery, attempt, result, GiveUp(result.describe()))
                    return
                secrets = endpoint.signing_secrets()
            result = await channel.send(delivery, secrets)
            await self._finish(delivery, attempt, result, self._policy.decide(attempt, result))
        finally:
            correlation_id.reset(token)

    async def _claim_next(self, delivery: Delivery, entry: QueueEntry) -> int | None:
        """The attempt number this process now owns, or None when there is nothing to do."""
        attempt = entry.next_attempt
        while attempt <= self._policy.max_attempts:
            if await self._attempts.claim(
                delivery.id, attempt, owner=self._owner, lease=self._lease
            ):
                return attempt
            state = await self._attempts.state(delivery.id, attempt)
            if state is ClaimState.LIVE:
                return None  # another replica is sending it
            if state is ClaimState.EXPIRED:
                # Its owner died mid-attempt: the receiver may or may not have it; count it spent.
                await self._attempts.finish(delivery.id, attempt, outcome="abandoned")
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
            await self._queue.reschedule(
                delivery.id,
                next_attempt=attempt + 1,
                due_at=utcnow() + timedelta(seconds=decision.seconds),
                status_code=result.status_code,
                error=result.error,
            )
            await self._log_attempt(delivery, attempt, result, decision)
            self._later(decision.seconds, delivery.id)
            return
        status = (
            DeliveryStatus.DELIVERED if isinstance(decision, Delivered) else DeliveryStatus.FAILED
        )
        reason = decision.reason if isinstance(decision, GiveUp) else None
        outcome = Outcome(
            id=delivery.id,
            workspace=delivery.workspace,
            status=status,
            attempts=attempt,
            status_code=result.status_code,
            reason=reason,
        )
        if status is DeliveryStatus.FAILED:
            log.warning("delivery %s failed: %s", delivery.id, reason)
        await self._deliveries.record_outcome(outcome, _announcement(delivery, outcome))
        await self._log_attempt(delivery, attempt, result, decision)
        await self._queue.remove(delivery.id)

    async def _log_attempt(
        self, delivery: Delivery, attempt: int, result: AttemptResult, decision: Decision
    ) -> None:
        await self._attempts.finish(
            delivery.id,
            attempt,
            outcome=decision.outcome,
            status_code=result.status_code,
            error=result.error,
            latency_ms=result.latency_ms,
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

    async def run_sweeps(self, interval: float) -> None:
        await repeat(self.sweep_once, every=interval, what="delivery sweep")

    async def drain(self) -> None:
        """Stop: cancel in-flight attempts (their claims lapse and are retaken elsewhere)."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _announcement(delivery: Delivery, outcome: Outcome) -> Event:
    """notification.sent or notification.failed, caused by the event delivered."""
    chat = delivery.channel in {ChannelName.SLACK, ChannelName.TEAMS}
    data = DeliveryData(
        delivery_id=delivery.id,
        channel="chat" if chat else delivery.channel.value,
        chat=delivery.channel.value if chat else None,
        recipient=delivery.recipient,
        source_event_id=delivery.event_id,
        source_event_type=delivery.event_type,
        attempts=outcome.attempts,
        status_code=outcome.status_code,
        reason=outcome.reason,
    )
    envelope = {
        "source": SOURCE,
        "subject": delivery.id,
        "workspace": delivery.workspace,
        "correlation_id": delivery.correlation_id,
        "causation_id": delivery.event_id,
    }
    if outcome.status is DeliveryStatus.DELIVERED:
        return NotificationSentV1(**envelope, data=data)
    return NotificationFailedV1(**envelope, data=data)
