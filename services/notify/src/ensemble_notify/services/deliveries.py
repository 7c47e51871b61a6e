"""Exactly one delivery per (event, endpoint); each attempt claimed by one replica only.

Consuming an event only *records* its deliveries (unique ids), so Kafka redeliveries add
nothing. Sending happens beside the consumer: attempt n of delivery d is claimed by inserting
`d#n` (a unique key, the lock FerretDB makes reliable); the claim carries a lease, so an attempt
whose process died is counted as spent and the next one is claimed after the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from ensemble_notify.models.deliveries import AttemptResult, Delivery, DeliveryStatus
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.services.policy import Decision, Delivered, DeliveryPolicy, GiveUp, RetryIn
from ensemble_notify.services.routing import plan_deliveries
from ensemble_notify.storage import AttemptLog, DeliveryRepository, EndpointRepository
from ensemble_shared.events import (
    DeliveryData,
    Event,
    NotificationFailedV1,
    NotificationSentV1,
    utcnow,
)
from ensemble_shared.logs import correlation_id
from ensemble_shared.storage.claims import ClaimState

log = logging.getLogger(__name__)

SOURCE = "ensemble/notify"


class Sender(Protocol):
    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult: ...


class DeliveryService:
    def __init__(
        self,
        *,
        endpoints: EndpointRepository,
        deliveries: DeliveryRepository,
        attempts: AttemptLog,
        sender: Sender,
        policy: DeliveryPolicy,
        owner: str,
        lease: timedelta,
        concurrency: int,
    ) -> None:
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._attempts = attempts
        self._sender = sender
        self._policy = policy
        self._owner = owner
        self._lease = lease
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[str, asyncio.Task[None]] = {}

    async def accept(self, events: Sequence[Event]) -> None:
        """Record the deliveries these events call for; send the ones that are new."""
        workspaces = {event.workspace for event in events}
        endpoints = await self._endpoints.enabled_by_workspace(workspaces)
        planned = plan_deliveries(events, endpoints)
        new_ids = set(await self._deliveries.insert_new(planned))
        self.submit([d for d in planned if d.id in new_ids])

    def submit(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            if delivery.id not in self._in_flight:
                task = asyncio.create_task(self._run(delivery), name=f"delivery {delivery.id}")
                self._in_flight[delivery.id] = task
                task.add_done_callback(lambda _, key=delivery.id: self._in_flight.pop(key, None))

    async def _run(self, delivery: Delivery) -> None:
        token = correlation_id.set(delivery.correlation_id)
        try:
            async with self._slots:
                await self.attempt(delivery)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The claim's lease expires and the sweep takes the delivery up again.
            log.exception("delivery %s attempt crashed", delivery.id)
        finally:
            correlation_id.reset(token)

    async def attempt(self, delivery: Delivery) -> None:
        """Claim the next attempt, send, record; at most one replica sends any attempt."""
        attempt = await self._claim_next(delivery)
        if attempt is None:
            return
        endpoint = await self._endpoints.get(delivery.workspace, delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            result = AttemptResult(error="the endpoint was deleted or disabled", latency_ms=0)
            await self._finish(delivery, attempt, result, GiveUp(result.describe()))
            return
        result = await self._sender.send(delivery, endpoint.secrets)
        await self._finish(delivery, attempt, result, self._policy.decide(attempt, result))

    async def _claim_next(self, delivery: Delivery) -> int | None:
        """The attempt number this process now owns, or None when there is nothing to do."""
        attempt = delivery.attempts + 1
        while attempt <= self._policy.max_attempts:
            if await self._attempts.claim(delivery.id, attempt, owner=self._owner, lease=self._lease):
                return attempt
            state = await self._attempts.state(delivery.id, attempt)
            if state is ClaimState.LIVE:
                return None  # another replica is sending it
            current = await self._deliveries.current(delivery.id)
            if current is None or current.status is not DeliveryStatus.PENDING:
                return None  # done meanwhile; our copy was stale
            if state is ClaimState.EXPIRED:
                # Its owner died mid-attempt: the receiver may or may not have it; count it spent.
                await self._attempts.finish(delivery.id, attempt, outcome="abandoned")
            attempt = max(attempt, current.attempts) + 1
        await self._finish(
            delivery,
            self._policy.max_attempts,
            AttemptResult(error="attempts abandoned by stopped processes", latency_ms=0),
            GiveUp("gave up: every attempt was abandoned by a stopped process"),
        )
        return None

    async def _finish(
        self,
        delivery: Delivery,
        attempt: int,
        result: AttemptResult,
        decision: Decision,
    ) -> None:
        now = utcnow()
        if isinstance(decision, RetryIn):
            retry_at = now + timedelta(seconds=decision.seconds)
            await self._deliveries.reschedule(delivery.id, attempt, result, retry_at)
            await self._log_attempt(delivery, attempt, result, decision)
            self._later(decision.seconds, delivery.model_copy(update={"attempts": attempt}))
            return
        status = DeliveryStatus.DELIVERED if isinstance(decision, Delivered) else DeliveryStatus.FAILED
        reason = decision.reason if isinstance(decision, GiveUp) else None
        data = DeliveryData(
            delivery_id=delivery.id,
            channel="webhook",
            recipient=delivery.endpoint_id,
            source_event_id=delivery.event_id,
            source_event_type=delivery.event_type,
            attempts=attempt,
            status_code=result.status_code,
            reason=reason,
        )
        envelope = {
            "source": SOURCE,
            "subject": delivery.id,
            "workspace": delivery.workspace,
            "correlation_id": delivery.correlation_id,
            "causation_id": delivery.event_id,
        }
        event: Event = (
            NotificationSentV1(**envelope, data=data)
            if status is DeliveryStatus.DELIVERED
            else NotificationFailedV1(**envelope, data=data)
        )
        if status is DeliveryStatus.FAILED:
            log.warning("delivery %s failed: %s", delivery.id, reason)
        await self._deliveries.finish(delivery.id, attempt, result, status, reason, event)
        await self._log_attempt(delivery, attempt, result, decision)

    async def _log_attempt(
        self, delivery: Delivery, attempt: int, result: AttemptResult, decision: Decision
    ) -> None:
        """After the delivery record: a finished claim always means the delivery is up to date."""
        await self._attempts.finish(
            delivery.id,
            attempt,
            outcome=decision.outcome,
            status_code=result.status_code,
            error=result.error,
            latency_ms=result.latency_ms,
        )

    def _later(self, seconds: float, delivery: Delivery) -> None:
        """Retry in this process when due; the sweep covers it if the process stops first."""
        loop = asyncio.get_running_loop()
        loop.call_later(seconds, lambda: self.submit([delivery]))

    async def sweep_once(self, limit: int = 500) -> int:
        """Submit deliveries that are due and not being sent here; returns how many."""
        due = await self._deliveries.due(utcnow(), limit=limit)
        fresh = [d for d in due if d.id not in self._in_flight]
        self.submit(fresh)
        return len(fresh)

    async def run_sweeps(self, interval: float) -> None:
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("delivery sweep failed: %r", exc)
            await asyncio.sleep(interval)

    async def drain(self) -> None:
        """Stop: cancel in-flight attempts (their claims lapse and are retaken elsewhere)."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
