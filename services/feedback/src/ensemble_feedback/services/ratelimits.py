"""Write rate limits per member and per client IP (the `limits` library, moving window).

The default storage is in memory, per replica: with N replicas behind a load balancer a
client gets up to N times the limit. `rate_limit_storage` takes any async `limits` storage URI
(`async+redis://...`, or `async+mongodb://...` on a real MongoDB — not FerretDB, whose
findAndModify is not atomic) to share the windows between replicas.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable, Sequence

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ensemble_shared.errors import TooManyRequests

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    """Trusted proxies as networks; a bare address is a /32 (or /128). ValueError if malformed."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: the socket peer, unless the peer is a trusted proxy; then the
    nearest X-Forwarded-For hop that is not itself a trusted proxy (right to left: the hops on
    the left are whatever the client chose to send)."""
    address = peer or "unknown"
    if not _trusted(address, trusted):
        return address
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed hop: trust nothing further left
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address


class WriteLimiter:
    """One limiter per process; `check` counts a write or raises TooManyRequests (429)."""

    def __init__(
        self,
        *,
        member_limits: str,
        ip_limits: str,
        storage_uri: str = "async+memory://",
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"rate limit storage must be an async+ URI, got {storage_uri!r}")
        self._strategy = MovingWindowRateLimiter(storage)
        self._member: list[RateLimitItem] = parse_many(member_limits) if member_limits else []
        self._ip: list[RateLimitItem] = parse_many(ip_limits) if ip_limits else []
        self.trusted_proxies = networks(trusted_proxies)

    def client_ip(self, peer: str | None, forwarded_for: Iterable[str]) -> str:
        return client_ip(peer, forwarded_for, self.trusted_proxies)

    async def check(self, *, ip: str, member: str | None = None) -> None:
        """Count one write from `ip` (and `member`, "workspace:member id"). The IP is counted
        first: a refused member still spent one of its address's writes, as it did write."""
        checks = [(item, "ip", ip) for item in self._ip]
        if member is not None:
            checks += [(item, "member", member) for item in self._member]
        for item, scope, key in checks:
            if not await self._strategy.hit(item, "feedback-writes", scope, key):
                stats = await self._strategy.get_window_stats(item, "feedback-writes", scope, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                who = "this member" if scope == "member" else "this address"
                raise TooManyRequests(
                    f"too many writes from {who}: at most {item.amount} per "
                    f"{item.get_expiry()} s; retry in {wait} s",
                    retry_after=wait,
                )
