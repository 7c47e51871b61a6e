"""Remembering what could be replied to, so replies are planned on the original platform."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.replies import ReplyTarget
from ensemble_scheduler.storage import ReplyTargetRepository
from ensemble_shared.events import MentionReceivedV1


class ReplyTargetService:
    def __init__(self, targets: ReplyTargetRepository) -> None:
        self._targets = targets

    async def record(self, events: Sequence[MentionReceivedV1]) -> None:
        await self._targets.add_new([ReplyTarget.of(e) for e in events])

    async def list(self, workspace: str, *, limit: int) -> list[ReplyTarget]:
        return await self._targets.list(workspace, limit=limit)
