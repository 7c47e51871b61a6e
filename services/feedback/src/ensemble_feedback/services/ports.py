"""What one part of feedback needs from another, as protocols: submissions ask members who a
voter really is, everything records member activity, public writes pass moderation.

Each protocol has one implementation in this package; tests may pass a fake.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from ensemble_shared.events import SocialOrigin

ActivityKind = Literal[
    "submission", "vote", "comment", "attendance", "rsvp", "mention", "suggestion"
]


class TrustLevel(StrEnum):
    NEW = "new"  # pre-moderated: what they write waits in the queue
    TRUSTED = "trusted"  # published at once (filters still apply)
    BLOCKED = "blocked"  # every public write refused


class Activity(BaseModel):
    """One thing a member did; its id is natural (kind + ref), so recording it twice is a no-op."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    member_id: str
    kind: ActivityKind
    ref: str  # the submission, comment, field event or mention it is about
    at: datetime

    @property
    def activity_id(self) -> str:
        return f"{self.workspace}:{self.kind}:{self.ref}:{self.member_id}"


class MemberDirectory(Protocol):
    """Members as other parts of feedback see them (implemented by services/members.py)."""

    async def canonical(
        self, workspace: str, member_ids: Iterable[str], *, fresh: bool = False
    ) -> dict[str, str]:
        """Each id mapped to the member it is merged into now (itself when unmerged). Answers
        may lag other replicas' merges by a second; `fresh` reads the merge log first."""
        ...

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        """The member's trust level; NotFound when no such member in the workspace."""
        ...

    async def consenting(self, workspace: str, member_ids: Iterable[str], topic: str) -> set[str]:
        """Those of `member_ids` (canonical) who consented to notifications on `topic`."""
        ...

    async def by_handle(self, workspace: str, platform: str, handle: str) -> str | None:
        """The canonical member who linked this platform handle, if any."""
        ...


class ActivityLog(Protocol):
    """Member activity, for the timeline and the engagement score (services/activity.py)."""

    async def record(self, activities: Iterable[Activity]) -> None: ...


class Verdict(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"  # into the moderation queue
    REJECT = "reject"  # spam, or the member is blocked


class Screening(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reasons: tuple[str, ...] = ()


class Moderator(Protocol):
    """Screens member-written text before it is published (services/moderation.py)."""

    async def screen(self, workspace: str, member_id: str, text: str) -> Screening: ...

    async def enqueue(self, item: HeldItem) -> None:
        """Put held content in the moderation queue. Call it *before* storing the content (the
        id is known in advance): an entry whose content never got stored is dropped on review."""
        ...


HeldKind = Literal["submission", "comment"]


class HeldItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace: str
    kind: HeldKind
    ref: str  # submission id or comment id
    member_id: str
    text: str
    reasons: tuple[str, ...] = ()


class HeldContent(Protocol):
    """What moderation asks of the board when a manager reviews a held item (submissions)."""

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        """Publish held content (emits what a normal publish emits). NotFound if it is gone."""
        ...

    async def discard(
        self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str
    ) -> None: ...


class Similar(BaseModel):
    model_config = ConfigDict(frozen=True)

    submission_id: str
    title: str
    score: float  # 0..100, higher is closer


class Board(Protocol):
    """What suggestions need from submissions (implemented by services/submissions.py)."""

    async def similar(self, workspace: str, text: str, *, limit: int = 5) -> list[Similar]: ...

    async def create_suggested(
        self,
        workspace: str,
        *,
        submission_id: str,
        member_id: str,
        kind: str,
        title: str,
        body: str,
        origin: SocialOrigin,
        by: str,
    ) -> str:
        """Create a submission confirmed from a suggestion (idempotent on `submission_id`)."""
        ...

    async def vote(self, workspace: str, submission_id: str, member_id: str) -> int:
        """Vote as `member_id` (idempotent); returns the vote count."""
        ...
