"""Channel accounts (where a channel publishes), insert-only by revision: `{workspace}:{channel}:
{revision}`, so two admins saving the same revision race and one wins; the highest revision
counts."""

from __future__ import annotations

from typing import Any

from ensemble_scheduler.models.publishing import ChannelAccount
from ensemble_shared.outbox import Outbox
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index

ACCOUNTS = "publishing_accounts"
SEALED = frozenset({"access_token", "secret"})
"""An account's credentials, sealed at rest."""


class ChannelAccountRepository:
    INDEXES = {
        ACCOUNTS: [
            Index(
                [("workspace", ASCENDING), ("channel", ASCENDING), ("revision", DESCENDING)],
                name="latest",
            )
        ],
    }

    def __init__(self, accounts: Collection, outbox: Outbox, sealer: Sealer) -> None:
        self.accounts = accounts
        self._outbox = outbox
        self._sealer = sealer

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
        return await self._outbox.insert_one(
            self.accounts, self._sealer.seal_fields(document, SEALED)
        )

    async def account(self, workspace: str, channel: str) -> ChannelAccount | None:
        document = await self.accounts.find_one(
            {"workspace": workspace, "channel": channel}, sort=[("revision", DESCENDING)]
        )
        if document is None:
            return None
        return ChannelAccount.model_validate(self._sealer.open_fields(document, SEALED))
