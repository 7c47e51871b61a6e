"""Stream tickets: a short-lived capability that opens one person's live inbox from a browser.

A browser's `EventSource` cannot send an `Authorization` header, so it opens the stream with a
ticket in the URL. A ticket is a capability of its own purpose (ensemble_shared.capabilities):
it opens that stream only, it is never accepted as a bearer token, and no bearer token is
accepted as a ticket. A ticket opens the stream once: a URL copied from a browser's history or a
proxy's log opens nothing, and a reconnecting browser asks for a new ticket.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from ensemble_notify.models.inbox import StreamTicket
from ensemble_notify.storage.spent_tickets import SpentTickets
from ensemble_shared.auth import Principal
from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Unauthenticated
from ensemble_shared.events import utcnow

PURPOSE = "inbox-stream-ticket"
TTL = timedelta(minutes=5)
STREAM_PATH = "/inbox/stream"


class StreamTickets:
    def __init__(
        self, capabilities: Capabilities, spent: SpentTickets, *, ttl: timedelta = TTL
    ) -> None:
        self._capabilities = capabilities
        self._spent = spent
        self._ttl = ttl

    def issue(self, principal: Principal, now: datetime | None = None) -> StreamTicket:
        """A ticket standing in for `principal` on its own stream until it expires."""
        expires_at = (now or utcnow()) + self._ttl
        claims = {
            "sub": principal.subject,
            "ws": principal.workspace,
            "roles": sorted(principal.roles),
            "teams": sorted(principal.teams),
            "jti": secrets.token_urlsafe(12),
        }
        ticket = self._capabilities.sign(claims, expires=expires_at)
        return StreamTicket(
            ticket=ticket,
            expires_at=expires_at,
            url=f"{STREAM_PATH}?{urlencode({'ticket': ticket})}",
        )

    async def redeem(self, ticket: str, now: datetime | None = None) -> Principal:
        """Who the ticket stands in for, spending it; Unauthenticated when it is not a live,
        unused ticket."""
        try:
            claims = self._capabilities.verify(ticket)
            principal = Principal(
                subject=claims["sub"],
                workspace=claims["ws"],
                roles=frozenset(claims.get("roles", ())),
                teams=frozenset(claims.get("teams", ())),
            )
            ticket_id = str(claims["jti"])
        except (CapabilityInvalid, CapabilityExpired, KeyError, ValueError) as exc:
            raise Unauthenticated(f"invalid stream ticket: {exc}; ask for a new one") from exc
        now = now or utcnow()
        # It expires within a TTL from now: its record is kept that long, then pruned.
        if not await self._spent.spend(ticket_id, now + self._ttl, now):
            raise Unauthenticated("this stream ticket was used already; ask for a new one")
        return principal
