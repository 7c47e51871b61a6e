"""The raw archive: payloads and outcomes are inserted once; pending work is a small pointer set."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from ensemble_ingest.models.raw import RawOutcome, RawPayload, RawStatus, RawView
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, older_than

PAYLOADS = "raw_payloads"
OUTCOMES = "raw_outcomes"
PENDING = "raw_pending"
SCAN_BATCHES = 4  # a filtered page reads at most this many pages of payloads


class RawArchive:
    INDEXES = {
        PAYLOADS: [
            Index([("workspace", ASCENDING), ("received_at", DESCENDING)], name="recent"),
            Index(
                [("workspace", ASCENDING), ("source_id", ASCENDING), ("received_at", DESCENDING)],
                name="by_source",
            ),
        ],
        OUTCOMES: [Index([("workspace", ASCENDING), ("status", ASCENDING)], name="by_status")],
        PENDING: [Index([("at", ASCENDING)], name="by_age")],
    }

    def __init__(self, payloads: Collection, outcomes: Collection, pending: Collection) -> None:
        self._payloads = payloads
        self._outcomes = outcomes
        self._pending = pending

    async def archive(self, raws: Sequence[RawPayload]) -> None:
        """Pointers first: a pointer without its payload is dropped by the sweep; a payload
        without a pointer would never be re-driven."""
        if not raws:
            return
        await insert_new(
            self._pending,
            [{"_id": r.id, "at": r.received_at, "workspace": r.workspace} for r in raws],
        )
        await insert_new(self._payloads, [payload_document(r) for r in raws])

    async def settle(self, outcomes: Sequence[RawOutcome]) -> None:
        if not outcomes:
            return
        await insert_new(
            self._outcomes, [{"_id": o.id, **o.model_dump(exclude={"id"})} for o in outcomes]
        )
        await self._pending.delete_many({"_id": {"$in": [o.id for o in outcomes]}})

    async def stale(
        self, older_than: datetime, *, limit: int, workspace: str | None = None
    ) -> tuple[list[RawPayload], list[str]]:
        """Payloads still pending since before `older_than` (of one workspace, or of all for
        the system's own sweep), and pointers with no payload."""
        query: Document = {"at": {"$lt": older_than}}
        if workspace is not None:
            query["workspace"] = workspace
        pointers = await self._pending.find(query).limit(limit).to_list(limit)
        ids = [p["_id"] for p in pointers]
        found = {d["_id"]: d async for d in self._payloads.find({"_id": {"$in": ids}})}
        return [_payload(found[i]) for i in ids if i in found], [i for i in ids if i not in found]

    async def forget(self, pointer_ids: Sequence[str]) -> None:
        if pointer_ids:
            await self._pending.delete_many({"_id": {"$in": list(pointer_ids)}})

    async def of_source(
        self,
        workspace: str,
        source_id: str,
        *,
        status: RawStatus | None,
        after: Position | None,
        limit: int,
    ) -> tuple[list[RawView], Position | None]:
        """A source's payloads newest first, with their status, and where the next page starts
        (None at the end). The status lives beside the payload (outcome, pending pointer), so a
        filtered page reads at most SCAN_BATCHES batches and may hold fewer than `limit`."""
        found: list[RawView] = []
        position = after
        for _ in range(SCAN_BATCHES):
            query = {"workspace": workspace, "source_id": source_id}
            documents = (
                await self._payloads.find({**query, **older_than("received_at", position)})
                .sort([("received_at", DESCENDING), ("_id", DESCENDING)])
                .limit(limit)
                .to_list(limit)
            )
            for view in await self._views(documents):
                position = (view.payload.received_at, view.payload.id)
                if status is None or view.status == status:
                    found.append(view)
                    if len(found) == limit:
                        return found, position
            if len(documents) < limit:
                return found, None
        return found, position

    async def _views(self, documents: Sequence[Document]) -> list[RawView]:
        ids = [d["_id"] for d in documents]
        outcomes = {o["_id"]: o async for o in self._outcomes.find({"_id": {"$in": ids}})}
        return [_view(d, outcomes.get(d["_id"])) for d in documents]

    async def view(self, workspace: str, raw_id: str) -> RawView | None:
        document = await find_owned(self._payloads, raw_id, workspace)
        if document is None:
            return None
        return _view(document, await self._outcomes.find_one({"_id": raw_id}))


def _view(document: Document, outcome: Document | None) -> RawView:
    if outcome is None:
        return RawView(payload=_payload(document), status="pending")
    return RawView(
        payload=_payload(document),
        status=outcome["status"],
        reason=outcome.get("reason"),
        mention_ids=outcome.get("mention_ids", []),
    )


def payload_document(raw: RawPayload) -> Document:
    """Pulled items are kept as JSON text: platforms use keys a document may not hold
    (Bluesky's `$type`), and the archive must keep them exactly as they came."""
    document = {"_id": raw.id, **raw.model_dump(exclude={"id", "item"})}
    document["item"] = None if raw.item is None else json.dumps(raw.item, separators=(",", ":"))
    return document


def _payload(document: Document) -> RawPayload:
    item = document.get("item")
    return RawPayload.model_validate(
        {
            **document,
            "id": document["_id"],
            "item": json.loads(item) if isinstance(item, str) else item,
        }
    )
