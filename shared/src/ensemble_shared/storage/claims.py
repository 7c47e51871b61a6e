"""Leased claims taken by a unique-key insert: the one mutual exclusion FerretDB makes reliable.

findAndModify is not atomic against concurrent writers on FerretDB over SQLite (#3040), so
replicas compete by inserting `{_id: claim id}`; exactly one insert wins. A claim carries a
lease: if its owner dies, the work is claimed again under the next claim id. The outcome is a
second insert (into the results collection), never an update: updates cost a full collection
scan on FerretDB, and an insert also makes "finished" a fact that cannot be written twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, Document, DuplicateKeyError
from ensemble_shared.storage.idempotency import insert_new


class ClaimState(StrEnum):
    ABSENT = "absent"  # nobody claimed it
    LIVE = "live"  # claimed, unfinished, lease running: its owner is at work
    EXPIRED = "expired"  # claimed, unfinished, lease ran out: its owner is gone
    FINISHED = "finished"  # its outcome is recorded


class Claims:
    def __init__(self, claims: Collection, results: Collection) -> None:
        self.claims = claims
        self.results = results

    async def take(
        self,
        claim_id: str,
        *,
        owner: str,
        lease: timedelta,
        now: datetime | None = None,
        **fields: object,
    ) -> bool:
        """True when this caller now holds `claim_id`; False when someone inserted it first."""
        started = now or utcnow()
        try:
            await self.claims.insert_one(
                {
                    "_id": claim_id,
                    **fields,
                    "owner": owner,
                    "claimed_at": started,
                    "lease_until": started + lease,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def state(self, claim_id: str, *, now: datetime | None = None) -> ClaimState:
        if await self.results.find_one({"_id": claim_id}, {"_id": 1}) is not None:
            return ClaimState.FINISHED
        claim = await self.claims.find_one({"_id": claim_id}, {"lease_until": 1})
        if claim is None:
            return ClaimState.ABSENT
        lease_until: datetime = claim["lease_until"]
        return ClaimState.EXPIRED if lease_until < (now or utcnow()) else ClaimState.LIVE

    async def finish(self, claim_id: str, **result: object) -> bool:
        """Record the outcome once; False when an outcome was already recorded."""
        document: Document = {"_id": claim_id, "finished_at": utcnow(), **result}
        return bool(await insert_new(self.results, [document]))
