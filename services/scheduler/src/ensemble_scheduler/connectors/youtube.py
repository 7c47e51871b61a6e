"""Replying on YouTube through the Data API v3 (developers.google.com/youtube/v3: docs/comments,
docs/commentThreads, docs/errors, determine_quota_cost).

Ingest stores a YouTube mention as the video it heard of (its external id is the 11-character
video id); a comment id can also be given by a person. So `in_reply_to` is either:
a video id — the answer is a top-level comment, `POST /youtube/v3/commentThreads?part=snippet`
with `snippet.videoId` and `topLevelComment.snippet.textOriginal`; or a comment id — the
answer goes in its thread, `POST /youtube/v3/comments?part=snippet` with `snippet.parentId`.
YouTube nests one level: a reply's id is `{top}.{reply}`, and an answer to it joins `{top}`.
A post without a thread is refused (no video upload). The token is an OAuth bearer with
`youtube.force-ssl`; the account's `target` is the channel id the comments are written as.

Errors are Google's envelope `{"error": {"code", "message", "errors": [{"reason", "domain"}]}}`.
`rateLimitExceeded` / `userRateLimitExceeded` (403) and 429 are short-term limits: the request
was not taken, so it is sent again after `Retry-After` or `BACKOFF` seconds (`calls.call`).
`quotaExceeded` is the project's daily quota (10,000 units by default; an insert costs 50): it
is refused, with the time the quota resets (midnight Pacific time), rather than left unknown.
Unknown would post by itself whenever the quota came back, up to a day late, while every look-up
meanwhile spends the same exhausted quota; a refusal lets a person judge whether a day-old
answer still makes sense and schedule it again. 401 is a token Google no longer honours:
refused, reconnect the account. 5xx (`backendError`) and timeouts are unknown.

Google keeps no idempotency key for comments, so an unknown outcome is settled by reading the
thread back — `GET /youtube/v3/comments?parentId=` (every page up to `MAX_PAGES`, their order is
not documented) or `GET /youtube/v3/commentThreads?videoId=&order=time` (newest first) —
matching `textOriginal`, `publishedAt` after the attempt began (2 minutes of skew allowed) and
the account's channel as `authorChannelId`. Blind spot: the same approved text twice in one
thread within minutes cannot be told apart; and a comment YouTube holds for review is not
listed to its author's look-up at once, so it may read as absent until the settle time passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from ensemble_scheduler.connectors.calls import Failed, accepted, bearer, call, wait_of
from ensemble_scheduler.models.limits import LIMITS
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Found,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
    Unknown,
    Unreachable,
)

API = "/youtube/v3"
SKEW = timedelta(minutes=2)
PAGE = 100  # maxResults' largest value
MAX_PAGES = 5
BACKOFF = 2.0
"""Seconds before sending a rate-limited request again when Google gave no Retry-After."""
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
PACIFIC = ZoneInfo("America/Los_Angeles")
MAX_TEXT = LIMITS["youtube"].text

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_COMMENT_ID = re.compile(r"[A-Za-z0-9_-]{12,}(\.[A-Za-z0-9_-]+)?")


@dataclass(frozen=True)
class OnVideo:
    video: str


@dataclass(frozen=True)
class InThread:
    top: str  # the top-level comment whose thread the answer joins


def target_of(in_reply_to: str) -> OnVideo | InThread:
    """Where an answer to `in_reply_to` goes; ValueError when it is no video or comment id."""
    if _VIDEO_ID.fullmatch(in_reply_to):
        return OnVideo(in_reply_to)
    if _COMMENT_ID.fullmatch(in_reply_to):
        return InThread(in_reply_to.split(".", 1)[0])
    raise ValueError(f"in_reply_to: {in_reply_to!r} is not a YouTube video or comment id")


def comment_body(where: OnVideo | InThread, text: str) -> dict[str, Any]:
    if isinstance(where, OnVideo):
        top = {"snippet": {"textOriginal": text}}
        return {"snippet": {"videoId": where.video, "topLevelComment": top}}
    return {"snippet": {"parentId": where.top, "textOriginal": text}}


def reasons_of(response: httpx.Response) -> tuple[int | None, str, list[str]]:
    """(code, message, reasons) of Google's error envelope; empty when the body is not one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None, response.text[:300], []
    if not isinstance(error, dict):
        return None, response.text[:300], []
    listed = [e for e in error.get("errors") or [] if isinstance(e, dict)]
    code = error.get("code")
    reasons = [str(e.get("reason")) for e in listed if e.get("reason")]
    return (code if isinstance(code, int) else None), str(error.get("message", "")), reasons


