"""Turning incoming mentions into stored, announced, deduplicated ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_ingest.exceptions import MentionNotFound
from ensemble_ingest.models.mentions import IncomingMention, IngestOutcome, Mention
from ensemble_ingest.models.sources import Source
from ensemble_ingest.storage import MentionRepository
from ensemble_shared.events import Event, MentionReceivedV1

SOURCE = "ensemble/ingest"


class MentionService:
    def __init__(self, mentions: MentionRepository) -> None:
        self._mentions = mentions

    async def ingest(
        self, source: Source, incoming: Sequence[IncomingMention], *, correlation_id: str
    ) -> list[IngestOutcome]:
        """Store each mention once and announce it once; repeats change nothing.

        One insert and one publish for the whole batch, however many mentions it holds.
        """
        staged: dict[str, tuple[Mention, Sequence[Event]]] = {}
        order: list[str] = []
        for item in incoming:
            mention = Mention.from_incoming(source.workspace, source.id, item)
            order.append(mention.id)
            if mention.id in staged:  # the same mention twice in one batch
                continue
            event = MentionReceivedV1(
                source=SOURCE,
                subject=mention.id,
                workspace=mention.workspace,
                correlation_id=correlation_id,
                data=mention.event_data(),
            )
            staged[mention.id] = (mention, [event])
        inserted = await self._mentions.insert_new(list(staged.values()))
        outcomes: list[IngestOutcome] = []
        for mention_id in order:
            outcomes.append(
                IngestOutcome(mention_id=mention_id, duplicate=mention_id not in inserted)
            )
            inserted.discard(mention_id)
        return outcomes

    async def get(self, workspace: str, mention_id: str) -> Mention:
        mention = await self._mentions.get(workspace, mention_id)
        if mention is None:
            raise MentionNotFound(mention_id)
        return mention

    async def list(self, workspace: str, *, limit: int, before: datetime | None) -> list[Mention]:
        return await self._mentions.list(workspace, limit=limit, before=before)
