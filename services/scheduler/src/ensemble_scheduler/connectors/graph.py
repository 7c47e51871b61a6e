"""What the Facebook and Instagram connectors share: Meta's Graph API at a pinned version, the
page (or Instagram) access token, the error envelope and throttling
(developers.facebook.com/docs/graph-api: guides/error-handling, overview/rate-limiting).

Every error is `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
Codes 4, 17, 32 and 613 (and HTTP 429) are throttling: the request was not taken, so
`calls.call` sends it again after the wait Meta estimates — `estimated_time_to_regain_access`
(minutes) in the `x-business-use-case-usage` or `x-app-usage` header — or, when no header
says, after `BACKOFF` seconds; a wait longer than `calls.MAX_WAIT` leaves the outcome unknown,
settled later by asking. Code 190 is a token Meta no longer honours (expired, revoked, password
changed): refused with a reason that says to reconnect the account. Codes 1 and 2, errors
flagged `is_transient`, 5xx and timeouts may have been taken: unknown. Any other error refuses
with Meta's own message.

The token travels as `Authorization: Bearer` (Graph accepts it there as well as in
`access_token`), so it never appears in a URL or a log line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed, wait_of, with_token
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Found,
    Lookup,
    PublicationRequest,
    Refused,
    Unknown,
    Unreachable,
)

VERSION = "v21.0"
"""The Graph API version every call names (Meta keeps a version for two years at least)."""
RATE_CODES = frozenset({4, 17, 32, 613})
TOKEN_CODES = frozenset({190})
TRANSIENT_CODES = frozenset({1, 2})
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage")
BACKOFF = 2.0
"""Seconds before sending a throttled request again when Meta gave no estimate."""
SKEW = timedelta(minutes=2)
PAGE = 100
MAX_PAGES = 3


@dataclass(frozen=True)
class GraphError:
    message: str
    type: str
    code: int | None
    subcode: int | None
    trace: str | None
    transient: bool


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_of(response: httpx.Response) -> GraphError | None:
    """The documented error envelope, or None when the body is not one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    return GraphError(
        message=str(error.get("message", "")),
        type=str(error.get("type", "")),
        code=_int(error.get("code")),
        subcode=_int(error.get("error_subcode")),
        trace=error.get("fbtrace_id"),
        transient=bool(error.get("is_transient")),
    )


