"""The way in for every mention, whatever the source: archive raw, parse, triage, store, announce.

Archived first (pending), then each raw payload is settled once: processed (with the mentions it
touched) or rejected (with the reason). A repeat changes nothing; an edit updates the mention
and announces `mention.updated`; a platform delete tombstones it. Payloads left pending by a
crash are re-driven by the sweep: every step is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    MentionUpsert,
    Reply,
    WebhookConnector,
)
from ensemble_ingest.models.mentions import Mention, mention_id
from ensemble_ingest.models.raw import RawOutcome, RawPayload
from ensemble_ingest.models.sources import Source
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.storage.mentions import MentionRepository
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.triage import Triage
from ensemble_shared.errors import Invalid
from ensemble_shared.events import (
    Event,
    MentionData,
    MentionDeletedData,
    MentionDeletedV1,
    MentionReceivedV1,
    MentionTriagedData,
    MentionTriagedV1,
    MentionUpdatedV1,
    TriageData,
    envelope,
    utcnow,
)
from ensemble_shared.events import Source as Producer
from ensemble_shared.group_commit import GroupCommit
from ensemble_shared.logs import correlation_id as current_correlation

log = logging.getLogger(__name__)

Result = Literal["created", "updated", "unchanged", "deleted", "unknown"]


class PayloadRejected(Invalid):
    """Authentic but malformed: archived as rejected, answered 422 with the reason."""


@dataclass(frozen=True)
class Touched:
    mention_id: str
    result: Result


@dataclass
class Received:
    """What one webhook request amounted to."""

    raw_id: str
    touched: list[Touched] = field(default_factory=list)
    reply: Reply | None = None


@dataclass(frozen=True)
class Arrival:
    """One verified webhook request, parsed (or malformed: `rejection` says why)."""

    source: Source
    raw: RawPayload
    changes: list[MentionChange]
    rejection: str | None
    correlation_id: str


ARRIVALS_PER_BATCH = 200
"""The most webhook requests applied together (a burst beyond waits for the next batch)."""


class Observer(Protocol):
    """Told about every newly stored mention (spike detection counts them)."""

    async def observe(self, mentions: Sequence[Mention]) -> None: ...


class Parser(Protocol):
    def __call__(self, source: Source, raw: RawPayload) -> list[MentionChange]: ...


class Completer(Protocol):
    """Fills in what a platform's payload leaves out (Instagram mentions carry ids only),
    before the mention is stored; gives a change back unchanged when it cannot."""

    async def __call__(
        self, source: Source, changes: Sequence[MentionChange]
    ) -> list[MentionChange]: ...


async def _as_given(source: Source, changes: Sequence[MentionChange]) -> list[MentionChange]:
    return list(changes)


class IngestPipeline:
    def __init__(
        self,
        *,
        raws: RawArchive,
        mentions: MentionRepository,
        triage: TriageProvider,
        parse: Parser,
        observers: Sequence[Observer] = (),
        complete: Completer = _as_given,
    ) -> None:
        self._raws = raws
        self._mentions = mentions
        self._triage = triage
        self._parse = parse
        self._complete = complete
        self._observers = observers
        self._arrivals = GroupCommit(self._receive_many, limit=ARRIVALS_PER_BATCH)

    def close(self) -> None:
        """Stop the webhook batching (pending requests are cancelled, their payloads either
        archived, and re-driven by the sweep, or never acknowledged)."""
        self._arrivals.close()

    async def receive_webhook(
        self,
        source: Source,
        connector: WebhookConnector,
        headers: Mapping[str, str],
        body: bytes,
        *,
        correlation_id: str,
    ) -> Received:
        """Verified by the caller; archived, parsed and applied here, together with the
        requests that arrive meanwhile (`_receive_many`)."""
        raw = RawPayload.webhook(
            workspace=source.workspace,
            source_id=source.id,
            platform=source.platform,
            headers=dict(headers),
            body=body,
        )
        reply: Reply | None = None
        changes: list[MentionChange] = []
        rejection: str | None = None
        try:
            parsed = connector.parse(source.config, headers, body)
            changes, reply = await self._complete(source, parsed.changes), parsed.reply
        except MalformedPayload as exc:
            rejection = str(exc)
        outcome = await self._arrivals(Arrival(source, raw, changes, rejection, correlation_id))
        if isinstance(outcome, str):
            raise PayloadRejected(outcome)
        return Received(raw.id, outcome, reply)

    async def _receive_many(self, arrivals: list[Arrival]) -> list[list[Touched] | str]:
        """Concurrent webhook requests share their round trips: one archive write for all
        their payloads, one batch per source. Each request still gets its own answer: what
        its payload touched, or why it was rejected."""
        await self._raws.archive([a.raw for a in arrivals])
        await self._raws.settle(
            [_rejected(a.raw, a.rejection) for a in arrivals if a.rejection is not None]
        )
        by_source: dict[str, list[Arrival]] = {}
        for arrival in arrivals:
            if arrival.rejection is None:
                by_source.setdefault(arrival.source.id, []).append(arrival)
        touched: dict[str, list[Touched]] = {}
        for group in by_source.values():
            touched |= await self._apply(
                group[-1].source,
                [(a.raw, a.changes) for a in group],
                correlations={a.raw.id: a.correlation_id for a in group},
            )
        return [a.rejection if a.rejection is not None else touched[a.raw.id] for a in arrivals]

    async def ingest_items(
        self, source: Source, items: Sequence[dict[str, Any]], *, correlation_id: str
    ) -> dict[str, list[Touched]]:
        """A page from a pulled or streamed source: archived, then applied as one batch."""
        raws = [
            RawPayload(
                workspace=source.workspace,
                source_id=source.id,
                platform=source.platform,
                kind="item",
                item=item,
            )
            for item in items
        ]
        await self._raws.archive(raws)
        with _correlated(correlation_id):
            return await self._process(source, raws)

    async def redrive(
        self,
        sources: Mapping[str, Source],
        older_than: timedelta,
        limit: int,
        workspace: str | None = None,
    ) -> int:
        """Process payloads a crash left pending (one workspace's, or every workspace's for
        the system's own sweep); returns how many were settled."""
        stale, orphans = await self._raws.stale(
            utcnow() - older_than, limit=limit, workspace=workspace
        )
        await self._raws.forget(orphans)
        settled = 0
        by_source: dict[str, list[RawPayload]] = {}
        for raw in stale:
            by_source.setdefault(raw.source_id, []).append(raw)
        for source_id, raws in by_source.items():
            source = sources.get(source_id)
            if source is None:
                await self._raws.settle([_rejected(r, "its source was deleted") for r in raws])
            else:
                with _correlated(f"redrive-{raws[0].id}"):
                    await self._process(source, raws)
            settled += len(raws)
        return settled

    async def redrive_one(self, source: Source, raw: RawPayload) -> None:
        """Process one pending payload now (a person asked), the way the sweep would."""
        with _correlated(f"redrive-{raw.id}"):
            await self._process(source, [raw])

    async def _process(
        self, source: Source, raws: Sequence[RawPayload]
    ) -> dict[str, list[Touched]]:
        parsed: list[tuple[RawPayload, list[MentionChange]]] = []
        rejected: list[RawOutcome] = []
        for raw in raws:
            try:
                parsed.append((raw, await self._complete(source, self._parse(source, raw))))
            except MalformedPayload as exc:
                rejected.append(_rejected(raw, str(exc)))
        await self._raws.settle(rejected)
        touched = await self._apply(source, parsed)
        return {**{r.id: [] for r in raws}, **touched}

    async def _apply(
        self,
        source: Source,
        batch: Sequence[tuple[RawPayload, list[MentionChange]]],
        correlations: Mapping[str, str] | None = None,
    ) -> dict[str, list[Touched]]:
        """Triage, store and announce a batch's changes (within `_correlated`, or with each
        raw payload's own correlation id from `correlations`)."""
        correlations = correlations or {}
        triage = await self._triage.for_workspace(source.workspace)
        now = utcnow()
        staged: dict[str, tuple[Mention, list[Event]]] = {}
        candidates: dict[str, Mention] = {}  # the latest upsert of each mention in the batch
        deletions: dict[str, MentionDeleted] = {}
        touched_by_raw: dict[str, list[str]] = {raw.id: [] for raw, _ in batch}
        raw_of: dict[str, str] = {}  # the raw payload behind each mention's latest change
        for raw, changes in batch:
            for change in changes:
                if isinstance(change, MentionUpsert):
                    mention = _triaged(
                        Mention.from_incoming(
                            source.workspace, source.id, change.mention, raw_id=raw.id
                        ),
                        triage,
                    )
                    candidates[mention.id] = mention
                    if mention.id not in staged:
                        with _correlated(correlations.get(raw.id)):
                            staged[mention.id] = (mention, _arrival_events(mention))
                    key = mention.id
                else:
                    key = mention_id(source.workspace, change.platform, change.external_id)
                    deletions[key] = change
                touched_by_raw[raw.id].append(key)
                raw_of[key] = raw.id
        inserted = await self._mentions.insert_new(list(staged.values()))
        results: dict[str, Result] = {key: "created" for key in inserted}
        # Stored before this batch, or inserted by it and then changed again within it.
        existing = [k for k, m in candidates.items() if k not in inserted or m is not staged[k][0]]
        existing += [key for key in deletions if key not in existing]
        stored = await self._mentions.content_keys(existing) if existing else {}
        for key in existing:
            if key in candidates:
                with _correlated(correlations.get(raw_of[key])):
                    results[key] = await self._edit(candidates[key], stored.get(key), triage, now)
        for key in deletions:
            with _correlated(correlations.get(raw_of[key])):
                results[key] = await self._delete(stored.get(key), now)
        if inserted:
            new = [staged[key][0] for key in inserted]
            for observer in self._observers:
                await observer.observe(new)
        await self._raws.settle(
            [
                RawOutcome(
                    id=raw.id,
                    workspace=source.workspace,
                    status="processed",
                    mention_ids=touched_by_raw[raw.id],
                )
                for raw, _ in batch
            ]
        )
        return {
            raw_id: [Touched(key, results.get(key, "unchanged")) for key in keys]
            for raw_id, keys in touched_by_raw.items()
        }

    async def _edit(
        self,
        mention: Mention,
        stored: tuple[str, Mention] | None,
        triage: Triage,
        now: datetime,
    ) -> Result:
        if stored is None:
            return "unchanged"  # inserted by this very batch, then repeated
        content_key, current = stored
        if content_key == mention.content_key() or current.deleted_at is not None:
            return "unchanged"
        if mention.version_time() < current.version_time():
            return "unchanged"  # an older version, e.g. a replayed payload: never revert an edit
        edited = current.model_copy(
            update={
                **{name: getattr(mention, name) for name in _EDITABLE},
                "version": current.version + 1,
                "edited_at": now,
            }
        )
        edited = _triaged(edited, triage)
        events: list[Event] = [
            MentionUpdatedV1(
                **envelope(Producer.INGEST, edited.workspace, edited.id), data=edited.event_data()
            )
        ]
        if edited.triage != current.triage:
            events.append(_triaged_event(edited))
        updated = await self._mentions.update(edited, events, previous=current)
        return "updated" if updated else "unchanged"

    async def _delete(self, stored: tuple[str, Mention] | None, now: datetime) -> Result:
        if stored is None:
            return "unknown"  # deleted before we ever saw it
        current = stored[1]
        if current.deleted_at is not None:
            return "unchanged"
        tombstone = current.model_copy(update={"deleted_at": now, "version": current.version + 1})
        event = MentionDeletedV1(
            **envelope(Producer.INGEST, current.workspace, current.id),
            data=MentionDeletedData(
                mention_id=current.id, platform=current.platform, external_id=current.external_id
            ),
        )
        updated = await self._mentions.update(tombstone, [event], previous=current)
        return "deleted" if updated else "unchanged"


_EDITABLE = {
    "url",
    "author",
    "text",
    "language",
    "in_reply_to",
    "thread_id",
    "media",
    "raw_id",
    "revised_at",
}


def _triaged(mention: Mention, triage: Triage) -> Mention:
    result = triage.apply(
        mention.text, platform=mention.platform, author_handle=mention.author.handle
    )
    data = TriageData(
        language=result.language,
        sentiment=result.sentiment,
        sentiment_score=result.sentiment_score,
        tags=tuple(result.tags),
        priority=result.priority,
        team=result.team,
        kind=result.kind,
        vip=result.vip,
        matched_rules=tuple(result.matched_rules),
    )
    team = mention.team if mention.team is not None else result.team
    return mention.model_copy(update={"triage": data, "team": team})


def _arrival_events(mention: Mention) -> list[Event]:
    data = mention.event_data()
    received = MentionReceivedV1(
        **envelope(Producer.INGEST, mention.workspace, mention.id), data=data
    )
    return [received, _triaged_event(mention, cause=received, data=data)]


def _triaged_event(
    mention: Mention, cause: Event | None = None, data: MentionData | None = None
) -> MentionTriagedV1:
    return MentionTriagedV1(
        **envelope(Producer.INGEST, mention.workspace, mention.id, cause=cause),
        data=MentionTriagedData(mention=data or mention.event_data(), triage=mention.triage),
    )


@contextmanager
def _correlated(correlation_id: str | None) -> Iterator[None]:
    """The events built inside carry `correlation_id` (the caller's: a webhook request's, a
    pulled page's, a re-drive's), as `envelope` reads it from the context; None keeps the
    context's."""
    if correlation_id is None:
        yield
        return
    token = current_correlation.set(correlation_id)
    try:
        yield
    finally:
        current_correlation.reset(token)


def _rejected(raw: RawPayload, reason: str) -> RawOutcome:
    return RawOutcome(id=raw.id, workspace=raw.workspace, status="rejected", reason=reason[:2000])
