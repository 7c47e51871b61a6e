"""Connected accounts' tokens refreshed before they expire, by one replica at a time.

Before a connector uses an account whose access token expires within the margin, `fresh`
spends its refresh token and saves the new tokens as the account's next revision. X and GitHub
rotate refresh tokens (each works once), so two replicas must never both spend one: the use of
revision N's refresh token is claimed by a unique-key insert first; the loser waits for
revision N+1 and uses that. A holder that dies leaves its claim; after the lease the next
round is claimed (its token may be spent: then the platform says invalid_grant).

A refresh the platform refuses (invalid_grant and its kin) saves a revision marked "reconnect
needed": publishing is refused with that reason, never retried against the platform, until an
admin connects the account again. The sweep refreshes connected accounts left unchanged for
days, as Google, GitHub and X let unused refresh tokens lapse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from ensemble_scheduler.connectors import Connector
from ensemble_scheduler.connectors.oauth import GrantRefused, OAuthCalls, TokenEndpointDown
from ensemble_scheduler.models.oauth import REFUSED_GRANTS
from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    Lookup,
    PublicationRequest,
    PublishOutcome,
    Refused,
    Unknown,
    Unreachable,
)
from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_scheduler.storage.oauth import ConnectionRepository
from ensemble_shared.events import new_id, utcnow

log = logging.getLogger(__name__)
REFRESHER = "scheduler/oauth-refresh"


class ReconnectNeeded(Exception):
    """The account's tokens are no good any more; an admin must connect it again."""


class RefreshPending(Exception):
    """Another replica is refreshing, or the token endpoint did not answer: try later."""


def reconnect_reason(account: ChannelAccount) -> str:
    return (
        f"{account.oauth or account.connector} refused to renew the access of channel "
        f"{account.channel!r} ({account.reconnect}): reconnect the account in the console"
    )


