"""Publishing as a LinkedIn organisation through the versioned REST API (learn.microsoft.com/
linkedin/marketing/community-management: shares/posts-api, shares/images-api,
shares/comments-api, shares/little-text-format).

Every call names the pinned `LinkedIn-Version` (LinkedIn sunsets a version about a year after
it ships, so this constant moves yearly) and `X-Restli-Protocol-Version: 2.0.0`; the token is
a bearer with `w_organization_social` (and `r_organization_social` for the look-ups), sealed at
rest like every credential. The account's `target` is the organisation id.

A post is `POST /rest/posts` as `urn:li:organization:{target}`, PUBLIC on the MAIN_FEED,
PUBLISHED; LinkedIn answers 201 with the post's URN in `x-restli-id`. Its commentary is
"little" text, where `\\ | { } @ [ ] ( ) < > # * _ ~` are markup: each is escaped with a
backslash, except a word hashtag, which becomes LinkedIn's hashtag template so it still links.
Images are fetched (guarded, size-capped: `media.fetch`), registered with
`POST /rest/images?action=initializeUpload`, their bytes PUT to the `uploadUrl` LinkedIn gave,
and the post names the image URN (`content.media`, or `content.multiImage` from two).
A reply is a comment, `POST /rest/socialActions/{urn}/comments` with the organisation as
actor; LinkedIn is not an ingest source, so `in_reply_to` is the post (or comment) URN a person
gave. A comment's text is plain, not little text.

Errors come as `{"status", "serviceErrorCode", "code", "message"}`: 401 is a token LinkedIn no
longer honours (reconnect the account), 429 is waited out when LinkedIn says how long
(`calls.call`) and otherwise left unknown, 5xx and timeouts are unknown, other 4xx refuse.

LinkedIn keeps no idempotency key, so an unknown outcome is settled by reading back: the
organisation's posts (`GET /rest/posts?q=author`, newest created first) or the comments under
the post, matched on the exact text, the organisation as author and a creation time after the
attempt began (2 minutes of clock skew allowed). Blind spots: the same approved text twice on
one thread within minutes cannot be told apart, and a post LinkedIn took but does not list yet
(its finder is eventually consistent) reads as absent — which is why a new attempt waits the
settle time before posting again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from ensemble_scheduler.connectors.calls import Failed, accepted, bearer, call
from ensemble_scheduler.connectors.media import MediaFile, caption_of, fetch
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

VERSION = "202611"
"""The LinkedIn-Version (YYYYMM) every call names."""
PROTOCOL = "2.0.0"
SKEW = timedelta(minutes=2)
PAGE = 50
MAX_PAGES = 4
RULES = LIMITS["linkedin"]

_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_HASHTAG = re.compile(r"(?<![\w#\\])#([^\W\d_]\w*)")
_POST_URN = re.compile(r"urn:li:(share|ugcPost|activity):\d+")
_COMMENT_URN = re.compile(
    r"urn:li:comment:\((?P<object>urn:li:(?:activity|ugcPost|share):\d+),\d+\)"
)


def escaped(text: str) -> str:
    """Plain text as little text: every reserved character backslash-escaped."""
    return _RESERVED.sub(r"\\\1", text)


def little(text: str) -> str:
    """The commentary of a post: `text` escaped, its word hashtags as hashtag templates."""
    out: list[str] = []
    last = 0
    for match in _HASHTAG.finditer(text):
        out.append(escaped(text[last : match.start()]))
        out.append(f"{{hashtag|\\#|{escaped(match.group(1))}}}")
        last = match.end()
    out.append(escaped(text[last:]))
    return "".join(out)


def organization(account: ChannelAccount) -> str:
    return f"urn:li:organization:{account.target}"


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


@dataclass(frozen=True)
class Thread:
    """Where a comment goes: the post (`object`), and the comment it answers, if any."""

    object: str
    parent: str | None = None

    @property
    def on(self) -> str:
        return self.parent or self.object


def thread_of(in_reply_to: str) -> Thread:
    """A post URN or a comment URN; ValueError for anything else."""
    if _POST_URN.fullmatch(in_reply_to):
        return Thread(in_reply_to)
    comment = _COMMENT_URN.fullmatch(in_reply_to)
    if comment is not None:
        return Thread(comment["object"], in_reply_to)
    raise ValueError(
        f"in_reply_to: {in_reply_to!r} is not a LinkedIn post URN (urn:li:share:…, "
        "urn:li:ugcPost:…, urn:li:activity:…) or comment URN"
    )


def post_body(account: ChannelAccount, commentary: str, images: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "author": organization(account),
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if len(images) == 1:
        body["content"] = {"media": {"id": images[0]}}
    elif images:
        body["content"] = {"multiImage": {"images": [{"id": i} for i in images]}}
    return body


def comment_body(account: ChannelAccount, thread: Thread, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "actor": organization(account),
        "object": thread.object,
        "message": {"text": text},
    }
    if thread.parent:
        body["parentComment"] = thread.parent
    return body


def failure(response: httpx.Response, what: str) -> Refused | Unknown:
    """LinkedIn's error envelope as an outcome with a reason people can read."""
    status = response.status_code
    try:
        error = response.json()
        error = error if isinstance(error, dict) else {}
    except ValueError:
        error = {}
    message = str(error.get("message") or response.text[:300])
    code = " ".join(
        str(part)
        for part in (error.get("code"), error.get("serviceErrorCode"))
        if part not in (None, "")
    )
    said = f"HTTP {status}" + (f" {code}" if code else "") + f": {message}"
    if status == 401:
        return Refused(
            f"{what}: LinkedIn no longer accepts this account's access token ({said}); "
            "reconnect the account"
        )
    if status == 408 or status >= 500:
        return Unknown(f"{what}: {said}")
    if status == 403:
        return Refused(
            f"{what}: {said} (the token needs w_organization_social and the member an "
            "administrator or content role on the organisation)"
        )
    return Refused(f"{what}: {said}")


