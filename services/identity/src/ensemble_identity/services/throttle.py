"""Sign-in protection: request rates per address, and lockouts after repeated failures.

Two mechanisms, for two threats. Rates (`limits`, moving window, per replica unless a shared
storage is configured) cap how fast one address may try anything. Lockouts count *failed*
sign-ins over a window, stored so every replica sees them, per email and per address: an
email locks after a few failures, whether or not an account has that address (so a lockout
tells nothing about which addresses exist); an address locks after more. A lockout ends by
itself as the failures age out of the window.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ensemble_identity.storage import FailureLog
from ensemble_identity.storage.failures import Scope
from ensemble_shared.errors import TooManyRequests
from ensemble_shared.events import utcnow

TOO_MANY = "too many attempts; try again later"


def locked_for(
    failures: Sequence[datetime], now: datetime, *, limit: int, window: timedelta
) -> int | None:
    """Seconds until a key with these failure times may try again, or None if it may now.

    Locked while `limit` or more failures fall within the window; it opens when enough of
    them age out that fewer than `limit` remain.
    """
    recent = sorted(at for at in failures if at > now - window)
    if len(recent) < limit:
        return None
    opens_at = recent[len(recent) - limit] + window
    return max(1, math.ceil((opens_at - now).total_seconds()))


def email_key(email: str) -> str:
    """Failures are kept under a digest: typed addresses of strangers are not stored."""
    return hashlib.sha256(email.encode()).hexdigest()


class Throttle:
    def __init__(
        self,
        failures: FailureLog,
        *,
        signin_rates: str,
        email_rates: str,
        storage_uri: str,
        account_failures: int,
        address_failures: int,
        window: timedelta,
    ) -> None:
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"rate limit storage must be an async+ URI, got {storage_uri!r}")
        self._limiter = MovingWindowRateLimiter(storage)
        self._signin: list[RateLimitItem] = parse_many(signin_rates) if signin_rates else []
        self._email: list[RateLimitItem] = parse_many(email_rates) if email_rates else []
        self._failures = failures
        self._account_failures = account_failures
        self._address_failures = address_failures
        self.window = window

    async def attempt(self, address: str) -> None:
        """Count one sign-in or token request from `address`; 429 over the rate."""
        await self._hit(self._signin, "signin", address)

    async def email_request(self, email: str, address: str) -> None:
        """Count one emailed link asked for `email` (and one request from `address`)."""
        await self._hit(self._signin, "signin", address)
        await self._hit(self._email, "email", email_key(email))

    async def check_lockout(self, email: str, address: str) -> None:
        """429 while the email or the address is locked out (before any password check)."""
        now = utcnow()
        since = now - self.window
        checks: tuple[tuple[Scope, str, int], ...] = (
            ("email", email_key(email), self._account_failures),
            ("address", address, self._address_failures),
        )
        for scope, key, limit in checks:
            failures = await self._failures.since(scope, key, since)
            wait = locked_for(failures, now, limit=limit, window=self.window)
            if wait is not None:
                raise TooManyRequests(TOO_MANY, retry_after=wait)

    async def failed(self, email: str, address: str) -> None:
        await self._failures.record(utcnow(), email=email_key(email), address=address)

    async def succeeded(self, email: str) -> None:
        """A right password clears the email's failures (the address keeps its count)."""
        await self._failures.clear("email", email_key(email))

    async def purge(self) -> int:
        return await self._failures.purge(utcnow() - self.window)

    async def _hit(self, items: list[RateLimitItem], scope: str, key: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, "identity", scope, key):
                stats = await self._limiter.get_window_stats(item, "identity", scope, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise TooManyRequests(TOO_MANY, retry_after=wait)
