"""Leased claims taken by a unique-key insert: the one mutual exclusion FerretDB makes reliable.

findAndModify is not atomic against concurrent writers on FerretDB over SQLite (#3040), so
replicas compete by inserting `{_id: claim id}`; exactly one insert wins. A claim carries a
lease: if its owner dies, the work is claimed again under the next claim id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, DuplicateKeyError


async def try_claim(
    collection: Collection,
    claim_id: str,
    *,
    owner: str,
    lease: timedelta,
    now: datetime | None = None,
    **fields: object,
) -> bool:
    """True when this caller now holds `claim_id`; False when someone else inserted it first."""
    started = now or utcnow()
    try:
        await collection.insert_one(
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


class ClaimState(StrEnum):
    ABSENT = "absent"  # nobody claimed it
    LIVE = "live"  # claimed, unfinished, lease running: its owner is at work
    EXPIRED = "expired"  # claimed, unfinished, lease ran out: its owner is gone
    FINISHED = "finished"  # its owner recorded the outcome


async def claim_state(collection: Collection, claim_id: str, *, now: datetime | None = None) -> ClaimState:
    claim = await collection.find_one({"_id": claim_id}, {"lease_until": 1, "finished_at": 1})
    if claim is None:
        return ClaimState.ABSENT
    if claim.get("finished_at") is not None:
        return ClaimState.FINISHED
    lease_until: datetime = claim["lease_until"]
    return ClaimState.EXPIRED if lease_until < (now or utcnow()) else ClaimState.LIVE


async def finish_claim(collection: Collection, claim_id: str, **result: object) -> None:
    """Record the claimed work's outcome; a finished claim is never taken over."""
    await collection.update_one({"_id": claim_id}, {"$set": {"finished_at": utcnow(), **result}})
