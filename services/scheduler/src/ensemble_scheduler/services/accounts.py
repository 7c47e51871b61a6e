"""Channel accounts: where a channel publishes (a Mastodon, Bluesky, GitHub or Slack account,
or a signed webhook).

Each change is a new revision (insert-only); the secrets are stored but never shown.
"""

from __future__ import annotations

from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    ChannelAccountIn,
    ChannelAccountView,
)
from ensemble_scheduler.models.revisions import next_revision
from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.outbound import require_callable
from ensemble_shared.settings import OutboundSettings


class ChannelAccountService:
    def __init__(self, accounts: ChannelAccountRepository, outbound: OutboundSettings) -> None:
        self._accounts = accounts
        self._outbound = outbound

    async def put(
        self, principal: Principal, channel: str, body: ChannelAccountIn
    ) -> ChannelAccountView:
        await require_callable(str(body.base_url), self._outbound, field="base_url")
        current = await self._accounts.account(principal.workspace, channel)
        account = ChannelAccount(
            **body.model_dump(),
            channel=channel,
            **next_revision(principal, current),
        )
        if not await self._accounts.insert_account(account):
            raise Conflict("another change to this channel's account was saved first; reload")
        return view_of(account)

    async def get(self, workspace: str, channel: str) -> ChannelAccountView:
        account = await self._accounts.account(workspace, channel)
        if account is None:
            raise NotFound(f"channel {channel!r} has no publishing account")
        return view_of(account)


def view_of(account: ChannelAccount) -> ChannelAccountView:
    return ChannelAccountView(
        channel=account.channel,
        connector=account.connector,
        base_url=str(account.base_url),
        visibility=account.visibility,
        identifier=account.identifier,
        target=account.target,
        revision=account.revision,
        updated_by=account.updated_by,
        updated_at=account.updated_at,
        oauth=account.oauth,
        account_name=account.account_name,
        token_expires_at=account.token_expires_at,
        reconnect=account.reconnect,
    )
