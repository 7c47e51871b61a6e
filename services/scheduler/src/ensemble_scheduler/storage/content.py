"""Content versions and comments: insert-only, each write carrying the events it announces."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.content import Comment, ContentFields, ContentVersion
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.pagination import Position, newer_than, older_than

VERSIONS = "content_versions"
COMMENTS = "content_comments"


def version_key(content_id: str, version: int) -> str:
    """The natural key: two edits of the same version race for one key, one wins."""
    return f"{content_id}:{version:06d}"


def _version_document(version: ContentVersion) -> Document:
    return {
        "_id": version_key(version.content_id, version.version),
        "content_id": version.content_id,
        "workspace": version.workspace,
        "kind": version.kind,
        "version": version.version,
        "fields": version.fields.model_dump(mode="json"),
        "slot_at": version.fields.slot,  # a date, for calendar queries
        "author": version.author,
        "created_at": version.created_at,
        "changed": list(version.changed),
    }


def _version(document: Document) -> ContentVersion:
    return ContentVersion(
        content_id=document["content_id"],
        workspace=document["workspace"],
        kind=document["kind"],
        version=document["version"],
        fields=ContentFields.model_validate(document["fields"]),
        author=document["author"],
        created_at=document["created_at"],
        changed=tuple(document.get("changed", ())),
    )


class ContentRepository:
    INDEXES = {
        VERSIONS: [
            Index([("content_id", ASCENDING), ("version", DESCENDING)], name="by_item"),
            Index(
                [
                    ("workspace", ASCENDING),
                    ("version", ASCENDING),
                    ("created_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="drafts",
            ),
            Index(
                [
                    ("workspace", ASCENDING),
                    ("fields.reply_to.mention_id", ASCENDING),
                    ("version", ASCENDING),
                    ("created_at", DESCENDING),
                ],
                name="replies",
            ),
        ],
        COMMENTS: [
            Index(
                [("content_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="by_item",
            )
        ],
    }

    def __init__(self, versions: Collection, comments: Collection, outbox: Outbox) -> None:
        self.versions = versions
        self.comments = comments
        self._outbox = outbox

    async def insert_version(self, version: ContentVersion, events: Sequence[Event]) -> bool:
        """False when that version number already exists (a concurrent edit won)."""
        return await self._outbox.insert_one(self.versions, _version_document(version), events)

    async def latest(self, workspace: str, content_id: str) -> ContentVersion | None:
        document = await self.versions.find_one(
            {"content_id": content_id, "workspace": workspace},
            {FIELD: 0},
            sort=[("version", DESCENDING)],
        )
        return _version(document) if document else None

    async def version(self, workspace: str, content_id: str, number: int) -> ContentVersion | None:
        document = await self.versions.find_one(
            {"_id": version_key(content_id, number), "workspace": workspace}, {FIELD: 0}
        )
        return _version(document) if document else None

    async def versions_since(
        self, workspace: str, content_id: str, since: int, *, limit: int = 10_000
    ) -> list[ContentVersion]:
        """Versions numbered `since` and later, oldest first."""
        cursor = self.versions.find(
            {"content_id": content_id, "workspace": workspace, "version": {"$gte": since}},
            {FIELD: 0},
        ).sort("version", ASCENDING)
        return [_version(d) for d in await cursor.limit(limit).to_list(limit)]

    async def versions_of_many(
        self, workspace: str, since: dict[str, int]
    ) -> dict[str, list[ContentVersion]]:
        """`versions_since` for several items (content id -> first version) in one read."""
        cursor = self.versions.find(
            {"workspace": workspace, "content_id": {"$in": list(since)}}, {FIELD: 0}
        ).sort([("content_id", ASCENDING), ("version", ASCENDING)])
        found: dict[str, list[ContentVersion]] = {content_id: [] for content_id in since}
        async for document in cursor:
            if document["version"] >= since[document["content_id"]]:
                found[document["content_id"]].append(_version(document))
        return found

    async def drafts(
        self,
        workspace: str,
        *,
        before: Position | None,
        limit: int,
        mention_id: str | None = None,
    ) -> list[ContentVersion]:
        """Items by creation (their version 1), newest first; only the replies to one mention
        when `mention_id` is given (what a reply answers is set when it is drafted)."""
        filters = {"workspace": workspace, "version": 1, **older_than("created_at", before)}
        if mention_id is not None:
            filters["fields.reply_to.mention_id"] = mention_id
        cursor = self.versions.find(filters, {FIELD: 0}).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [_version(d) for d in await cursor.limit(limit).to_list(limit)]

    async def insert_comment(self, comment: Comment, events: Sequence[Event]) -> None:
        document = self._outbox.stage(
            {"_id": comment.id, **comment.model_dump(exclude={"id"})}, events
        )
        await self._outbox.insert(self.comments, [document])

    async def comments_of(
        self, workspace: str, content_id: str, *, after: Position | None, limit: int
    ) -> list[Comment]:
        """Oldest first, as a conversation reads."""
        filters = {
            "workspace": workspace,
            "content_id": content_id,
            **newer_than("created_at", after),
        }
        cursor = self.comments.find(filters, {FIELD: 0}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [
            Comment.model_validate({**d, "id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
