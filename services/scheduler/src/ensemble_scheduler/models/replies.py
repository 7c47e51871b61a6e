"""Reply targets: mentions a reply may be drafted to, on the platform they came from."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from ensemble_shared.events import MentionReceivedV1


class ReplyTarget(BaseModel):
    mention_id: str
    workspace: str
    platform: str
    external_id: str
    url: str | None
    received_at: datetime

    @classmethod
    def of(cls, event: MentionReceivedV1) -> ReplyTarget:
        data = event.data
        return cls(
            mention_id=data.mention_id,
            workspace=event.workspace,
            platform=data.platform,
            external_id=data.external_id,
            url=str(data.url) if data.url else None,
            received_at=event.time,
        )
