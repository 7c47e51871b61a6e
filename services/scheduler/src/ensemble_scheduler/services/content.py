"""Drafting and editing content items (each edit a new version), diffs, and comments."""

from __future__ import annotations

import re

from pydantic import ValidationError

from ensemble_scheduler.models.content import (
    Comment,
    CommentCreate,
    CommentPage,
    ContentCreate,
    ContentDiff,
    ContentEdit,
    ContentPage,
    ContentVersion,
    ContentView,
    ReplyTo,
    check_target,
)
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.diffs import diff
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.workflow import changed_fields
from ensemble_scheduler.storage.content import ContentRepository, version_key
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid, NotFound
from ensemble_shared.events import Source, envelope, new_id, utcnow
from ensemble_shared.events.content import (
    ContentCommentData,
    ContentCommentedV1,
    ContentDraftedV1,
    ContentEditedV1,
    ContentVersionData,
)
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

_MENTION = re.compile(r"(?<![\w@.])@(team:)?([A-Za-z0-9](?:[\w.-]*\w)?)")


def version_data(version: ContentVersion) -> ContentVersionData:
    """What content.drafted and content.edited say about a version."""
    return ContentVersionData(
        content_id=version.content_id,
        kind=version.kind,
        channel=version.fields.channel,
        version=version.version,
        author=version.author,
        title=version.fields.title,
        changed=version.changed,
    )


