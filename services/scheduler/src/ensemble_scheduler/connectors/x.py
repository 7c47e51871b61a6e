"""Publishing on X through API v2 (docs.x.com: x-api/posts/manage-tweets, x-api/media/upload,
x-api/posts/timelines, fundamentals/response-codes-and-errors, fundamentals/rate-limits).

The token is the channel's OAuth 2.0 user-context access token (scopes `tweet.write`,
`users.read`, `tweet.read`, `media.write`), sent as `Authorization: Bearer`. A post is
`POST /2/tweets` with `{"text"}`; a reply adds `"reply": {"in_reply_to_tweet_id"}`, the id of
the mention ingest stored, so it shows in the mention's thread. The item's media links are
fetched through the outbound guard (5 MB, JPEG/PNG/GIF/WEBP, four at most), each uploaded with
`POST /2/media/upload` (multipart `media`, `media_category=tweet_image`), and attached as
`"media": {"media_ids"}`; the text then goes without their addresses. Text is counted as X
counts it (`weighted`: links 23, CJK and emoji 2) and refused over 280 before anything is sent.

Errors come as problem details (`{"title", "detail", "type", "status"}`) or `{"errors": [...]}`:
a 401 is a token X no longer honours (refused: reconnect the account); a 403 is refused with
X's reason (duplicate content, a reply X does not allow, an app without posting access); a 429
is not taken, and is sent again after `x-rate-limit-reset` when that is soon (`calls.call`),
else left unknown; 5xx and timeouts may have been taken: unknown.

X keeps no idempotency key, so an unknown outcome is settled by reading the account's own
timeline since the attempt began (`GET /2/users/{id}/tweets?start_time=`, the user id being the
account's `target` or `GET /2/users/me`): a post with the same text (links compared as links,
since X rewrites them to t.co; the t.co link X appends for attached media left out), created
after the attempt started (2 minutes of clock skew allowed), replying to the same post. The
blind spot: the same text posted on the same thread by hand from X's own app within those
minutes would be taken for ours (X itself refuses an exact duplicate of a recent post, which
narrows it); and the lookup reads the 500 newest posts since the attempt at most.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed, with_token
from ensemble_scheduler.connectors.media import MediaFile, caption_of, fetch
from ensemble_scheduler.connectors.weighted import MAX_WEIGHTED, links, weighted_length
from ensemble_scheduler.models.limits import media_rules
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

SKEW = timedelta(minutes=2)
PAGE = 100  # the timeline's max_results
MAX_PAGES = 5
FIELDS = "created_at,text,referenced_tweets,attachments"
RULES = media_rules("x")
_MEDIA_LINK = re.compile(r"\s*https://t\.co/\w+\s*$")


def status_url(post_id: str) -> str:
    return f"https://x.com/i/web/status/{post_id}"


def text_of(request: PublicationRequest) -> str:
    """What the post says: with uploaded images, without their addresses."""
    return caption_of(request) if request.media else request.text


def refusal(request: PublicationRequest) -> Refused | None:
    """Why X would not take the post, known before sending (None when it would)."""
    text = text_of(request)
    if not text.strip() and not request.media:
        return Refused("X takes no empty post")
    if len(request.media) > RULES.most:
        return Refused(f"media: {len(request.media)} images, X takes {RULES.most} at most")
    length = weighted_length(text)
    if length > MAX_WEIGHTED:
        return Refused(
            f"text: {length} characters as X counts them (links 23, CJK and emoji 2), X takes "
            f"{MAX_WEIGHTED} at most"
        )
    return None


def tweet_body(text: str, in_reply_to: str | None, media_ids: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if in_reply_to:
        body["reply"] = {"in_reply_to_tweet_id": in_reply_to}
    if media_ids:
        body["media"] = {"media_ids": media_ids}
    return body


def reason_of(response: httpx.Response) -> str:
    """X's words for an error: the problem's detail (or title), and each listed error."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return response.text[:300]
    said = [str(body.get("detail") or body.get("title") or "")]
    errors = body.get("errors")
    if isinstance(errors, list):
        said += [
            str(e.get("detail") or e.get("message") or "") for e in errors if isinstance(e, dict)
        ]
    return "; ".join(dict.fromkeys(s for s in said if s)) or f"HTTP {response.status_code}"


def failure(response: httpx.Response, what: str) -> Refused | Unknown:
    status, reason = response.status_code, reason_of(response)
    if status == 401:
        return Refused(
            f"{what}: X no longer accepts this account's access token ({reason}); reconnect "
            "the account"
        )
    if status == 408 or status >= 500:
        return Unknown(f"{what}: HTTP {status}: {reason}")
    return Refused(f"{what}: HTTP {status}: {reason}")


def only_429(response: httpx.Response) -> bool:
    """X's rate limit is a 429; a 403 is a refusal even when the budget is spent."""
    return response.status_code == 429


