"""Keeping the social-mentions projection that suggestions will be drawn from."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_feedback.models.social import SocialMention
from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_shared.events import MentionReceivedV1


class SocialMentionService:
    def __init__(self, mentions: SocialMentionRepository) -> None:
        self._mentions = mentions

    async def record(self, events: Sequence[MentionReceivedV1]) -> None:
        await self._mentions.add_new([SocialMention.of(e) for e in events])

    async def list(self, workspace: str, *, limit: int) -> list[SocialMention]:
        return await self._mentions.list(workspace, limit=limit)
