"""Accounts and the email keys that make them one per address.

`account_emails` maps a lower-cased address to its account: inserting that key is how two
concurrent sign-ups of the same address agree on one account (a unique `_id`, the lock
FerretDB makes reliable). The account document is written after its key, so a crash between
the two leaves a key pointing at an account the next attempt creates under the same id.
A key is deleted only when its account moves to a proven new address (after claiming it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ensemble_identity.models.accounts import Account
from ensemble_shared.events import Event, utcnow
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Collection, DuplicateKeyError

ACCOUNTS = "accounts"
EMAILS = "account_emails"


class AccountRepository:
    def __init__(self, accounts: Collection, emails: Collection, outbox: Outbox) -> None:
        self.accounts = accounts
        self.emails = emails
        self._outbox = outbox

    async def claim_email(self, email: str, account_id: str) -> str:
        """The id of the account owning `email`: `account_id` if this call claimed it."""
        try:
            await self.emails.insert_one({"_id": email, "account_id": account_id, "at": utcnow()})
            return account_id
        except DuplicateKeyError:
            found = await self.emails.find_one({"_id": email})
            if found is None:  # released meanwhile by an account changing its address
                return await self.claim_email(email, account_id)
            return str(found["account_id"])

    async def release_email(self, email: str, account_id: str) -> None:
        """The address an account left: free for another account (only if still its own)."""
        await self.emails.delete_one({"_id": email, "account_id": account_id})

    async def create(self, account: Account, events: Sequence[Event]) -> bool:
        """Store the account with its events; False if that id already exists."""
        return await self._outbox.insert_one(self.accounts, account.document(), events)

    async def get(self, account_id: str) -> Account | None:
        document = await self.accounts.find_one({"_id": account_id})
        return Account.of(document) if document else None

    async def by_email(self, email: str) -> Account | None:
        key = await self.emails.find_one({"_id": email})
        return await self.get(str(key["account_id"])) if key else None

    async def many(self, account_ids: Iterable[str]) -> dict[str, Account]:
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        found = await self.accounts.find({"_id": {"$in": ids}}).to_list(None)
        return {str(d["_id"]): Account.of(d) for d in found}

    async def update(
        self, account_id: str, changes: dict[str, Any], events: Sequence[Event]
    ) -> None:
        """Set `changes` (and `updated_at`) and stage `events` in the same single write."""
        staged, outbox_fields = self._outbox.stage_update(account_id, events)

        async def write() -> list[str]:
            result = await self.accounts.update_one(
                {"_id": account_id},
                {"$set": {**changes, "updated_at": utcnow(), **outbox_fields}},
            )
            return [account_id] if result.matched_count else []

        await self._outbox.write(self.accounts, [staged], write)