def canonical(text: str) -> str:
    """Text as compared when settling: entities unescaped, NFC, every link the same token."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    for start, end in reversed(links(text)):
        text = f"{text[:start]}\u2060link\u2060{text[end:]}"
    return text.strip()


def _created(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Match:
    """Whether a post of the timeline is the one an attempt may have made."""

    text: str
    in_reply_to: str | None
    since: datetime

    def __call__(self, post: dict[str, Any]) -> bool:
        at = _created(post.get("created_at"))
        if at is None or at < self.since - SKEW:
            return False
        text = str(post.get("text", ""))
        if (post.get("attachments") or {}).get("media_keys"):
            text = _MEDIA_LINK.sub("", text)
        replied = [
            str(r.get("id"))
            for r in post.get("referenced_tweets") or []
            if isinstance(r, dict) and r.get("type") == "replied_to"
        ]
        wanted = [self.in_reply_to] if self.in_reply_to else []
        return replied == wanted and canonical(text) == canonical(self.text)


class XConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._users: dict[tuple[str, str, int], str] = {}

    async def _send(
        self, account: ChannelAccount, verb: str, path: str, **kwargs: Any
    ) -> httpx.Response | Refused | Unknown:
        url = f"{str(account.base_url).rstrip('/')}{path}"
        return await with_token(self._http, account, verb, url, limited=only_429, **kwargs)

    async def _data(
        self, account: ChannelAccount, verb: str, path: str, what: str, **kwargs: Any
    ) -> dict[str, Any]:
        """The `data` of a success answer; Failed with the outcome otherwise."""
        answer = await self._send(account, verb, path, **kwargs)
        if not isinstance(answer, httpx.Response):
            raise Failed(answer)
        if answer.status_code not in (200, 201):
            raise Failed(failure(answer, what))
        try:
            data: dict[str, Any] = answer.json()["data"]
            return data
        except (ValueError, KeyError, TypeError):
            raise Failed(Unknown(f"{what}: a success answer without its data")) from None

    async def _upload(self, account: ChannelAccount, image: MediaFile) -> str:
        data = await self._data(
            account,
            "POST",
            "/2/media/upload",
            f"uploading {image.url}",
            files={"media": (image.name, image.data, image.mime)},
            data={"media_category": "tweet_image", "media_type": image.mime},
        )
        return str(data["id"])

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        refused = refusal(request)
        if refused is not None:
            return refused
        try:
            media_ids = []
            for url in request.media:
                image = await fetch(
                    self._http, url, RULES, platform="X", seconds=account.timeout_seconds
                )
                media_ids.append(await self._upload(account, image))
            body = tweet_body(text_of(request), request.in_reply_to, media_ids)
            what = "the reply" if request.in_reply_to else "the post"
            post = await self._data(account, "POST", "/2/tweets", what, json=body)
            post_id = str(post["id"])
        except Failed as failed:
            return failed.outcome
        except (KeyError, TypeError):
            return Unknown("a success answer without the post's id")
        return Posted(post_id, status_url(post_id))

    async def delete(self, account: ChannelAccount, post_id: str) -> Refused | Unknown | None:
        """`DELETE /2/tweets/{id}` of one of the account's posts (None once gone)."""
        try:
            await self._data(account, "DELETE", f"/2/tweets/{post_id}", "deleting the post")
        except Failed as failed:
            return failed.outcome
        return None

    async def _user(self, account: ChannelAccount) -> str:
        """The account's user id: its `target`, else asked once from `/2/users/me`."""
        if account.target:
            return account.target
        key = (account.workspace, account.channel, account.revision)
        if key not in self._users:
            me = await self._data(account, "GET", "/2/users/me", "GET /2/users/me")
            self._users[key] = str(me["id"])
        return self._users[key]

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        if refusal(request) is not None:
            return Absent()  # refused before sending: nothing can exist
        match = Match(text_of(request), request.in_reply_to, since)
        start = (since - SKEW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            path = f"/2/users/{await self._user(account)}/tweets"
            token: str | None = None
            for _ in range(MAX_PAGES):
                params = {"start_time": start, "max_results": str(PAGE), "tweet.fields": FIELDS}
                if token:
                    params["pagination_token"] = token
                answer = await self._send(account, "GET", path, params=params)
                if not isinstance(answer, httpx.Response):
                    return Unreachable(answer.reason)
                if answer.status_code != 200:
                    return Unreachable(failure(answer, f"GET {path}").reason)
                page = answer.json()
                hit = next((p for p in page.get("data") or [] if match(p)), None)
                if hit is not None:
                    return Found(str(hit["id"]), status_url(str(hit["id"])))
                token = (page.get("meta") or {}).get("next_token")
                if not token:
                    return Absent()
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        return Unreachable(f"GET {path}: more posts since the attempt than the lookup reads")
