"""Channel accounts (where a channel publishes), insert-only by revision: `{workspace}:{channel}:
{revision}`, so two admins saving the same revision race and one wins; the highest revision
counts. Credentials (tokens, app passwords, webhook secrets) are sealed at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import SecretStr

from ensemble_scheduler.models.publishing import ChannelAccount
from ensemble_shared.outbox import Outbox
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index

ACCOUNTS = "publishing_accounts"
SEALED = frozenset({"access_token", "secret", "app_password", "refresh_token"})
"""An account's credentials, sealed at rest."""


def _plain(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


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
            **account.model_dump(mode="json", exclude=set(SEALED)),
            **{field: _plain(getattr(account, field)) for field in SEALED},
            "updated_at": account.updated_at,
            "token_expires_at": account.token_expires_at,
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

    async def idle_connected(self, updated_before: datetime, limit: int) -> list[ChannelAccount]:
        """The accounts in force connected with OAuth whose last revision is older than
        `updated_before` (a refresh makes a revision): the sweep refreshes them before the
        platform lets an unused refresh token lapse."""
        cursor = self.accounts.find(
            {
                "oauth": {"$ne": None},
                "refresh_token": {"$ne": None},
                "reconnect": None,
                "updated_at": {"$lt": updated_before},
            }
        ).limit(limit)
        found: list[ChannelAccount] = []
        async for document in cursor:
            latest = await self.account(document["workspace"], document["channel"])
            if latest is not None and latest.revision == document["revision"]:
                found.append(latest)
        return found
