"""Spent secrets: a use record per one-time secret (emailed links, OIDC states).

Spending is an insert under the secret's digest, so of two concurrent uses exactly one wins;
revoking a link is spending it with another outcome. Insert-only, like FerretDB likes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, DuplicateKeyError

SPENT = "spent_secrets"


class SpentSecrets:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def spend(self, digest: str, outcome: str = "used") -> bool:
        """True for the one caller that spent it; False if it was spent (or revoked) before."""
        try:
            await self.collection.insert_one({"_id": digest, "outcome": outcome, "at": utcnow()})
        except DuplicateKeyError:
            return False
        return True

    async def outcome(self, digest: str) -> str | None:
        found = await self.collection.find_one({"_id": digest})
        return str(found["outcome"]) if found else None

    async def purge(self, before: datetime) -> int:
        result = await self.collection.delete_many({"at": {"$lt": before}})
        return int(result.deleted_count)

    async def outcomes(self, digests: Iterable[str]) -> dict[str, str]:
        ids = sorted(set(digests))
        if not ids:
            return {}
        found = await self.collection.find({"_id": {"$in": ids}}).to_list(None)
        return {str(d["_id"]): str(d["outcome"]) for d in found}
