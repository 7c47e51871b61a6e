"""OAuth connections under way, and refresh claims; every step is a unique-key insert (the
one lock FerretDB keeps against concurrent writers), secrets sealed at rest.

- connection `{sha256(state)}`: who started it, for which channel, the PKCE verifier;
- exchange `{sha256(state)}`: the code was exchanged (once); then the pending tokens;
- use `{sha256(state)}`: the pending tokens became the channel's account (once);
- refresh claim `{workspace}:{channel}:{revision}:{round}`: this replica uses revision's
  refresh token; another round only once the claim's lease is over (its holder died).
The state itself is never stored: a copy of the database cannot complete a connection.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.oauth import Connection, Grant
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, Collection, Index
from ensemble_shared.storage.idempotency import insert_new

CONNECTIONS = "oauth_connections"
EXCHANGES = "oauth_exchanges"
USES = "oauth_uses"
REFRESH_CLAIMS = "oauth_refresh_claims"
SEALED = frozenset({"verifier", "access_token", "refresh_token"})


def state_key(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class ConnectionRepository:
    INDEXES = {
        CONNECTIONS: [Index([("expires_at", ASCENDING)], name="expiry")],
    }

    def __init__(
        self,
        connections: Collection,
        exchanges: Collection,
        uses: Collection,
        claims: Collection,
        sealer: Sealer,
    ) -> None:
        self.connections = connections
        self.exchanges = exchanges
        self.uses = uses
        self.claims = claims
        self._sealer = sealer

    async def insert(self, state: str, connection: Connection) -> None:
        document = {"_id": state_key(state), **connection.model_dump()}
        await insert_new(self.connections, [self._sealer.seal_fields(document, SEALED)])

    async def connection(self, state: str) -> Connection | None:
        document = await self.connections.find_one({"_id": state_key(state)})
        if document is None:
            return None
        return Connection.model_validate(self._sealer.open_fields(document, SEALED))

    async def claim_exchange(self, state: str, at: datetime) -> bool:
        """The code is exchanged once: the first claim wins, a replay finds it taken."""
        return bool(await insert_new(self.exchanges, [{"_id": state_key(state), "at": at}]))

    async def save_grant(self, state: str, grant: Grant) -> None:
        fields = {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_at": grant.expires_at,
            "scope": grant.scope,
            "account_name": grant.account_name,
        }
        sealed = self._sealer.seal_fields(fields, SEALED)
        await self.exchanges.update_one({"_id": state_key(state)}, {"$set": sealed})

    async def grant(self, state: str) -> Grant | bool | None:
        """The pending tokens; True while the exchange is claimed but not answered yet, None
        when the code was never exchanged."""
        document = await self.exchanges.find_one({"_id": state_key(state)})
        if document is None:
            return None
        if not document.get("access_token"):
            return True
        opened = self._sealer.open_fields(document, SEALED)
        return Grant(
            access_token=opened["access_token"],
            refresh_token=opened.get("refresh_token"),
            expires_at=opened.get("expires_at"),
            scope=opened.get("scope"),
            account_name=opened.get("account_name"),
        )

    async def used(self, state: str) -> bool:
        return await self.uses.find_one({"_id": state_key(state)}) is not None

    async def claim_use(self, state: str, at: datetime) -> bool:
        return bool(await insert_new(self.uses, [{"_id": state_key(state), "at": at}]))

    async def claim_refresh(
        self, workspace: str, channel: str, revision: int, owner: str, at: datetime
    ) -> int | None:
        """Claim the use of `revision`'s refresh token: the round claimed (None: someone holds
        it). A round older than `lease` is taken over by the next one: see `stale_round`."""
        return await self._claim(f"{workspace}:{channel}:{revision:06d}", owner, at, 1)

    async def _claim(self, prefix: str, owner: str, at: datetime, round_: int) -> int | None:
        document: dict[str, Any] = {"_id": f"{prefix}:{round_}", "owner": owner, "at": at}
        if await insert_new(self.claims, [document]):
            return round_
        return None

    async def latest_claim(
        self, workspace: str, channel: str, revision: int
    ) -> tuple[int, datetime] | None:
        """The newest round claimed for `revision`, and when."""
        prefix = f"{workspace}:{channel}:{revision:06d}:"
        latest: tuple[int, datetime] | None = None
        async for document in self.claims.find({"_id": {"$regex": f"^{prefix}"}}):
            round_ = int(str(document["_id"]).rsplit(":", 1)[1])
            if latest is None or round_ > latest[0]:
                latest = (round_, document["at"])
        return latest

    async def take_over(
        self, workspace: str, channel: str, revision: int, round_: int, owner: str, at: datetime
    ) -> int | None:
        """Claim the round after `round_` (whose holder let its lease pass)."""
        return await self._claim(f"{workspace}:{channel}:{revision:06d}", owner, at, round_ + 1)
