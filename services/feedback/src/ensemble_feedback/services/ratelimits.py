"""Write rate limits per member and per client IP (the `limits` library, moving window).

The default storage is in memory, per replica: with N replicas behind a load balancer a
client gets up to N times the limit. `rate_limit_storage` takes any async `limits` storage URI
(`async+redis://...`, or `async+mongodb://...` on a real MongoDB — not FerretDB, whose
findAndModify is not atomic) to share the windows between replicas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ensemble_shared.client_address import client_ip, networks
from ensemble_shared.errors import TooManyRequests


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
