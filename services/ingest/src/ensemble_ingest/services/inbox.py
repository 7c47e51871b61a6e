"""The unified inbox: find mentions, assign them, move them along, note things about them.

Every change is an event stored with the mention (and published), so a mention's timeline is
exactly the events recorded with it.
"""

from __future__ import annotations

from typing import Any

from ensemble_ingest.exceptions import MentionNotFound
from ensemble_ingest.models.mentions import InboxStatus, Mention, MentionPage
from ensemble_ingest.models.search import MentionOrder, MentionQuery
from ensemble_ingest.storage.mentions import MentionRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid
from ensemble_shared.events import (
    Event,
    MentionAssignedData,
    MentionAssignedV1,
    MentionNoteAddedData,
    MentionNoteAddedV1,
    MentionStatusChangedData,
    MentionStatusChangedV1,
    Source,
    envelope,
    new_id,
)
from ensemble_shared.storage.pagination import Position, next_cursor, parse_cursor


class InboxService:
    def __init__(self, mentions: MentionRepository) -> None:
        self._mentions = mentions

    async def search(
        self,
        principal: Principal,
        query: MentionQuery,
        *,
        limit: int,
        cursor: str | None,
        sort: MentionOrder = "newest",
    ) -> MentionPage:
        """A page of the inbox in `sort` order; a made-up cursor, or one of the other order,
        is refused (422)."""
        oldest = sort == "oldest"
        after = parse_cursor(cursor, ascending=oldest)
        items = await self._mentions.search(
            principal.workspace, query, after=after, limit=limit, oldest_first=oldest
        )
        return MentionPage(
            items=items, next_cursor=next_cursor(items, limit, _position, ascending=oldest)
        )

    async def get(self, principal: Principal, mention_id: str) -> Mention:
        mention = await self._mentions.get(principal.workspace, mention_id)
        if mention is None:
            raise MentionNotFound(mention_id)
        return mention

    async def timeline(self, principal: Principal, mention_id: str) -> list[dict[str, Any]]:
        events = await self._mentions.events(principal.workspace, mention_id)
        if events is None:
            raise MentionNotFound(mention_id)
        return events

    async def assign(
        self, principal: Principal, mention_id: str, *, assignee: str | None, team: str | None
    ) -> Mention:
        if assignee is None and team is None:
            raise Invalid("assignee, team: give a person, a team, or both")
        mention = await self.get(principal, mention_id)
        status: InboxStatus = "assigned" if mention.status == "new" else mention.status
        changed = mention.model_copy(
            update={
                "assignee": assignee,
                "team": team,
                "status": status,
                "version": mention.version + 1,
            }
        )
        events: list[Event] = [
            MentionAssignedV1(
                **envelope(Source.INGEST, mention.workspace, mention.id),
                data=MentionAssignedData(
                    mention_id=mention.id, assignee=assignee, team=team, by=principal.subject
                ),
            )
        ]
        if status != mention.status:
            events.append(self._status_event(mention, status, principal))
        return await self._save(mention, changed, events)

    async def set_status(
        self, principal: Principal, mention_id: str, status: InboxStatus
    ) -> Mention:
        mention = await self.get(principal, mention_id)
        if status == mention.status:
            return mention
        changed = mention.model_copy(update={"status": status, "version": mention.version + 1})
        return await self._save(mention, changed, [self._status_event(mention, status, principal)])

    async def add_note(self, principal: Principal, mention_id: str, text: str) -> Mention:
        mention = await self.get(principal, mention_id)
        changed = mention.model_copy(update={"version": mention.version + 1})
        event = MentionNoteAddedV1(
            **envelope(Source.INGEST, mention.workspace, mention.id),
            data=MentionNoteAddedData(
                mention_id=mention.id, note_id=new_id(), author=principal.subject, text=text
            ),
        )
        return await self._save(mention, changed, [event])

    async def _save(self, before: Mention, after: Mention, events: list[Event]) -> Mention:
        if not await self._mentions.update(after, events, previous=before):
            raise Conflict("the mention changed meanwhile; reload it and try again")
        return after

    def _status_event(
        self, mention: Mention, status: InboxStatus, principal: Principal
    ) -> MentionStatusChangedV1:
        return MentionStatusChangedV1(
            **envelope(Source.INGEST, mention.workspace, mention.id),
            data=MentionStatusChangedData(
                mention_id=mention.id, status=status, previous=mention.status, by=principal.subject
            ),
        )


def _position(mention: Mention) -> Position:
    """Where a mention stands in the inbox's order (by arrival, either way)."""
    return mention.received_at, mention.id