def throttled(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    error = error_of(response) if response.status_code >= 400 else None
    return error is not None and error.code in RATE_CODES


def regain_minutes(response: httpx.Response) -> float | None:
    """The longest `estimated_time_to_regain_access` of the usage headers, in minutes. The
    business-use-case header maps business ids to lists of usages; the app header is flat."""
    found: list[float] = []
    for name in USAGE_HEADERS:
        raw = response.headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries: list[Any] = [usage]
        if isinstance(usage, dict):
            entries += [u for v in usage.values() if isinstance(v, list) for u in v]
        for entry in entries:
            if isinstance(entry, dict) and "estimated_time_to_regain_access" in entry:
                try:
                    found.append(float(entry["estimated_time_to_regain_access"]))
                except (TypeError, ValueError):
                    continue
    return max(found) if found else None


def throttle_wait(response: httpx.Response) -> float:
    """Seconds before sending again: Meta's estimate, else `Retry-After`, else `BACKOFF`."""
    minutes = regain_minutes(response)
    if minutes is not None and minutes > 0:
        return minutes * 60
    return wait_of(response) or BACKOFF


def failure(response: httpx.Response, what: str) -> Refused | Unknown:
    """A Graph answer that is not a success, as an outcome with a reason people can read."""
    status = response.status_code
    error = error_of(response)
    if error is None:
        if status == 408 or status >= 500:
            return Unknown(f"{what}: HTTP {status}")
        return Refused(f"{what}: HTTP {status}: {response.text[:300]}")
    code = f"{error.code}" + (f"/{error.subcode}" if error.subcode else "")
    if error.code in TOKEN_CODES:
        return Refused(
            f"{what}: Meta no longer accepts this account's access token (Graph error {code}: "
            f"{error.message}); reconnect the account"
        )
    if status >= 500 or error.transient or error.code in TRANSIENT_CODES:
        return Unknown(f"{what}: HTTP {status}, Graph error {code}: {error.message}")
    return Refused(f"{what}: Graph error {code}: {error.message}")


def created(value: Any) -> datetime | None:
    """Graph's times (`2026-12-07T16:20:00+0000`)."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Match:
    """Whether a listed post or comment is the one an attempt may have made: the same text,
    made since the attempt began (clocks allowed `SKEW`), and by the account when Graph says
    who wrote it."""

    text: str
    text_field: str
    time_field: str
    author: str | None
    since: datetime

    def __call__(self, item: dict[str, Any]) -> bool:
        at = created(item.get(self.time_field))
        if at is None or at < self.since - SKEW or item.get(self.text_field) != self.text:
            return False
        writer = (item.get("from") or {}).get("id")
        return self.author is None or writer is None or str(writer) == self.author


class Graph:
    """Graph API calls for one account: versioned paths, the bearer token, Meta's throttling."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def send(
        self, account: ChannelAccount, verb: str, path: str, **kwargs: Any
    ) -> httpx.Response | Refused | Unknown:
        return await with_token(
            self._http,
            account,
            verb,
            f"{str(account.base_url).rstrip('/')}/{VERSION}/{path.lstrip('/')}",
            limited=throttled,
            wait_for=throttle_wait,
            **kwargs,
        )

    async def post(
        self, account: ChannelAccount, path: str, what: str, form: dict[str, str]
    ) -> str:
        """The id a successful write answers with; Failed with the outcome otherwise."""
        answer = await self.send(account, "POST", path, data=form)
        if not isinstance(answer, httpx.Response):
            raise Failed(answer)
        if answer.status_code != 200:
            raise Failed(failure(answer, what))
        try:
            return str(answer.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise Failed(Unknown(f"{what}: a success answer without an id")) from None

    async def reply(self, account: ChannelAccount, request: PublicationRequest, edge: str) -> str:
        """A reply under the mention (`POST /{id}/{edge}` with `message`): its id, or Failed."""
        path = f"{request.in_reply_to}/{edge}"
        return await self.post(account, path, "the reply", {"message": request.text})

    async def permalink(self, account: ChannelAccount, object_id: str) -> str | None:
        """The object's address on facebook.com or instagram.com (`permalink_url`), or None
        when Graph does not give it: the post is out either way, its link is a courtesy."""
        answer = await self.send(account, "GET", object_id, params={"fields": "permalink_url"})
        if not isinstance(answer, httpx.Response) or answer.status_code != 200:
            return None
        try:
            url = answer.json().get("permalink_url")
        except (ValueError, AttributeError):
            return None
        return url if isinstance(url, str) and url.startswith("https://") else None

    async def search(
        self,
        account: ChannelAccount,
        path: str,
        params: dict[str, str],
        match: Match,
    ) -> dict[str, Any] | None:
        """The first listed item `match` accepts, reading up to `MAX_PAGES` pages (newest
        first); Failed when Graph does not answer or there is more to read than that."""
        after: str | None = None
        for _ in range(MAX_PAGES):
            query = {**params, "limit": str(PAGE)} | ({"after": after} if after else {})
            answer = await self.send(account, "GET", path, params=query)
            if not isinstance(answer, httpx.Response):
                raise Failed(answer)
            if answer.status_code != 200:
                raise Failed(failure(answer, f"GET {path}"))
            try:
                body = answer.json()
                items: list[dict[str, Any]] = body.get("data") or []
                hit = next((i for i in items if match(i)), None)
                if hit is not None:
                    return hit
                paging = body.get("paging") or {}
                after = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
            except (ValueError, AttributeError, TypeError) as exc:
                raise Failed(Unknown(f"GET {path}: {type(exc).__name__}: {exc}")) from None
            if not after:
                return None
        raise Failed(Unknown(f"GET {path}: more items since the attempt than the lookup reads"))

    async def lookup(
        self,
        account: ChannelAccount,
        path: str,
        params: dict[str, str],
        match: Match,
        url_of: Callable[[dict[str, Any]], str | None],
    ) -> Lookup:
        """`search` as a reconciliation answer: Found (with the post's address), Absent, or
        Unreachable when Graph could not say."""
        try:
            hit = await self.search(account, path, params, match)
            return Found(str(hit["id"]), url_of(hit)) if hit is not None else Absent()
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        except (KeyError, TypeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
