"""Reading deliveries back: definition, queue and outcome put together for people."""

from __future__ import annotations

from typing import Any

from ensemble_notify.models.deliveries import (
    AttemptEntry,
    DeliveryDetail,
    DeliveryStatus,
    DeliveryView,
)
from ensemble_notify.storage import AttemptLog, DeliveryQueue, DeliveryRepository
from ensemble_shared.errors import NotFound

MAX_REPLAYS_SHOWN = 50


class DeliveryLog:
    def __init__(
        self, deliveries: DeliveryRepository, queue: DeliveryQueue, attempts: AttemptLog
    ) -> None:
        self._deliveries = deliveries
        self._queue = queue
        self._attempts = attempts

    async def page(
        self, workspace: str, *, status: DeliveryStatus | None, limit: int
    ) -> list[DeliveryView]:
        if status is DeliveryStatus.PENDING:
            ids = [entry.id for entry in await self._queue.pending(workspace, limit=limit)]
            # A queue entry outlives its outcome until the next batched removal: not pending.
            views = await self._views(ids)
            return [v for v in views if v.status is DeliveryStatus.PENDING]
        elif status is not None:
            ids = [
                outcome.id
                for outcome in await self._deliveries.finished(workspace, status, limit=limit)
            ]
        else:
            ids = [d.id for d in await self._deliveries.recent(workspace, limit=limit)]
        return await self._views(ids)

    async def get(
        self, workspace: str, delivery_id: str
    ) -> tuple[DeliveryView, list[dict[str, Any]]]:
        views = await self._views([delivery_id])
        if not views or views[0].workspace != workspace:
            raise NotFound(f"no delivery {delivery_id!r}")
        return views[0], _settled(views[0], await self._attempts.of(delivery_id))

    async def detail(self, workspace: str, delivery_id: str) -> DeliveryDetail:
        """The delivery, its attempts (status code, latency, error each) and its replays."""
        view, attempts = await self.get(workspace, delivery_id)
        replays = await self._deliveries.replays_of(delivery_id, limit=MAX_REPLAYS_SHOWN)
        return DeliveryDetail(
            **view.model_dump(),
            attempt_log=[AttemptEntry.model_validate(a) for a in attempts],
            replays=await self._views([r.id for r in replays]),
        )

    async def _views(self, ids: list[str]) -> list[DeliveryView]:
        deliveries = await self._deliveries.many(ids)
        outcomes = await self._deliveries.outcomes_of(ids)
        queued = await self._queue.many(ids)
        return [
            DeliveryView.of(deliveries[i], queued.get(i), outcomes.get(i))
            for i in ids
            if i in deliveries
        ]


def _settled(view: DeliveryView, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last attempt as its outcome tells it, while its own result is still being written
    (the outcome goes first, so no other replica ever re-sends a finished delivery)."""
    if view.status is DeliveryStatus.PENDING or not attempts:
        return attempts
    last = attempts[-1]
    if "outcome" in last or last.get("attempt") != view.attempts:
        return attempts
    settled = {**last, "outcome": view.status.value, "status_code": view.last_status_code}
    return [*attempts[:-1], settled]
