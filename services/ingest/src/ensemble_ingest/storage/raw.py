"""The raw archive: payloads and outcomes are inserted once; pending work is a small pointer set."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from ensemble_ingest.models.raw import RawOutcome, RawPayload, RawView
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned

PAYLOADS = "raw_payloads"
OUTCOMES = "raw_outcomes"
PENDING = "raw_pending"


class RawArchive:
    INDEXES = {
        PAYLOADS: [Index([("workspace", ASCENDING), ("received_at", DESCENDING)], name="recent")],
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

    async def view(self, workspace: str, raw_id: str) -> RawView | None:
        document = await find_owned(self._payloads, raw_id, workspace)
        if document is None:
            return None
        outcome = await self._outcomes.find_one({"_id": raw_id})
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
