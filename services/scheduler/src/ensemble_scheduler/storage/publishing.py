"""Publishing facts, insert-only, each under its natural key so a race or a replay writes once:

- channel account `{workspace}:{channel}:{revision}`;
- attempt `{content}:p{n}`: claimed before the platform is called (one caller per attempt);
- attempt outcome `{content}:p{n}`: refused or absent (an attempt without one is in flight);
- publication `{content}`: the post id, the first insert wins, content.published rides on it;
- gate failure `{content}:s{sequence}`: publish_failed for a scheduling, once;
- crisis `{id}`, hold `{content}:{crisis}`, hold release `{hold}`;
- answer template `{workspace}:{status}:{language}:{revision}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.publishing import (
    AnswerTemplate,
    Attempt,
    AttemptOutcomeKind,
    ChannelAccount,
    Crisis,
    Hold,
    PublicationResult,
)
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.lookups import find_owned

ACCOUNTS = "publishing_accounts"
ATTEMPTS = "publication_attempts"
OUTCOMES = "publication_outcomes"
RESULTS = "publications"
GATE = "publication_gate_failures"
CRISES = "crises"
HOLDS = "schedule_holds"
RELEASES = "schedule_releases"
TEMPLATES = "answer_templates"


def attempt_key(content_id: str, number: int) -> str:
    return f"{content_id}:p{number:04d}"


class PublicationRepository:
    INDEXES = {
        ACCOUNTS: [
            Index(
                [("workspace", ASCENDING), ("channel", ASCENDING), ("revision", DESCENDING)],
                name="latest",
            )
        ],
        ATTEMPTS: [
            Index([("content_id", ASCENDING), ("number", DESCENDING)], name="by_item"),
            Index([("started_at", ASCENDING)], name="by_start"),
        ],
        HOLDS: [
            Index([("content_id", ASCENDING), ("at", DESCENDING)], name="by_item"),
            Index([("crisis_id", ASCENDING)], name="by_crisis"),
        ],
        CRISES: [Index([("workspace", ASCENDING), ("at", DESCENDING)], name="recent")],
        TEMPLATES: [
            Index(
                [
                    ("workspace", ASCENDING),
                    ("status", ASCENDING),
                    ("language", ASCENDING),
                    ("revision", DESCENDING),
                ],
                name="latest",
            )
        ],
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.accounts = database[ACCOUNTS]
        self.attempts = database[ATTEMPTS]
        self.outcomes = database[OUTCOMES]
        self.results = database[RESULTS]
        self.gate = database[GATE]
        self.crises = database[CRISES]
        self.holds = database[HOLDS]
        self.releases = database[RELEASES]
        self.templates = database[TEMPLATES]
        self._outbox = outbox

    # --- channel accounts ----------------------------------------------------------------

    async def insert_account(self, account: ChannelAccount) -> bool:
        document: dict[str, Any] = {
            "_id": f"{account.workspace}:{account.channel}:{account.revision:06d}",
            **account.model_dump(mode="json", exclude={"access_token", "secret"}),
            "access_token": account.access_token.get_secret_value()
            if account.access_token
            else None,
            "secret": account.secret.get_secret_value() if account.secret else None,
            "updated_at": account.updated_at,
        }
        return await self._outbox.insert_one(self.accounts, document)

    async def account(self, workspace: str, channel: str) -> ChannelAccount | None:
        document = await self.accounts.find_one(
            {"workspace": workspace, "channel": channel}, sort=[("revision", DESCENDING)]
        )
        return ChannelAccount.model_validate(document) if document else None

    # --- attempts and results ------------------------------------------------------------

    async def claim_attempt(self, attempt: Attempt) -> bool:
        """True for the one caller that may call the platform for this attempt."""
        document = {"_id": attempt_key(attempt.content_id, attempt.number), **attempt.model_dump()}
        return await self._outbox.insert_one(self.attempts, document)

    async def attempts_of(self, content_id: str) -> list[Attempt]:
        cursor = self.attempts.find({"content_id": content_id}).sort("number", ASCENDING)
        return [Attempt.model_validate(d) async for d in cursor]

    async def insert_outcome(
        self,
        attempt: Attempt,
        outcome: AttemptOutcomeKind,
        reason: str,
        *,
        at: datetime,
        events: Sequence[Event] = (),
    ) -> bool:
        document = {
            "_id": attempt_key(attempt.content_id, attempt.number),
            "content_id": attempt.content_id,
            "workspace": attempt.workspace,
            "outcome": outcome,
            "reason": reason,
            "at": at,
        }
        return await self._outbox.insert_one(self.outcomes, document, events)

    async def outcomes_of(self, content_id: str) -> dict[int, tuple[str, str]]:
        """attempt number → (outcome, reason)."""
        cursor = self.outcomes.find({"content_id": content_id})
        return {int(d["_id"].rsplit(":p", 1)[1]): (d["outcome"], d["reason"]) async for d in cursor}

    async def insert_result(self, result: PublicationResult, events: Sequence[Event]) -> bool:
        """False when the item was published already (its events are then not sent again)."""
        document = {"_id": result.content_id, **result.model_dump()}
        return await self._outbox.insert_one(self.results, document, events)

    async def result(self, workspace: str, content_id: str) -> PublicationResult | None:
        document = await find_owned(self.results, content_id, workspace, {FIELD: 0})
        return PublicationResult.model_validate(document) if document else None

    async def in_flight(self, *, started_before: datetime, since: datetime) -> list[Attempt]:
        """Attempts started in [since, started_before) with no outcome and no publication."""
        cursor = self.attempts.find({"started_at": {"$gte": since, "$lt": started_before}}).sort(
            "started_at", ASCENDING
        )
        stuck: list[Attempt] = []
        async for document in cursor:
            key = document["_id"]
            if await self.outcomes.find_one({"_id": key}, {"_id": 1}) is not None:
                continue
            if await self.results.find_one({"_id": document["content_id"]}, {"_id": 1}):
                continue
            stuck.append(Attempt.model_validate(document))
        return stuck

    async def insert_gate_failure(
        self, workspace: str, content_id: str, sequence: int, reason: str, events: Sequence[Event]
    ) -> bool:
        document = {
            "_id": f"{content_id}:s{sequence:04d}",
            "workspace": workspace,
            "content_id": content_id,
            "reason": reason,
        }
        return await self._outbox.insert_one(self.gate, document, events)

    async def gate_failed(self, content_id: str, sequence: int) -> bool:
        key = f"{content_id}:s{sequence:04d}"
        return await self.gate.find_one({"_id": key}, {"_id": 1}) is not None

    # --- crises and holds ----------------------------------------------------------------

    async def insert_crisis(self, crisis: Crisis) -> bool:
        return await self._outbox.insert_one(self.crises, {"_id": crisis.id, **crisis.model_dump()})

    async def crisis(self, workspace: str, crisis_id: str) -> Crisis | None:
        document = await find_owned(self.crises, crisis_id, workspace)
        return Crisis.model_validate(document) if document else None

    async def crises_of(self, workspace: str, *, limit: int) -> list[Crisis]:
        cursor = self.crises.find({"workspace": workspace}).sort("at", DESCENDING)
        return [Crisis.model_validate(d) for d in await cursor.limit(limit).to_list(limit)]

    async def insert_hold(self, hold: Hold, events: Sequence[Event]) -> bool:
        document = {"_id": hold.hold_id, **hold.model_dump(exclude={"released_at", "released_by"})}
        return await self._outbox.insert_one(self.holds, document, events)

    async def _with_release(self, document: Document) -> Hold:
        release = await self.releases.find_one({"_id": document["_id"]}, {FIELD: 0})
        extra = (
            {
                "released_at": release["at"],
                "released_by": release["by"],
                "resolution": release["resolution"],
            }
            if release
            else {}
        )
        return Hold.model_validate({**document, **extra})

    async def holds_of_crisis(self, crisis_id: str) -> list[Hold]:
        cursor = self.holds.find({"crisis_id": crisis_id}, {FIELD: 0}).sort("_id", ASCENDING)
        return [await self._with_release(d) async for d in cursor]

    async def active_hold(self, workspace: str, content_id: str) -> Hold | None:
        cursor = self.holds.find({"content_id": content_id, "workspace": workspace}, {FIELD: 0})
        async for document in cursor:
            hold = await self._with_release(document)
            if hold.resolution is None:
                return hold
        return None

    async def insert_release(
        self,
        hold: Hold,
        *,
        by: str,
        resolution: str,
        at: datetime,
        events: Sequence[Event],
    ) -> bool:
        document = {
            "_id": hold.hold_id,
            "workspace": hold.workspace,
            "content_id": hold.content_id,
            "by": by,
            "resolution": resolution,
            "at": at,
        }
        return await self._outbox.insert_one(self.releases, document, events)

    # --- answer templates ----------------------------------------------------------------

    async def insert_template(self, template: AnswerTemplate) -> bool:
        document = {
            "_id": f"{template.workspace}:{template.status}:{template.language}:"
            f"{template.revision:06d}",
            **template.model_dump(),
        }
        return await self._outbox.insert_one(self.templates, document)

    async def template(self, workspace: str, status: str, language: str) -> AnswerTemplate | None:
        document = await self.templates.find_one(
            {"workspace": workspace, "status": status, "language": language},
            sort=[("revision", DESCENDING)],
        )
        return AnswerTemplate.model_validate(document) if document else None

    async def templates_of(self, workspace: str) -> list[AnswerTemplate]:
        cursor = self.templates.find({"workspace": workspace}).sort("revision", DESCENDING)
        latest: dict[tuple[str, str], AnswerTemplate] = {}
        async for document in cursor:
            key = (document["status"], document["language"])
            latest.setdefault(key, AnswerTemplate.model_validate(document))
        return sorted(latest.values(), key=lambda t: (t.status, t.language))