class TokenKeeper:
    def __init__(
        self,
        accounts: ChannelAccountRepository,
        claims: ConnectionRepository,
        calls: Mapping[str, OAuthCalls],
        *,
        margin: timedelta,
        lease: timedelta = timedelta(seconds=60),
        wait: timedelta = timedelta(seconds=15),
        owner: str | None = None,
    ) -> None:
        self._accounts = accounts
        self._claims = claims
        self._calls = calls
        self._margin = margin
        self._lease = lease
        self._wait = wait
        self._owner = owner or new_id()

    def due(self, account: ChannelAccount, now: datetime) -> bool:
        expires = account.token_expires_at
        return expires is not None and expires - now <= self._margin

    async def fresh(self, account: ChannelAccount) -> ChannelAccount:
        """The account with an access token good for at least the margin (refreshed if need
        be). ReconnectNeeded when it cannot be; RefreshPending when it may be, later."""
        if account.reconnect:
            raise ReconnectNeeded(reconnect_reason(account))
        if not self.due(account, utcnow()):
            return account
        if account.refresh_token is None or account.oauth not in self._calls:
            if account.token_expires_at is not None and account.token_expires_at <= utcnow():
                raise ReconnectNeeded(
                    f"the access token of channel {account.channel!r} expired at "
                    f"{account.token_expires_at:%Y-%m-%d %H:%M} UTC and cannot be renewed: "
                    "reconnect the account in the console"
                )
            return account
        return await self.refresh(account)

    async def refresh(self, account: ChannelAccount) -> ChannelAccount:
        """Spend the account's refresh token once across replicas; the next revision."""
        workspace, channel, revision = account.workspace, account.channel, account.revision
        now = utcnow()
        claimed = await self._claims.claim_refresh(workspace, channel, revision, self._owner, now)
        if claimed is None:
            latest = await self._claims.latest_claim(workspace, channel, revision)
            if latest is not None and now - latest[1] > self._lease:
                claimed = await self._claims.take_over(
                    workspace, channel, revision, latest[0], self._owner, now
                )
        if claimed is None:
            return await self._newer(account)
        calls = self._calls[str(account.oauth)]
        assert account.refresh_token is not None
        try:
            grant = await calls.refresh(account.refresh_token.get_secret_value())
        except GrantRefused as exc:
            if exc.error not in REFUSED_GRANTS:
                raise RefreshPending(f"the token endpoint refused: {exc}") from None
            marked = await self._save(account, {"reconnect": str(exc)})
            log.warning("channel %s/%s: reconnect needed (%s)", workspace, channel, exc)
            raise ReconnectNeeded(reconnect_reason(marked)) from None
        except TokenEndpointDown as exc:
            raise RefreshPending(str(exc)) from None
        return await self._save(
            account,
            {
                "access_token": grant.access_token,
                "refresh_token": grant.refresh_token,
                "token_expires_at": grant.expires_at,
            },
        )

    async def _save(self, account: ChannelAccount, changes: dict[str, object]) -> ChannelAccount:
        update = {
            **account.model_dump(),
            **changes,
            "revision": account.revision + 1,
            "updated_by": REFRESHER,
            "updated_at": utcnow(),
        }
        refreshed = ChannelAccount.model_validate(update)
        if not await self._accounts.insert_account(refreshed):
            # an admin saved the channel meanwhile: theirs is the account in force
            return await self._newer(account)
        return refreshed

    async def _newer(self, account: ChannelAccount) -> ChannelAccount:
        """The revision after `account`'s, once the replica refreshing it has saved it."""
        deadline = utcnow() + self._wait
        while True:
            latest = await self._accounts.account(account.workspace, account.channel)
            if latest is not None and latest.revision > account.revision:
                if latest.reconnect:
                    raise ReconnectNeeded(reconnect_reason(latest))
                return latest
            if utcnow() >= deadline:
                raise RefreshPending("another replica is refreshing this account's token")
            await asyncio.sleep(0.2)

    async def sweep(self, idle: timedelta, limit: int = 200) -> int:
        """Refresh the connected accounts unchanged for `idle`; how many were refreshed."""
        done = 0
        for account in await self._accounts.idle_connected(utcnow() - idle, limit):
            if account.oauth not in self._calls:
                continue
            try:
                await self.refresh(account)
                done += 1
            except (ReconnectNeeded, RefreshPending) as exc:
                log.info("sweep: channel %s/%s: %s", account.workspace, account.channel, exc)
        return done

    async def run(self, every: timedelta, idle: timedelta) -> None:
        """The sweep, forever (a background loop of each replica; claims keep it single)."""
        while True:
            try:
                refreshed = await self.sweep(idle)
                if refreshed:
                    log.info("token sweep: %d accounts refreshed", refreshed)
            except Exception:
                log.exception("token sweep failed")
            await asyncio.sleep(every.total_seconds())


class FreshTokens:
    """A connector whose account's token is made fresh first: refused for good when the
    account must be reconnected, unknown (settled later) while a refresh is pending."""

    def __init__(self, inner: Connector, keeper: TokenKeeper) -> None:
        self._inner = inner
        self._keeper = keeper

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        try:
            account = await self._keeper.fresh(account)
        except ReconnectNeeded as exc:
            return Refused(str(exc))
        except RefreshPending as exc:
            return Unknown(f"token refresh pending: {exc}")
        return await self._inner.publish(account, request)

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        try:
            account = await self._keeper.fresh(account)
        except (ReconnectNeeded, RefreshPending) as exc:
            return Unreachable(str(exc))
        return await self._inner.find(account, request, since=since)


def fresh_tokens(keeper: TokenKeeper, connectors: Mapping[str, Connector]) -> dict[str, Connector]:
    """Every connector behind `FreshTokens` (accounts pasted by hand pass straight through)."""
    return {name: FreshTokens(connector, keeper) for name, connector in connectors.items()}