def limited(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    return response.status_code == 403 and bool(RATE_REASONS & set(reasons_of(response)[2]))


def limit_wait(response: httpx.Response) -> float:
    return wait_of(response) or BACKOFF


def quota_resets(now: datetime) -> datetime:
    """The next midnight Pacific time, when Google resets daily quotas."""
    local = now.astimezone(PACIFIC)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


def failure(response: httpx.Response, what: str, now: datetime | None = None) -> Refused | Unknown:
    """Google's error envelope as an outcome with a reason people can read."""
    status = response.status_code
    _, message, reasons = reasons_of(response)
    said = f"HTTP {status}" + (f" {', '.join(reasons)}" if reasons else "") + f": {message}"
    if status == 401:
        return Refused(
            f"{what}: Google no longer accepts this account's access token ({said}); "
            "reconnect the account"
        )
    if QUOTA_REASONS & set(reasons):
        at = quota_resets(now or datetime.now(UTC))
        return Refused(
            f"{what}: the YouTube API's daily quota is spent ({said}); it resets at "
            f"{at:%Y-%m-%d %H:%M} UTC (midnight Pacific time): schedule the item again after"
        )
    if status == 408 or status >= 500:
        return Unknown(f"{what}: {said}")
    return Refused(f"{what}: {said}")


def watch_url(video: str | None, comment: str) -> str | None:
    return f"https://www.youtube.com/watch?v={video}&lc={comment}" if video else None


def _published(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class YouTubeConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _google(
        self, account: ChannelAccount, verb: str, resource: str, what: str, **kwargs: Any
    ) -> dict[str, Any]:
        answer = await call(
            self._http,
            verb,
            f"{str(account.base_url).rstrip('/')}{API}/{resource}",
            headers=bearer(account),
            timeout=account.timeout_seconds,
            limited=limited,
            wait_for=limit_wait,
            **kwargs,
        )
        body: dict[str, Any] = accepted(answer, (200,), lambda r: failure(r, what)).json()
        return body

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        if not request.in_reply_to:
            return Refused("YouTube channels publish replies only (to a video or a comment)")
        if not request.text.strip():
            return Refused("YouTube takes no empty comment")
        if len(request.text) > MAX_TEXT:
            return Refused(f"text: {len(request.text)} characters, YouTube takes {MAX_TEXT}")
        try:
            where = target_of(request.in_reply_to)
        except ValueError as exc:
            return Refused(str(exc))
        resource = "commentThreads" if isinstance(where, OnVideo) else "comments"
        try:
            made = await self._google(
                account,
                "POST",
                resource,
                "the comment",
                params={"part": "snippet"},
                json=comment_body(where, request.text),
            )
            if isinstance(where, OnVideo):
                comment = made["snippet"]["topLevelComment"]
                return Posted(str(comment["id"]), watch_url(where.video, str(comment["id"])))
            video = (made.get("snippet") or {}).get("videoId")
            return Posted(str(made["id"]), watch_url(video, str(made["id"])))
        except Failed as failed:
            return failed.outcome
        except (ValueError, KeyError, TypeError):
            return Unknown("the comment: a success answer without the comment's id")

    async def _search(
        self,
        account: ChannelAccount,
        resource: str,
        params: dict[str, str],
        comments: Callable[[dict[str, Any]], dict[str, Any]],
        match: Callable[[dict[str, Any]], bool],
        floor: datetime | None,
    ) -> dict[str, Any] | None:
        """The first listed comment `match` accepts; with `floor` (a list newest first) reading
        stops at the first comment older than it. Failed when Google cannot say."""
        token: str | None = None
        for _ in range(MAX_PAGES):
            query = {**params, "maxResults": str(PAGE)} | ({"pageToken": token} if token else {})
            page = await self._google(account, "GET", resource, f"GET {resource}", params=query)
            items = [comments(i) for i in page.get("items") or []]
            hit = next((c for c in items if match(c)), None)
            if hit is not None:
                return hit
            token = page.get("nextPageToken")
            times = [_published((c.get("snippet") or {}).get("publishedAt")) for c in items]
            if not token or (floor is not None and any(t and t < floor for t in times)):
                return None
        raise Failed(Unknown(f"GET {resource}: more comments since the attempt than read"))

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        if not request.in_reply_to:
            return Absent()  # nothing is ever posted without a thread
        try:
            where = target_of(request.in_reply_to)
        except ValueError:
            return Absent()  # refused before sending
        floor = since - SKEW

        def match(comment: dict[str, Any]) -> bool:
            snippet = comment.get("snippet") or {}
            at = _published(snippet.get("publishedAt"))
            author = (snippet.get("authorChannelId") or {}).get("value")
            return (
                at is not None
                and at >= floor
                and snippet.get("textOriginal") == request.text
                and (account.target is None or author == account.target)
            )

        base = {"part": "snippet", "textFormat": "plainText"}
        try:
            if isinstance(where, OnVideo):
                hit = await self._search(
                    account,
                    "commentThreads",
                    {**base, "videoId": where.video, "order": "time"},
                    lambda thread: (thread.get("snippet") or {}).get("topLevelComment") or {},
                    match,
                    floor,
                )
                video: str | None = where.video
            else:
                params = {**base, "parentId": where.top}
                hit = await self._search(account, "comments", params, lambda c: c, match, None)
                video = None if hit is None else (hit.get("snippet") or {}).get("videoId")
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        if hit is None:
            return Absent()
        return Found(str(hit["id"]), watch_url(video, str(hit["id"])))