def _created(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


class LinkedInConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @staticmethod
    def _headers(account: ChannelAccount) -> dict[str, str]:
        return {
            **bearer(account),
            "linkedin-version": VERSION,
            "x-restli-protocol-version": PROTOCOL,
        }

    async def _rest(
        self,
        account: ChannelAccount,
        verb: str,
        path: str,
        what: str,
        ok: tuple[int, ...],
        **kwargs: Any,
    ) -> httpx.Response:
        headers = {**self._headers(account), **kwargs.pop("headers", {})}
        answer = await call(
            self._http,
            verb,
            f"{str(account.base_url).rstrip('/')}/rest/{path}",
            headers=headers,
            timeout=account.timeout_seconds,
            **kwargs,
        )
        return accepted(answer, ok, lambda r: failure(r, what))

    async def _upload(self, account: ChannelAccount, image: MediaFile, n: int) -> str:
        """Register the image with LinkedIn, PUT its bytes where LinkedIn says: its URN."""
        what = f"image {n}"
        started = await self._rest(
            account,
            "POST",
            "images?action=initializeUpload",
            what,
            (200,),
            json={"initializeUploadRequest": {"owner": organization(account)}},
        )
        try:
            value = started.json()["value"]
            upload, urn = str(value["uploadUrl"]), str(value["image"])
        except (ValueError, KeyError, TypeError):
            raise Failed(
                Unknown(f"{what}: initializeUpload answered without an upload URL")
            ) from None
        base = httpx.URL(str(account.base_url)).host
        host = httpx.URL(upload).host
        # The token goes only to LinkedIn's own hosts (the upload URL is LinkedIn's answer).
        ours = host == base or host.endswith(".linkedin.com")
        answer = await call(
            self._http,
            "PUT",
            upload,
            content=image.data,
            headers={
                "content-type": image.mime,
                **(bearer(account) if ours else {}),
            },
            timeout=account.timeout_seconds,
        )
        accepted(answer, (200, 201), lambda r: failure(r, f"{what} upload"))
        return urn

    async def _post(self, account: ChannelAccount, request: PublicationRequest) -> Posted:
        if not account.target:
            raise Failed(Refused("a LinkedIn channel needs its organisation id as target"))
        caption = caption_of(request)
        if len(caption) > RULES.text:
            raise Failed(
                Refused(f"text: {len(caption)} characters, LinkedIn takes {RULES.text} at most")
            )
        assert RULES.media is not None
        if len(request.media) > RULES.media.most:
            raise Failed(
                Refused(f"media: {len(request.media)} images, LinkedIn takes {RULES.media.most}")
            )
        images = [
            await self._upload(
                account,
                await fetch(
                    self._http,
                    url,
                    RULES.media,
                    platform="LinkedIn",
                    seconds=account.timeout_seconds,
                ),
                n,
            )
            for n, url in enumerate(request.media, start=1)
        ]
        answer = await self._rest(
            account,
            "POST",
            "posts",
            "the post",
            (201,),
            json=post_body(account, little(caption), images),
        )
        urn = answer.headers.get("x-restli-id")
        if not urn:
            raise Failed(Unknown("the post: a 201 without x-restli-id"))
        return Posted(urn, post_url(urn))

    async def _comment(self, account: ChannelAccount, request: PublicationRequest) -> Posted:
        assert request.in_reply_to
        try:
            thread = thread_of(request.in_reply_to)
        except ValueError as exc:
            raise Failed(Refused(str(exc))) from None
        if not account.target:
            raise Failed(Refused("a LinkedIn channel needs its organisation id as target"))
        answer = await self._rest(
            account,
            "POST",
            f"socialActions/{quote(thread.on, safe='')}/comments",
            "the comment",
            (200, 201),
            json=comment_body(account, thread, request.text),
        )
        try:
            body = answer.json()
            urn = str(body.get("commentUrn") or body.get("$URN") or answer.headers["x-restli-id"])
        except (ValueError, KeyError, AttributeError):
            raise Failed(
                Unknown("the comment: a success answer without the comment's URN")
            ) from None
        return Posted(urn, post_url(thread.object))

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        if not request.text.strip():
            return Refused("LinkedIn takes no empty text")
        try:
            if request.in_reply_to:
                return await self._comment(account, request)
            return await self._post(account, request)
        except Failed as failed:
            return failed.outcome

    # --- settling an unknown outcome ------------------------------------------------------

    async def _search(
        self,
        account: ChannelAccount,
        path: str,
        params: dict[str, str],
        match: Callable[[dict[str, Any]], bool],
        older: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any] | None:
        """The first element `match` accepts, reading up to MAX_PAGES pages; None once a page
        is short or (in a list sorted newest first) reaches what is `older` than the attempt;
        Failed when LinkedIn does not answer or there is more to read than that."""
        what = f"GET /rest/{path}"
        finder = {"x-restli-method": "FINDER"} if "q" in params else {}
        for n in range(MAX_PAGES):
            query = {**params, "start": str(n * PAGE), "count": str(PAGE)}
            answer = await self._rest(
                account, "GET", path, what, (200,), params=query, headers=finder
            )
            elements: list[dict[str, Any]] = answer.json().get("elements") or []
            hit = next((e for e in elements if match(e)), None)
            if hit is not None:
                return hit
            if len(elements) < PAGE or any(older(e) for e in elements):
                return None
        raise Failed(Unknown(f"{what}: more items since the attempt than the lookup reads"))

    async def _find_post(self, account: ChannelAccount, commentary: str, floor: datetime) -> Lookup:
        author = organization(account)

        def made(post: dict[str, Any]) -> datetime | None:
            return _created(post.get("createdAt"))

        def match(post: dict[str, Any]) -> bool:
            at = made(post)
            return (
                at is not None
                and at >= floor
                and post.get("author") == author
                and post.get("commentary") == commentary
            )

        def older(post: dict[str, Any]) -> bool:
            at = made(post)
            return at is not None and at < floor

        params = {"q": "author", "author": author, "sortBy": "CREATED"}
        hit = await self._search(account, "posts", params, match, older)
        return Found(str(hit["id"]), post_url(str(hit["id"]))) if hit else Absent()

    async def _find_comment(
        self, account: ChannelAccount, thread: Thread, text: str, floor: datetime
    ) -> Lookup:
        """Comments are not listed newest first: every page up to MAX_PAGES is read."""
        actor = organization(account)

        def match(comment: dict[str, Any]) -> bool:
            at = _created((comment.get("created") or {}).get("time"))
            return (
                at is not None
                and at >= floor
                and comment.get("actor") == actor
                and (comment.get("message") or {}).get("text") == text
            )

        path = f"socialActions/{quote(thread.on, safe='')}/comments"
        hit = await self._search(account, path, {}, match, lambda _: False)
        if hit is None:
            return Absent()
        urn = hit.get("commentUrn") or hit.get("$URN") or hit["id"]
        return Found(str(urn), post_url(thread.object))

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        if not account.target or not request.text.strip():
            return Absent()  # refused before sending: nothing can exist
        floor = since - SKEW
        try:
            if request.in_reply_to:
                thread = thread_of(request.in_reply_to)
                return await self._find_comment(account, thread, request.text, floor)
            return await self._find_post(account, little(caption_of(request)), floor)
        except ValueError:
            return Absent()  # an in_reply_to that is no URN was refused before sending
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        except (KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
