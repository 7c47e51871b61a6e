"""Connecting a channel's account with OAuth 2, in three steps the console drives.

1. `start` (an admin): a random `state` and PKCE verifier kept server-side, bound to the
   workspace, the channel and the person, expiring; the answer is the authorize URL.
2. `exchange` (the console's callback, same person): the code is exchanged at once (X's codes
   live 30 s), once: the tokens wait, sealed, in a pending connection; the channel's account
   does not change yet.
3. `use` (the person confirms on a POST): the pending tokens become the channel account's next
   revision, once.
A state from another workspace is unknown (404); another person's is refused (403); a used or
expired one is gone (410).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import get_args

import httpx
from authlib.common.security import generate_token

from ensemble_scheduler.connectors.oauth import (
    GrantRefused,
    OAuthCalls,
    TokenEndpointDown,
    page_token,
)
from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.oauth import (
    PROVIDERS,
    CodeIn,
    Connection,
    ConnectionStart,
    ConnectionStarted,
    ConnectionView,
    Grant,
    PlatformView,
)
from ensemble_scheduler.models.publishing import ChannelAccount, ChannelAccountView, ConnectorName
from ensemble_scheduler.models.revisions import next_revision
from ensemble_scheduler.services.accounts import view_of
from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_scheduler.storage.oauth import ConnectionRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from ensemble_shared.events import utcnow


class ConnectionService:
    def __init__(
        self,
        connections: ConnectionRepository,
        accounts: ChannelAccountRepository,
        calls: Mapping[str, OAuthCalls],
        http: httpx.AsyncClient,
        *,
        redirect_uri: str,
        ttl: timedelta,
    ) -> None:
        self._connections = connections
        self._accounts = accounts
        self._calls = calls
        self._http = http
        self._redirect_uri = redirect_uri
        self._ttl = ttl

    def platforms(self) -> list[PlatformView]:
        """The platforms whose OAuth client is configured: the console's Connect buttons."""
        return [PlatformView(platform=p, title=PROVIDERS[p].title) for p in self._calls]

    async def start(
        self, principal: Principal, channel: str, body: ConnectionStart
    ) -> ConnectionStarted:
        calls = self._calls.get(body.platform)
        if calls is None:
            raise Invalid(f"platform: no OAuth client is configured for {body.platform}")
        if body.platform not in get_args(ConnectorName):
            raise Invalid(f"platform: no connector publishes to {body.platform} yet")
        if body.platform in ("facebook", "instagram") and body.target is None:
            raise Invalid(f"target: a {body.platform} channel needs its account's id")
        state, verifier, now = generate_token(43), generate_token(64), utcnow()
        connection = Connection(
            workspace=principal.workspace,
            channel=channel,
            subject=principal.subject,
            platform=body.platform,
            verifier=verifier,
            redirect_uri=self._redirect_uri,
            base_url=str(body.base_url or PROVIDERS[body.platform].base_url),
            target=body.target,
            visibility=body.visibility,
            created_at=now,
            expires_at=now + self._ttl,
        )
        await self._connections.insert(state, connection)
        url = calls.authorize_url(state=state, verifier=verifier, redirect_uri=self._redirect_uri)
        return ConnectionStarted(state=state, authorize_url=url, expires_at=connection.expires_at)

    async def _mine(self, principal: Principal, state: str) -> Connection:
        connection = await self._connections.connection(state)
        if connection is None or connection.workspace != principal.workspace:
            raise NotFound("no such connection in this workspace")
        if connection.subject != principal.subject:
            raise Forbidden("this connection was started by someone else")
        if await self._connections.used(state):
            raise Gone("this connection was used already", reason="used")
        if connection.expires_at <= utcnow():
            raise Gone("this connection expired: start again", reason="expired")
        return connection

    async def view(self, principal: Principal, state: str) -> ConnectionView:
        connection = await self._mine(principal, state)
        grant = await self._connections.grant(state)
        return _view(connection, grant if isinstance(grant, Grant) else None)

    async def exchange(self, principal: Principal, state: str, body: CodeIn) -> ConnectionView:
        connection = await self._mine(principal, state)
        if body.redirect_uri is not None and body.redirect_uri != connection.redirect_uri:
            raise Invalid("redirect_uri: not the one the connection was started with")
        if not await self._connections.claim_exchange(state, utcnow()):
            raise Gone("this connection's code was exchanged already", reason="used")
        calls = self._calls.get(connection.platform)
        if calls is None:
            raise Unavailable(f"the {connection.platform} OAuth client is not configured")
        try:
            grant = await calls.exchange(
                code=body.code, verifier=connection.verifier, redirect_uri=connection.redirect_uri
            )
            grant = await self._settle(calls, connection, grant)
        except GrantRefused as exc:
            raise Invalid(f"code: {connection.platform} refused it ({exc})") from None
        except TokenEndpointDown as exc:
            raise Unavailable(f"{connection.platform} did not answer: {exc}") from None
        await self._connections.save_grant(state, grant)
        return _view(connection, grant)

    async def _settle(self, calls: OAuthCalls, connection: Connection, grant: Grant) -> Grant:
        """Meta's short-lived user token becomes the long-lived one the channel keeps (the
        Page's own token for a Facebook channel)."""
        if calls.client.provider.refresh != "long_lived":
            return grant
        grant = await calls.long_lived(grant.access_token)
        if connection.platform == "facebook" and connection.target is not None:
            return await page_token(
                self._http, connection.base_url, connection.target, grant.access_token
            )
        return grant

    async def use(self, principal: Principal, state: str) -> ChannelAccountView:
        connection = await self._mine(principal, state)
        grant = await self._connections.grant(state)
        if not isinstance(grant, Grant):
            raise Conflict("the code was not exchanged yet")
        if not await self._connections.claim_use(state, utcnow()):
            raise Gone("this connection was used already", reason="used")
        current = await self._accounts.account(principal.workspace, connection.channel)
        account = connected_account(connection, grant, next_revision(principal, current))
        if not await self._accounts.insert_account(account):
            raise Conflict("another change to this channel's account was saved first; reload")
        return view_of(account)


def connected_account(
    connection: Connection, grant: Grant, revision: Mapping[str, object]
) -> ChannelAccount:
    return ChannelAccount.model_validate(
        {
            **revision,
            "connector": connection.platform,
            "channel": connection.channel,
            "base_url": connection.base_url,
            "target": connection.target,
            "visibility": connection.visibility,
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "token_expires_at": grant.expires_at,
            "account_name": grant.account_name,
            "oauth": connection.platform,
        }
    )


def _view(connection: Connection, grant: Grant | None) -> ConnectionView:
    expires: datetime | None = grant.expires_at if grant else None
    return ConnectionView(
        channel=connection.channel,
        platform=connection.platform,
        title=PROVIDERS[connection.platform].title,
        status="exchanged" if grant else "started",
        expires_at=connection.expires_at,
        account_name=grant.account_name if grant else None,
        scope=grant.scope if grant else None,
        token_expires_at=expires,
    )
