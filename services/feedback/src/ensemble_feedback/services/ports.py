"""What one area of feedback needs from another, as protocols: the board asks members who a
voter really is, everything records member activity, member writes pass moderation, moderation
asks the board to publish or discard what it held, suggestions put mentions on the board.

Each protocol has one implementation in this package (named on it); tests may pass a fake.
Calls through a port take plain ids: the caller is another area, not a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ensemble_feedback.models.activity import Activity
from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import HeldItem, HeldKind, Screening
from ensemble_feedback.models.submissions import Similar
from ensemble_shared.events import SocialOrigin


class MemberDirectory(Protocol):
    """Members as other areas see them (services/directory.py)."""

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


class TrustLevels(Protocol):
    """What moderation reads and sets of a member's trust (services/trust.py)."""

    async def trust(self, workspace: str, member_id: str) -> TrustLevel: ...

    async def set_trust(
        self,
        workspace: str,
        member_id: str,
        level: TrustLevel,
        by: str,
        *,
        reason: str | None = None,
    ) -> object: ...


class ActivityLog(Protocol):
    """Member activity, for the timeline and the engagement score (services/activity.py)."""

    async def record(self, activities: Iterable[Activity]) -> None: ...


class Moderator(Protocol):
    """Screens member-written text before it is published (services/screening.py)."""

    async def screen(self, workspace: str, member_id: str, text: str) -> Screening: ...

    async def enqueue(self, item: HeldItem) -> None:
        """Put held content in the moderation queue. Call it *before* storing the content (the
        id is known in advance): an entry whose content never got stored is dropped on review."""
        ...


class HeldContent(Protocol):
    """What moderation asks of the board when a manager reviews a held item (services/held.py)."""

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        """Publish held content (emits what a normal publish emits). NotFound if it is gone."""
        ...

    async def discard(
        self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str
    ) -> None: ...


class Board(Protocol):
    """What suggestions need of the board's submissions (services/submissions.py)."""

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


class Ballot(Protocol):
    """What suggestions need of the board's votes (services/votes.py)."""

    async def vote(self, workspace: str, submission_id: str, member_id: str) -> int:
        """Vote as `member_id` (idempotent); returns the vote count."""
        ...
