"""Every polled platform's rate-limit headers read into one RateLimit; a 429 becomes an empty page.

Header names are case-insensitive, so Mastodon's `X-RateLimit-Reset` and Reddit's
`x-ratelimit-reset` are one header with three meanings told apart by value: an ISO date (Mastodon),
a count of seconds (Reddit), or a Unix time (GitHub style). X's `x-rate-limit-reset` is a Unix time.
Meta's `x-app-usage` gives percentages used; `remaining` is then the percentage left.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from ensemble_ingest.connectors.base import Page, RateLimit
from ensemble_shared.retries import retry_after_seconds

DEFAULT_RETRY_AFTER = 60.0  # seconds, when a 429 says nothing about when to come back
_UNIX_TIME_FLOOR = 1_000_000_000  # a reset below this is "seconds from now", above a Unix time


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _reset(value: str, now: datetime) -> datetime | None:
    number = _number(value)
    if number is not None:
        if number >= _UNIX_TIME_FLOOR:
            return datetime.fromtimestamp(number, UTC)
        return now + timedelta(seconds=max(0.0, number))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _http_date(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _meta_remaining(value: str) -> int | None:
    try:
        usage = json.loads(value)
    except ValueError:
        return None
    if not isinstance(usage, dict):
        return None
    used = [float(v) for v in usage.values() if isinstance(v, int | float)]
    # Meta throttles on whichever of call count, CPU time and total time reaches 100 first.
    return max(0, 100 - math.ceil(max(used))) if used else None


def parse_rate_limit(
    headers: Mapping[str, str], *, status: int = 200, now: datetime | None = None
) -> RateLimit:
    """The budget the headers describe; `retry_after` only when `status` is 429."""
    now = now or datetime.now(UTC)
    lower = {key.lower(): value.strip() for key, value in headers.items()}
    remaining: int | None = None
    for name in ("x-ratelimit-remaining", "x-rate-limit-remaining"):
        if (number := _number(lower.get(name, ""))) is not None:
            remaining = max(0, math.floor(number))  # Reddit sends a float ("598.0")
            break
    if remaining is None and "x-app-usage" in lower:
        remaining = _meta_remaining(lower["x-app-usage"])
    reset_at: datetime | None = None
    for name in ("x-ratelimit-reset", "x-rate-limit-reset"):
        if name in lower and (reset_at := _reset(lower[name], now)) is not None:
            break
    retry_after: float | None = None
    if status == 429:
        if "retry-after" in lower:
            retry_after = retry_after_seconds(lower["retry-after"], now=now)
        if retry_after is None and reset_at is not None:
            retry_after = max(0.0, (reset_at - now).total_seconds())
        if retry_after is None:
            retry_after = DEFAULT_RETRY_AFTER
    return RateLimit(remaining=remaining, reset_at=reset_at, retry_after=retry_after)


def refusal(response: httpx.Response, *, now: datetime | None = None) -> Page | None:
    """What to return instead of data: for a 429, an empty page with the cursor unchanged and
    `retry_after` set (never an exception: nothing was lost, only delayed). Any other error
    status raises httpx.HTTPStatusError for the runner to record; None when there is data."""
    if response.status_code == 429:
        rate = parse_rate_limit(response.headers, status=429, now=now)
        return Page(items=[], cursor=None, rate=rate)
    response.raise_for_status()
    return None