def parse_mentions(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, teams) named as `@name` and `@team:name`, each once, in order of appearance."""
    people: dict[str, None] = {}
    teams: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        (teams if match.group(1) else people)[match.group(2)] = None
    return tuple(people), tuple(teams)


def _view(
    latest: ContentVersion, first: ContentVersion | None, status: tuple[str, str | None]
) -> ContentView:
    return ContentView(
        id=latest.content_id,
        kind=latest.kind,
        version=latest.version,
        fields=latest.fields,
        created_by=first.author if first else latest.author,
        updated_by=latest.author,
        updated_at=latest.created_at,
        status=status[0],
        approval_id=status[1],
    )


class ContentService:
    def __init__(
        self,
        content: ContentRepository,
        approvals: ApprovalService,
        targets: ReplyTargetService,
    ) -> None:
        self._content = content
        self._approvals = approvals
        self._targets = targets

    async def find(self, workspace: str, content_id: str) -> ContentVersion | None:
        """The item's latest version, None if there is no such item."""
        return await self._content.latest(workspace, content_id)

    async def latest(self, workspace: str, content_id: str) -> ContentVersion:
        version = await self._content.latest(workspace, content_id)
        if version is None:
            raise NotFound(f"no content item {content_id!r}")
        return version

    async def view(self, workspace: str, content_id: str) -> ContentView:
        return await self._view(await self.latest(workspace, content_id))

    async def _view(self, latest: ContentVersion) -> ContentView:
        first = (
            latest
            if latest.version == 1
            else await self._content.version(latest.workspace, latest.content_id, 1)
        )
        return _view(latest, first, await self._approvals.status_of(latest))

    async def create(self, principal: Principal, body: ContentCreate) -> ContentView:
        fields = body.fields()
        target = fields.reply_to
        if target is not None and target.mention_id and not target.external_id:
            known = await self._targets.get(principal.workspace, target.mention_id)
            if known is not None:  # fill in where to reply (the projection may lag: then later)
                fields = fields.model_copy(
                    update={
                        "reply_to": ReplyTo(
                            mention_id=target.mention_id,
                            platform=known.platform,
                            external_id=known.external_id,
                            submission_id=target.submission_id,
                        )
                    }
                )
        version = ContentVersion(
            content_id=new_id(),
            workspace=principal.workspace,
            kind=body.kind,
            version=1,
            fields=fields,
            author=principal.subject,
            created_at=utcnow(),
        )
        await self.draft(version)
        return await self._view(version)

    async def draft(self, version: ContentVersion) -> bool:
        """Record a new item (its version 1) and announce it; False if that item exists."""
        event = ContentDraftedV1(
            **envelope(Source.SCHEDULER, version.workspace, version.content_id),
            data=version_data(version),
        )
        return await self._content.insert_version(version, [event])

    async def edit(self, principal: Principal, content_id: str, body: ContentEdit) -> ContentView:
        latest = await self.latest(principal.workspace, content_id)
        if body.base_version is not None and body.base_version != latest.version:
            raise Conflict(
                f"base_version: you edited version {body.base_version}, the latest is "
                f"{latest.version}; reload and edit again"
            )
        try:
            fields = body.apply(latest.fields)
            check_target(latest.kind, fields.reply_to)
        except (ValidationError, ValueError) as exc:
            raise Invalid(str(exc)) from exc
        changed = changed_fields(latest.fields, fields)
        if not changed:
            return await self._view(latest)  # nothing to record: the same content again
        version = ContentVersion(
            content_id=content_id,
            workspace=principal.workspace,
            kind=latest.kind,
            version=latest.version + 1,
            fields=fields,
            author=principal.subject,
            created_at=utcnow(),
            changed=changed,
        )
        event = ContentEditedV1(
            **envelope(Source.SCHEDULER, principal.workspace, content_id),
            data=version_data(version),
        )
        if not await self._content.insert_version(version, [event]):
            raise Conflict(
                f"another edit saved version {version.version} first; reload and edit again"
            )
        await self._approvals.after_edit(version)
        return await self._view(version)

    async def page(
        self, workspace: str, *, cursor: str | None, limit: int, mention_id: str | None = None
    ) -> ContentPage:
        """One read per collection for the whole page, never one per item (FerretDB scans
        for any filter but `_id`: a page of 100 items cost 300 scans and took half a minute)."""
        drafts = await self._content.drafts(
            workspace, before=parse_cursor(cursor), limit=limit, mention_id=mention_id
        )
        ids = [first.content_id for first in drafts]
        versions = await self._content.versions_of_many(workspace, dict.fromkeys(ids, 1))
        statuses = await self._approvals.statuses_of(workspace, ids)
        views = [
            _view(
                versions[first.content_id][-1] if versions[first.content_id] else first,
                first,
                statuses[first.content_id],
            )
            for first in drafts
        ]
        return ContentPage(
            items=views,
            next_cursor=next_cursor(
                drafts, limit, lambda first: (first.created_at, version_key(first.content_id, 1))
            ),
        )

    async def versions(
        self, workspace: str, content_id: str, *, since: int, limit: int
    ) -> list[ContentVersion]:
        await self.latest(workspace, content_id)
        return await self._content.versions_since(workspace, content_id, since, limit=limit)

    async def version(self, workspace: str, content_id: str, number: int) -> ContentVersion:
        version = await self._content.version(workspace, content_id, number)
        if version is None:
            await self.latest(workspace, content_id)  # the item itself may be unknown
            raise NotFound(f"content item {content_id!r} has no version {number}")
        return version

    async def diff(self, workspace: str, content_id: str, a: int, b: int) -> ContentDiff:
        return diff(
            await self.version(workspace, content_id, a),
            await self.version(workspace, content_id, b),
        )

    async def comment(self, principal: Principal, content_id: str, body: CommentCreate) -> Comment:
        latest = await self.latest(principal.workspace, content_id)
        people, teams = parse_mentions(body.body)
        comment = Comment(
            id=new_id(),
            content_id=content_id,
            workspace=principal.workspace,
            author=principal.subject,
            body=body.body,
            version=latest.version,
            people=people,
            teams=teams,
            created_at=utcnow(),
        )
        event = ContentCommentedV1(
            **envelope(Source.SCHEDULER, principal.workspace, content_id),
            data=ContentCommentData(
                content_id=content_id,
                comment_id=comment.id,
                author=comment.author,
                body=comment.body,
                version=comment.version,
                people=people,
                teams=teams,
            ),
        )
        await self._content.insert_comment(comment, [event])
        return comment

    async def comments(
        self, workspace: str, content_id: str, *, cursor: str | None, limit: int
    ) -> CommentPage:
        await self.latest(workspace, content_id)
        items = await self._content.comments_of(
            workspace, content_id, after=parse_cursor(cursor), limit=limit
        )
        return CommentPage(
            items=items, next_cursor=next_cursor(items, limit, lambda c: (c.created_at, c.id))
        )
