"""Calendar facts, insert-only: slot plan revisions, schedule entries, slot claims.

- plan `{workspace}:{channel}:{revision}`: two admins saving the same revision race, one wins;
- entry `{content}:s{sequence}`: one item's schedulings are numbered; two reschedules of the
  same sequence race, one wins; the highest sequence is the item's current slot;
- slot claim `{workspace}:{channel}:{slot}`: one item per slot of a channel. A claim is the only
  thing ever deleted here (when its item moves away), by `_id` and holder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.calendar import ScheduleEntry, SlotPlan
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, DuplicateKeyError, Index
from ensemble_shared.storage.idempotency import insert_new

PLANS = "calendar_plans"
ENTRIES = "schedule_entries"
CLAIMS = "slot_claims"


def entry_key(content_id: str, sequence: int) -> str:
    return f"{content_id}:s{sequence:04d}"


def claim_key(workspace: str, channel: str, slot_at: datetime) -> str:
    return f"{workspace}:{channel}:{slot_at.isoformat()}"


def _entry(document: dict[str, Any]) -> ScheduleEntry:
    return ScheduleEntry.model_validate(document)


class CalendarRepository:
    INDEXES = {
        PLANS: [
            Index(
                [("workspace", ASCENDING), ("channel", ASCENDING), ("revision", DESCENDING)],
                name="latest",
            )
        ],
        ENTRIES: [
            Index([("content_id", ASCENDING), ("sequence", DESCENDING)], name="by_item"),
            Index([("workspace", ASCENDING), ("slot_at", ASCENDING)], name="by_slot"),
        ],
    }

    def __init__(
        self, plans: Collection, entries: Collection, claims: Collection, outbox: Outbox
    ) -> None:
        self.plans = plans
        self.entries = entries
        self.claims = claims
        self._outbox = outbox

    # --- plans ---------------------------------------------------------------------------

    async def insert_plan(self, plan: SlotPlan) -> bool:
        document = {
            "_id": f"{plan.workspace}:{plan.channel}:{plan.revision:06d}",
            **plan.model_dump(mode="json"),
            "updated_at": plan.updated_at,
        }
        return bool(await insert_new(self.plans, [document]))

    async def plan(self, workspace: str, channel: str) -> SlotPlan | None:
        document = await self.plans.find_one(
            {"workspace": workspace, "channel": channel}, sort=[("revision", DESCENDING)]
        )
        return SlotPlan.model_validate(document) if document else None

    async def plans_of(self, workspace: str) -> list[SlotPlan]:
        """The latest revision of each channel's plan."""
        cursor = self.plans.find({"workspace": workspace}).sort("revision", DESCENDING)
        latest: dict[str, SlotPlan] = {}
        async for document in cursor:
            latest.setdefault(document["channel"], SlotPlan.model_validate(document))
        return sorted(latest.values(), key=lambda p: p.channel)

    # --- entries -------------------------------------------------------------------------

    async def insert_entry(self, entry: ScheduleEntry, events: Sequence[Event]) -> bool:
        """False when that sequence exists already (a concurrent reschedule won)."""
        return await self._outbox.insert_one(
            self.entries,
            {"_id": entry_key(entry.content_id, entry.sequence), **entry.model_dump()},
            events,
        )

    async def current(self, workspace: str, content_id: str) -> ScheduleEntry | None:
        document = await self.entries.find_one(
            {"content_id": content_id, "workspace": workspace},
            {FIELD: 0},
            sort=[("sequence", DESCENDING)],
        )
        return _entry(document) if document else None

    async def in_range(
        self, workspace: str, start: datetime, end: datetime, *, limit: int
    ) -> list[ScheduleEntry]:
        """Entries whose slot falls in [start, end), each still its item's current one."""
        cursor = self.entries.find(
            {"workspace": workspace, "slot_at": {"$gte": start, "$lt": end}}, {FIELD: 0}
        ).sort([("slot_at", ASCENDING), ("_id", ASCENDING)])
        found: list[ScheduleEntry] = []
        async for document in cursor:
            entry = _entry(document)
            current = await self.current(workspace, entry.content_id)
            if current is not None and current.sequence == entry.sequence:
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    # --- slot claims ---------------------------------------------------------------------

    async def claim(self, workspace: str, channel: str, slot_at: datetime, content_id: str) -> str:
        """Who holds the slot after this call: `content_id` if it was free (or already its)."""
        key = claim_key(workspace, channel, slot_at)
        try:
            await self.claims.insert_one(
                {"_id": key, "workspace": workspace, "content_id": content_id, "slot_at": slot_at}
            )
            return content_id
        except DuplicateKeyError:
            document = await self.claims.find_one({"_id": key})
            return str(document["content_id"]) if document else content_id

    async def holders(
        self, workspace: str, channel: str, slots: Sequence[datetime]
    ) -> dict[datetime, str]:
        """Slot time → the item claiming it, for those of `slots` that are claimed."""
        keys = [claim_key(workspace, channel, s) for s in slots]
        cursor = self.claims.find({"_id": {"$in": keys}})
        by_key = {d["_id"]: str(d["content_id"]) async for d in cursor}
        return {s: by_key[k] for s, k in zip(slots, keys, strict=True) if k in by_key}

    async def release(
        self, workspace: str, channel: str, slot_at: datetime, content_id: str
    ) -> None:
        """Give a slot back, only if `content_id` holds it."""
        await self.claims.delete_one(
            {"_id": claim_key(workspace, channel, slot_at), "content_id": content_id}
        )
