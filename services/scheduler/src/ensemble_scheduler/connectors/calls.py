"""One outbound call as every platform connector makes it: the platform's rate-limit answer
honoured, and transport failures sorted into never-sent and maybe-sent.

A 429 (and GitHub's secondary limit, a 403 with `retry-after`) is a request the platform did
not take, so it is sent again after the wait the platform asks for — a bounded number of
times, and only while the wait is short: a publish does not sleep for minutes holding its
attempt; it stays unknown and is settled by asking the platform. A 5xx or a timeout is never
resent here: the post may exist (`find` settles it).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from ensemble_scheduler.models.publishing import ChannelAccount, Refused, Unknown
from ensemble_shared.outbound import RefusedRequest

log = logging.getLogger(__name__)

TRIES = 3
"""Sends of one request at most (the first and two after a rate-limit answer)."""
MAX_WAIT = 30.0
"""The longest rate-limit wait slept through inside a publish, in seconds."""

Sleep = Callable[[float], Awaitable[None]]


def wait_of(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds the platform asks to wait before trying again, or None when it did not say.

    `Retry-After` (seconds or an HTTP date: Slack, GitHub's secondary limits), else a reset
    time in epoch seconds once the remaining budget is 0 (Bluesky's `ratelimit-reset`,
    GitHub's `x-ratelimit-reset`, X's `x-rate-limit-reset` and, for its daily post cap,
    `x-user-limit-24hour-reset`)."""
    now = now or datetime.now(UTC)
    after = response.headers.get("retry-after")
    if after:
        try:
            return max(0.0, float(after))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(after)
        except (TypeError, ValueError):
            return None  # neither form: as if the platform had not said
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - now).total_seconds())
    for prefix in ("ratelimit-", "x-ratelimit-", "x-rate-limit-", "x-user-limit-24hour-"):
        if response.headers.get(f"{prefix}remaining") == "0":
            reset = response.headers.get(f"{prefix}reset", "")
            try:
                return max(0.0, float(reset) - now.timestamp())
            except ValueError:
                return None
    return None


def rate_limited(response: httpx.Response) -> bool:
    """429, or a 403 that carries a wait or an exhausted budget (GitHub's documented shapes)."""
    if response.status_code == 429:
        return True
    return response.status_code == 403 and wait_of(response) is not None


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    sleep: Sleep = asyncio.sleep,
    limited: Callable[[httpx.Response], bool] = rate_limited,
    wait_for: Callable[[httpx.Response], float | None] = wait_of,
    **kwargs: Any,
) -> httpx.Response | Refused | Unknown:
    """Send, honouring rate-limit answers. A response (any status but a rate limit), Refused
    when the request was never sent, Unknown when it may have been taken. `limited` and
    `wait_for` read a platform's own rate-limit shapes (Graph's error codes and usage headers)."""
    for tries in range(1, TRIES + 1):
        try:
            response = await http.request(method, url, **kwargs)
        except RefusedRequest as exc:  # an address the system does not call
            return Refused(str(exc))
        except httpx.HTTPError as exc:  # timeout, reset: it may have been taken
            return Unknown(f"{type(exc).__name__}: {exc}")
        if not limited(response):
            return response
        wait = wait_for(response)
        reason = f"HTTP {response.status_code}: rate limited" + (
            f", retry after {wait:.0f} s" if wait is not None else ""
        )
        if tries == TRIES or wait is None or wait > MAX_WAIT:
            return Unknown(reason)  # not taken; the attempt is settled later
        log.info("%s %s: %s; sending again", method, url, reason)
        await sleep(wait)
    raise AssertionError("unreachable")  # the loop returns on its last try


async def with_token(
    http: httpx.AsyncClient, account: ChannelAccount, method: str, url: str, **kwargs: Any
) -> httpx.Response | Refused | Unknown:
    """`call` with the account's access token as `Authorization: Bearer` (so it never shows in
    a URL or a log line) and the account's timeout."""
    token = account.access_token.get_secret_value() if account.access_token else ""
    headers = {"authorization": f"Bearer {token}"}
    return await call(http, method, url, headers=headers, timeout=account.timeout_seconds, **kwargs)


class Failed(Exception):
    """A step of a publication (signing in, finding the thread) failed: the outcome to report."""

    def __init__(self, outcome: Refused | Unknown) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome


def unexpected(response: httpx.Response) -> Refused | Unknown:
    """A status that is not success: 408/5xx may have been taken; other 4xx are for good."""
    if response.status_code == 408 or response.status_code >= 500:
        return Unknown(f"HTTP {response.status_code}")
    return Refused(f"HTTP {response.status_code}: {response.text[:300]}")


def accepted(
    answer: httpx.Response | Refused | Unknown,
    ok: tuple[int, ...],
    failure: Callable[[httpx.Response], Refused | Unknown],
) -> httpx.Response:
    """The answer when its status is one of `ok`; Failed with the outcome otherwise (`failure`
    reads the platform's own error envelope)."""
    if not isinstance(answer, httpx.Response):
        raise Failed(answer)
    if answer.status_code not in ok:
        raise Failed(failure(answer))
    return answer


def bearer(account: ChannelAccount) -> dict[str, str]:
    """The account's access token as an `Authorization` header (never in a URL or a log)."""
    token = account.access_token.get_secret_value() if account.access_token else ""
    return {"authorization": f"Bearer {token}"}
