"""The board a brand shows the world (the community portal reads it without a sign-in):
published submissions of one workspace, new, top or trending, by status or kind, or found by
text; one submission with its status history and published comments.

Top and trending rank the newest `RANKED_WINDOW` submissions: vote counts live in the vote
chains (services/vote_ledger.py), not on the documents, so the store cannot sort by them.
Trending is votes damped by age (Hacker News' gravity), so a fresh idea with a few votes
passes an old one with many.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_feedback.models.public_board import (
    PublicBoardPage,
    PublicBoardQuery,
    PublicComment,
    PublicSubmission,
    PublicThread,
    StatusStep,
)
from ensemble_feedback.models.submissions import Submission, SubmissionFilters
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.services.vote_ledger import VoteLedger
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_shared.errors import Invalid, NotFound
from ensemble_shared.events import utcnow
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

RANKED_WINDOW = 200
GRAVITY = 1.5


def trending_score(votes: int, created_at: datetime, now: datetime) -> float:
    hours = max((now - created_at).total_seconds() / 3600, 0.0)
    return float(votes / (hours + 2) ** GRAVITY)


class PublicBoard:
    def __init__(
        self,
        submissions: SubmissionRepository,
        comments: CommentRepository,
        ledger: VoteLedger,
        similarity: SimilarityIndex,
    ) -> None:
        self._submissions = submissions
        self._comments = comments
        self._ledger = ledger
        self._similarity = similarity

    async def _out(self, found: Sequence[Submission]) -> list[PublicSubmission]:
        counts = await self._ledger.counts([s.id for s in found])
        fields = set(PublicSubmission.model_fields) - {"votes"}
        return [PublicSubmission(**s.model_dump(include=fields), votes=counts[s.id]) for s in found]

    async def page(self, workspace: str, query: PublicBoardQuery, *, limit: int) -> PublicBoardPage:
        if query.cursor is not None and (query.sort != "new" or query.q):
            raise Invalid("cursor: only the newest-first board has pages")
        filters = SubmissionFilters(status=query.status, kind=query.kind)
        if query.q:
            return PublicBoardPage(items=await self._found(workspace, query, filters, limit))
        window = limit if query.sort == "new" else RANKED_WINDOW
        found = await self._submissions.search(
            workspace, filters, held=None, after=parse_cursor(query.cursor), limit=window
        )
        items = await self._out(found)
        if query.sort == "new":
            cursor = next_cursor(found, limit, lambda s: (s.created_at, s.id))
            return PublicBoardPage(items=items, next_cursor=cursor)
        now = utcnow()
        if query.sort == "top":
            items.sort(key=lambda i: (-i.votes, -i.created_at.timestamp()))
        else:
            items.sort(key=lambda i: -trending_score(i.votes, i.created_at, now))
        return PublicBoardPage(items=items[:limit])

    async def _found(
        self, workspace: str, query: PublicBoardQuery, filters: SubmissionFilters, limit: int
    ) -> list[PublicSubmission]:
        """Most similar first, among live submissions matching the filters."""
        assert query.q is not None
        similar = await self._similarity.similar(workspace, query.q, limit=limit)
        found = await self._submissions.visible_many(workspace, [s.submission_id for s in similar])
        rank = {s.submission_id: n for n, s in enumerate(similar)}
        matching = [
            s
            for s in found
            if (filters.status is None or s.status == filters.status)
            and (filters.kind is None or s.kind == filters.kind)
        ]
        return await self._out(sorted(matching, key=lambda s: rank[s.id]))

    async def _visible(self, workspace: str, submission_id: str) -> Submission:
        found = await self._submissions.get(workspace, submission_id)
        if found is None or not found.visible:
            raise NotFound(f"no submission {submission_id}")
        return found

    async def submission(self, workspace: str, submission_id: str) -> PublicSubmission:
        found = await self._visible(workspace, submission_id)
        history = [StatusStep(status="open", at=found.created_at)]
        for status, at in await self._submissions.revised_statuses(found.id):
            if status != history[-1].status:  # other revisions (a merge, moderation) too
                history.append(StatusStep(status=status, at=at))
        return (await self._out([found]))[0].model_copy(update={"history": history})

    async def thread(
        self, workspace: str, submission_id: str, *, cursor: str | None, limit: int
    ) -> PublicThread:
        """Published comments, oldest first, with those of duplicates merged into it."""
        found = await self._visible(workspace, submission_id)
        threads = await self._submissions.threads(workspace, found.id)
        comments = await self._comments.thread(
            threads, published_only=True, after=parse_cursor(cursor), limit=limit
        )
        return PublicThread(
            items=[
                PublicComment(**c.model_dump(include=set(PublicComment.model_fields)))
                for c in comments
            ],
            next_cursor=next_cursor(comments, limit, lambda c: (c.created_at, c.id)),
        )
