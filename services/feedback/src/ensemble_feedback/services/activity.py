"""Member activity: the `ActivityLog` every area records into, the timeline, the engagement score.

Activities are kept under the identity that acted and read over the canonical member's whole
merge group, so a merge adds histories up and undoing it splits them again. Mentions are not
copied: they are read from the social-mentions projection through the group's linked handles.
The score counts each (kind, ref) once per group: two merged identities voting for the same
idea count one vote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ensemble_feedback.models.activity import Activity, Timeline, TimelineItem
from ensemble_feedback.models.members import Identity, MemberPage, mention_handles
from ensemble_feedback.services.directory import Directory
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.services.ports import ActivityLog
from ensemble_feedback.storage.activity import ActivityRepository
from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_feedback.storage.weights import WeightsRepository
from ensemble_shared.auth import Principal
from ensemble_shared.engagement import EngagementWeights, engagement
from ensemble_shared.events import Source, envelope
from ensemble_shared.events.members import EngagementWeightsChangedV1, EngagementWeightsData
from ensemble_shared.storage.pagination import Position, encode_cursor, parse_cursor

_MENTION_KEY = "mention:"


def _authors(identities: Iterable[Identity]) -> list[tuple[str, list[str]]]:
    return [mention_handles(i.platform, i.handle) for i in identities]


def merged_page(
    activities: Sequence[tuple[str, Activity]],
    mentions: Sequence[tuple[str, TimelineItem]],
    limit: int,
) -> tuple[list[TimelineItem], tuple[str, TimelineItem] | None]:
    """Both sources, each newest first, merged by (time, key) newest first; returns the page
    and its last (key, item) when the page is full (the cursor)."""
    keyed = [
        (
            key,
            TimelineItem(kind=a.kind, ref=a.ref, member_id=a.member_id, at=a.at),
        )
        for key, a in activities
    ]
    keyed.extend(mentions)
    keyed.sort(key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    page = keyed[:limit]
    return [item for _, item in page], (page[-1] if len(page) == limit else None)


def _mention_bound(after: Position) -> Position:
    """The cursor as a bound on mention ids, in the same (time, key) order as the page: at the
    cursor's very time, mentions sort by `mention:<id>` against an activity id."""
    at, key = after
    if key.startswith(_MENTION_KEY):
        return at, key.removeprefix(_MENTION_KEY)
    return (at, "\uffff") if key > _MENTION_KEY else (at, "")


class ActivityService:
    """Implements `ActivityLog` (services/ports.py); the timeline, the engagement score and its
    weights per workspace."""

    def __init__(
        self,
        activities: ActivityRepository,
        mentions: SocialMentionRepository,
        weights: WeightsRepository,
        members: MemberService,
        directory: Directory,
    ) -> None:
        self._activities = activities
        self._mentions = mentions
        self._weights = weights
        self._members = members
        self._directory = directory

    async def record(self, activities: Iterable[Activity]) -> None:
        """Idempotent: an activity already recorded (same natural id) is skipped."""
        await self._activities.add_new(list(activities))

    async def counts(self, workspace: str, member_id: str) -> dict[str, int]:
        """Distinct activities per kind over the member's merge group, mentions included."""
        group = await self._directory.group(workspace, member_id)
        distinct = {(k, r) for _, k, r in await self._activities.distinct(workspace, group)}
        identities = await self._directory.identities(workspace, group)
        for mention in await self._mentions.by_authors(workspace, _authors(identities)):
            distinct.add(("mention", mention.mention_id))
        return dict(Counter(kind for kind, _ in distinct))

    async def score(self, workspace: str, member_id: str) -> float:
        weights = await self.weights(workspace)
        return engagement(await self.counts(workspace, member_id), weights)

    async def timeline(
        self, workspace: str, member_id: str, *, cursor: str | None, limit: int
    ) -> Timeline:
        """One page of the member's activity (its merge group's), newest first, with the
        engagement score. NotFound when no such member in the workspace."""
        profile = await self._members.find(workspace, member_id)
        after = parse_cursor(cursor)
        group = await self._directory.group(workspace, profile.member_id)
        activities = await self._activities.page(workspace, group, after=after, limit=limit)
        mention_after = _mention_bound(after) if after else None
        found = await self._mentions.by_authors(
            workspace, _authors(profile.identities), after=mention_after, limit=limit
        )
        # Mention keys carry a prefix so they sort apart from activity ids; the cursor strips it
        # again for the mentions query. Both sources are filtered by the same (at, key) bound.
        mentions = [
            (
                f"{_MENTION_KEY}{m.mention_id}",
                TimelineItem(
                    kind="mention",
                    ref=m.mention_id,
                    member_id=None,
                    at=m.received_at,
                    detail=m.excerpt,
                ),
            )
            for m in found
        ]
        items, last = merged_page(activities, mentions, limit)
        counts = await self.counts(workspace, profile.member_id)
        weights = await self.weights(workspace)
        return Timeline(
            member_id=profile.member_id,
            engagement=engagement(counts, weights),
            counts=counts,
            items=items,
            next_cursor=encode_cursor(last[1].at, last[0]) if last else None,
        )

    async def members(self, workspace: str, *, cursor: str | None, limit: int) -> MemberPage:
        """The staff's member list, each with its engagement score."""
        profiles, next_cursor = await self._members.page(
            workspace, after=parse_cursor(cursor), limit=limit
        )
        scored = [
            p.model_copy(update={"engagement": await self.score(workspace, p.member_id)})
            for p in profiles
        ]
        return MemberPage(items=scored, next_cursor=next_cursor)

    async def weights(self, workspace: str) -> EngagementWeights:
        return await self._weights.weights(workspace) or EngagementWeights()

    async def set_weights(
        self, principal: Principal, weights: EngagementWeights
    ) -> EngagementWeights:
        """Store the weights and announce them (insights scores members with them); the same
        weights again change nothing and announce nothing."""
        if await self.weights(principal.workspace) == weights:
            return weights
        announced = EngagementWeightsChangedV1(
            **envelope(Source.FEEDBACK, principal.workspace, principal.workspace),
            data=EngagementWeightsData(weights=weights.model_dump(), by=principal.subject),
        )
        await self._weights.set_weights(
            principal.workspace, weights, principal.subject, [announced]
        )
        return weights


if TYPE_CHECKING:  # mypy proves the service is the log other areas record into
    _log: type[ActivityLog] = ActivityService
