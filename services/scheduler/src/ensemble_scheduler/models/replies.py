"""Reply targets: mentions a reply may be drafted to, on the platform they came from, with
what triage said about them (approval rules route replies by sentiment and priority)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from ensemble_shared.events import MentionData, MentionReceivedV1, MentionTriagedV1


class ReplyTriage(BaseModel):
    sentiment: str
    priority: str
    tags: tuple[str, ...] = ()
    triaged_at: datetime

    @classmethod
    def of(cls, event: MentionTriagedV1) -> ReplyTriage:
        triage = event.data.triage
        return cls(
            sentiment=triage.sentiment,
            priority=triage.priority,
            tags=triage.tags,
            triaged_at=event.time,
        )


class ReplyTarget(BaseModel):
    mention_id: str
    workspace: str
    platform: str
    external_id: str
    url: str | None
    received_at: datetime
    parent: str | None = None  # the mention's parent on its platform (an Instagram comment's media)
    triage: ReplyTriage | None = None

    @classmethod
    def of(cls, event: MentionReceivedV1) -> ReplyTarget:
        return cls.from_mention(event.data, workspace=event.workspace, at=event.time)

    @classmethod
    def from_mention(cls, data: MentionData, *, workspace: str, at: datetime) -> ReplyTarget:
        return cls(
            mention_id=data.mention_id,
            workspace=workspace,
            platform=data.platform,
            external_id=data.external_id,
            url=str(data.url) if data.url else None,
            parent=data.in_reply_to,
            received_at=at,
        )
