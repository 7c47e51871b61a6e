"""Remembering what could be replied to, so replies are planned on the original platform and
routed for approval by what triage said about the mention."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.replies import ReplyTarget, ReplyTriage
from ensemble_scheduler.storage import ReplyTargetRepository
from ensemble_shared.events import Event, MentionReceivedV1, MentionTriagedV1


class ReplyTargetService:
    def __init__(self, targets: ReplyTargetRepository) -> None:
        self._targets = targets

    async def record(self, events: Sequence[Event]) -> None:
        """Idempotent: a mention is a target once; a triage event is recorded once."""
        targets = [ReplyTarget.of(e) for e in events if isinstance(e, MentionReceivedV1)]
        triaged = [e for e in events if isinstance(e, MentionTriagedV1)]
        targets += [
            ReplyTarget.from_mention(e.data.mention, workspace=e.workspace, at=e.time)
            for e in triaged
        ]
        await self._targets.add_new(targets)
        await self._targets.add_triage(
            [(e.id, e.workspace, e.data.mention.mention_id, ReplyTriage.of(e)) for e in triaged]
        )

    async def list(self, workspace: str, *, limit: int) -> list[ReplyTarget]:
        return await self._targets.list(workspace, limit=limit)

    async def get(self, workspace: str, mention_id: str) -> ReplyTarget | None:
        return await self._targets.get(workspace, mention_id)

    async def triage_of(self, workspace: str, mention_id: str) -> ReplyTriage | None:
        return await self._targets.triage_of(workspace, mention_id)
