"""From social to the board: mentions triaged as request/feedback become suggestions a manager
confirms (a new submission, or a vote on a close one) or dismisses.

Nothing reaches the board before a manager confirms: the consumer only stores the suggestion.
Confirming runs the board call (idempotent: a derived submission id, a vote per member) and
then records the outcome under the suggestion's id; the first outcome stands, so a second
confirm is a 409 whether it comes after the first or races it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from ensemble_feedback.models.activity import Activity
from ensemble_feedback.models.submissions import Similar
from ensemble_feedback.models.suggestions import (
    ConfirmSuggestion,
    Decision,
    DecisionRecord,
    Outcome,
    Suggestion,
    SuggestionPage,
    SuggestionStatus,
    SuggestionView,
    submission_id_for,
    suggestion_id,
)
from ensemble_feedback.services.ports import ActivityLog, Ballot, Board, MemberDirectory
from ensemble_feedback.storage.suggestions import SuggestionRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import (
    Event,
    MentionTriagedV1,
    SocialOrigin,
    Source,
    SubmissionKind,
    SuggestionCreatedV1,
    SuggestionData,
    envelope,
    utcnow,
)
from ensemble_shared.storage.pagination import (
    Position,
    encode_cursor,
    next_cursor,
    parse_cursor,
)

# Board.similar answers from 60 ("related"); crediting someone's vote to an existing idea needs
# a clearly closer match, else the suggestion is a new submission (the manager still decides).
VOTE_THRESHOLD = 75.0
TITLE_LENGTH = 120
PENDING_SCAN_ROUNDS = 5  # pages of decided suggestions skipped before a short page is returned

_KIND: dict[str, SubmissionKind] = {"request": "idea", "feedback": "feedback"}
_URL = re.compile(r"https?://\S+")


class SuggestionNotFound(NotFound):
    def __init__(self, suggestion: str) -> None:
        super().__init__(f"no suggestion {suggestion!r}")


def closest(similar: Sequence[Similar], threshold: float = VOTE_THRESHOLD) -> Similar | None:
    """The best match at or above the threshold, if any."""
    best = max(similar, key=lambda s: s.score, default=None)
    return best if best is not None and best.score >= threshold else None


def title_of(text: str, handle: str) -> str:
    """A submission title from a post: its first words, links dropped, cut on a word."""
    words = _URL.sub("", text).split()
    title = " ".join(words)
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return title if len(title) >= 3 else f"Suggestion from @{handle}"


def suggest(
    event: MentionTriagedV1, similar: Sequence[Similar], member_id: str | None, at: datetime
) -> Suggestion | None:
    """The suggestion a triaged mention makes, or None when triage did not mark it for the board."""
    kind = event.data.triage.kind
    if kind is None:
        return None
    mention = event.data.mention
    target = closest(similar)
    return Suggestion(
        id=suggestion_id(event.workspace, mention.mention_id),
        workspace=event.workspace,
        mention_id=mention.mention_id,
        action="vote" if target is not None else "new_submission",
        submission_id=target.submission_id if target else None,
        similar_title=target.title if target else None,
        score=target.score if target else None,
        member_id=member_id,
        kind=_KIND[kind],
        title=title_of(mention.text, mention.author.handle),
        body=mention.text[:10_000],
        origin=SocialOrigin(
            mention_id=mention.mention_id,
            platform=mention.platform,
            external_id=mention.external_id,
            url=str(mention.url) if mention.url else None,
            author_handle=mention.author.handle,
        ),
        created_at=at,
    )


class SuggestionService:
    def __init__(
        self,
        suggestions: SuggestionRepository,
        board: Board,
        ballot: Ballot,
        members: MemberDirectory,
        activity: ActivityLog,
    ) -> None:
        self._suggestions = suggestions
        self._board = board
        self._ballot = ballot
        self._members = members
        self._activity = activity

    async def on_triaged(self, events: Sequence[MentionTriagedV1]) -> None:
        """Kafka handler: one suggestion per marked mention, ever (re-triage changes nothing)."""
        marked = [e for e in events if e.data.triage.kind is not None]
        if not marked:
            return
        known = await self._suggestions.existing(
            suggestion_id(e.workspace, e.data.mention.mention_id) for e in marked
        )
        staged: dict[str, tuple[Suggestion, list[Event]]] = {}
        for event in marked:
            mention = event.data.mention
            sid = suggestion_id(event.workspace, mention.mention_id)
            if sid in known or sid in staged:
                continue
            similar = await self._board.similar(event.workspace, mention.text, limit=5)
            member = await self._members.by_handle(
                event.workspace, mention.platform, mention.author.handle
            )
            suggestion = suggest(event, similar, member, utcnow())
            if suggestion is not None:
                staged[sid] = (suggestion, [self._created_event(event, suggestion)])
        await self._suggestions.add_new(list(staged.values()))

    async def page(
        self,
        workspace: str,
        *,
        status: SuggestionStatus | None,
        cursor: str | None,
        limit: int,
    ) -> SuggestionPage:
        after = parse_cursor(cursor)
        if status in ("confirmed", "dismissed"):
            return await self._decided_page(workspace, status, after=after, limit=limit)
        return await self._newest_page(workspace, status, after=after, limit=limit)

    async def get(self, workspace: str, suggestion: str) -> SuggestionView:
        found = await self._get(workspace, suggestion)
        return SuggestionView.of(
            found,
            await self._suggestions.decision(found.id),
            await self._suggestions.outcome(found.id),
        )

    async def confirm(
        self, principal: Principal, suggestion: str, body: ConfirmSuggestion
    ) -> SuggestionView:
        found = await self._get(principal.workspace, suggestion)
        if await self._suggestions.outcome(found.id) is not None:
            raise Conflict("the suggestion is already confirmed")
        member = found.member_id or await self._members.by_handle(
            found.workspace, found.origin.platform, found.origin.author_handle or ""
        )
        if found.action == "vote" and member is None:
            # A vote counts for a person; nobody is linked to this handle (yet).
            raise Conflict("no member is linked to the author's handle: link it first, or dismiss")
        decision = await self._claim(
            DecisionRecord(
                suggestion_id=found.id,
                workspace=found.workspace,
                decision="confirmed",
                by=principal.subject,
                at=utcnow(),
                title=body.title,
                kind=body.kind,
            )
        )
        outcome = await self._apply(found, decision, member, principal)
        if not await self._suggestions.record_outcome(outcome):
            raise Conflict("the suggestion is already confirmed")
        if member is not None:
            await self._activity.record(
                [
                    Activity(
                        workspace=found.workspace,
                        member_id=member,
                        kind="suggestion",
                        ref=found.id,
                        at=outcome.at,
                    )
                ]
            )
        return SuggestionView.of(found, decision, outcome)

    async def dismiss(
        self, principal: Principal, suggestion: str, reason: str | None
    ) -> SuggestionView:
        found = await self._get(principal.workspace, suggestion)
        record = DecisionRecord(
            suggestion_id=found.id,
            workspace=found.workspace,
            decision="dismissed",
            by=principal.subject,
            at=utcnow(),
            reason=reason,
        )
        if not await self._suggestions.decide(record):
            existing = await self._suggestions.decision(found.id)
            raise Conflict(
                f"the suggestion is already {existing.decision if existing else 'decided'}"
            )
        return SuggestionView.of(found, record, None)

    # --- internals ---

    async def _claim(self, record: DecisionRecord) -> DecisionRecord:
        """The confirmation that stands: ours, or an earlier confirm whose board call may not
        have finished (re-running it is safe: the board calls are idempotent)."""
        if await self._suggestions.decide(record):
            return record
        existing = await self._suggestions.decision(record.suggestion_id)
        if existing is None or existing.decision == "dismissed":
            raise Conflict("the suggestion is dismissed")
        return existing

    async def _apply(
        self,
        suggestion: Suggestion,
        decision: DecisionRecord,
        member: str | None,
        principal: Principal,
    ) -> Outcome:
        if suggestion.action == "vote" and suggestion.submission_id is not None:
            assert member is not None
            votes = await self._ballot.vote(suggestion.workspace, suggestion.submission_id, member)
            return Outcome(
                suggestion_id=suggestion.id,
                action="vote",
                submission_id=suggestion.submission_id,
                member_id=member,
                on_behalf=False,
                votes=votes,
                at=utcnow(),
            )
        # No linked member: the brand's manager publishes it in their own name; the origin
        # still names the social author, so a reply can go back to them on their platform.
        author = member or decision.by
        created = await self._board.create_suggested(
            suggestion.workspace,
            submission_id=submission_id_for(suggestion.id),
            member_id=author,
            kind=decision.kind or suggestion.kind,
            title=decision.title or suggestion.title,
            body=suggestion.body,
            origin=suggestion.origin,
            by=principal.subject,
        )
        return Outcome(
            suggestion_id=suggestion.id,
            action="new_submission",
            submission_id=created,
            member_id=author,
            on_behalf=member is None,
            at=utcnow(),
        )

    async def _get(self, workspace: str, suggestion: str) -> Suggestion:
        found = await self._suggestions.get(workspace, suggestion)
        if found is None:
            raise SuggestionNotFound(suggestion)
        return found

    async def _views(self, suggestions: Sequence[Suggestion]) -> list[SuggestionView]:
        ids = [s.id for s in suggestions]
        decisions = await self._suggestions.decisions_of(ids)
        outcomes = await self._suggestions.outcomes_of(ids)
        return [SuggestionView.of(s, decisions.get(s.id), outcomes.get(s.id)) for s in suggestions]

    async def _newest_page(
        self, workspace: str, status: SuggestionStatus | None, *, after: Position | None, limit: int
    ) -> SuggestionPage:
        items: list[SuggestionView] = []
        for _ in range(PENDING_SCAN_ROUNDS if status == "pending" else 1):
            batch = await self._suggestions.newest(workspace, after=after, limit=limit)
            for view in await self._views(batch):
                after = view.created_at, view.id
                if status is None or view.status == status:
                    items.append(view)
                    if len(items) == limit:
                        return SuggestionPage(items=items, next_cursor=encode_cursor(*after))
            if len(batch) < limit:
                return SuggestionPage(items=items, next_cursor=None)
        # Many decided ones in a row: a short page, and the cursor goes on from what was scanned.
        return SuggestionPage(items=items, next_cursor=encode_cursor(*after) if after else None)

    async def _decided_page(
        self,
        workspace: str,
        status: SuggestionStatus,
        *,
        after: Position | None,
        limit: int,
    ) -> SuggestionPage:
        decision: Decision = "confirmed" if status == "confirmed" else "dismissed"
        records = await self._suggestions.decided(workspace, decision, after=after, limit=limit)
        found = await self._suggestions.by_ids(r.suggestion_id for r in records)
        outcomes = await self._suggestions.outcomes_of(found)
        items = [
            view
            for r in records
            if r.suggestion_id in found
            for view in [
                SuggestionView.of(found[r.suggestion_id], r, outcomes.get(r.suggestion_id))
            ]
            if view.status == status
        ]
        return SuggestionPage(
            items=items,
            next_cursor=next_cursor(records, limit, lambda r: (r.at, r.suggestion_id)),
        )

    @staticmethod
    def _created_event(event: MentionTriagedV1, suggestion: Suggestion) -> SuggestionCreatedV1:
        return SuggestionCreatedV1(
            **envelope(Source.FEEDBACK, event.workspace, suggestion.id, cause=event),
            data=SuggestionData(
                suggestion_id=suggestion.id,
                mention_id=suggestion.mention_id,
                action=suggestion.action,
                submission_id=suggestion.submission_id,
                member_id=suggestion.member_id,
                title=suggestion.title,
                origin=suggestion.origin,
            ),
        )
