"""Social mentions as feedback sees them: authors to link to members, texts to suggest from."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from ensemble_shared.events import MentionReceivedV1


class SocialMention(BaseModel):
    """A mention feedback may later turn into a suggestion (issue: mention → board)."""

    mention_id: str
    workspace: str
    platform: str
    author_handle: str
    author_platform_id: str
    excerpt: str
    received_at: datetime

    @classmethod
    def of(cls, event: MentionReceivedV1) -> SocialMention:
        data = event.data
        return cls(
            mention_id=data.mention_id,
            workspace=event.workspace,
            platform=data.platform,
            author_handle=data.author.handle,
            author_platform_id=data.author.id,
            excerpt=data.text[:280],
            received_at=event.time,
        )
