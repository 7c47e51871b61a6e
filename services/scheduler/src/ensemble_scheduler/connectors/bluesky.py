"""Publishing to Bluesky through the AT Protocol's XRPC API (docs.bsky.app).

Signs in with an app password (`com.atproto.server.createSession`); the access JWT lives in
memory only and, once the PDS answers `ExpiredToken`, is renewed with `refreshSession` (or a new
session when the refresh token is gone too), one renewal per account at a time since refresh
tokens are single-use. A post is a `com.atproto.repo.createRecord` of
`app.bsky.feed.post`, with facets for links, mentions and tags — their offsets count UTF-8
*bytes*, as the lexicon says — and, for a reply, strong refs (uri + cid) to the parent and to
its thread's root. Text over 300 graphemes is refused before anything is sent. The item's images
are fetched from their links, uploaded as blobs (`uploadBlob`) and embedded
(`app.bsky.embed.images`); the text then goes without their addresses.

The PDS keeps no idempotency key, so an unknown outcome is settled by `find`: the account's own
records (`listRecords`, newest first) since the attempt began, matched on text and reply parent.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed, call, unexpected
from ensemble_scheduler.connectors.graphemes import graphemes
from ensemble_scheduler.connectors.media import caption_of, fetch
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

POST = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
PAGE = 100  # listRecords' maximum
MAX_PAGES = 5
SKEW = timedelta(minutes=2)
EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
RULES = media_rules("bluesky")

_MENTION = re.compile(
    r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_LINK = re.compile(r"(?<![\w/])(https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'])")
_TAG = re.compile(r"(?<![\w#])#([^\s#\d\W][^\s#]{0,63}|\d+[^\s#\d][^\s#]{0,62})")
_AT_URI = re.compile(r"at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/]+)")


@dataclass(frozen=True)
class Session:
    did: str
    access: str
    refresh: str


@dataclass(frozen=True)
class Ref:
    """A strong ref: a record's at:// URI and the CID of the version referred to."""

    uri: str
    cid: str


def byte_span(text: str, start: int, end: int) -> dict[str, int]:
    """A facet's index: UTF-8 byte offsets of the characters [start, end) of `text`."""
    begin = len(text[:start].encode())
    return {"byteStart": begin, "byteEnd": begin + len(text[start:end].encode())}


def facets(text: str, dids: dict[str, str]) -> list[dict[str, Any]]:
    """Links, tags and mentions of `text` as facets; a mention whose handle did not resolve
    (absent from `dids`) stays plain text, as in Bluesky's own app."""
    found: list[dict[str, Any]] = []
    for match in _LINK.finditer(text):
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": match.group(1)}
        found.append({"index": byte_span(text, *match.span(1)), "features": [feature]})
    for match in _MENTION.finditer(text):
        did = dids.get(match.group(1).lower())
        if did is not None:
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            found.append({"index": byte_span(text, *match.span(0)), "features": [feature]})
    for match in _TAG.finditer(text):
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}
        found.append({"index": byte_span(text, *match.span(0)), "features": [feature]})
    return sorted(found, key=lambda f: int(f["index"]["byteStart"]))


def handles(text: str) -> list[str]:
    return sorted({m.group(1).lower() for m in _MENTION.finditer(text)})


def post_record(
    text: str,
    *,
    created_at: datetime,
    dids: dict[str, str],
    reply: tuple[Ref, Ref] | None = None,
    images: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The `app.bsky.feed.post` record; `reply` is (root, parent)."""
    record: dict[str, Any] = {
        "$type": POST,
        "text": text,
        "createdAt": created_at.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    spans = facets(text, dids)
    if spans:
        record["facets"] = spans
    if reply is not None:
        root, parent = reply
        record["reply"] = {
            "root": {"uri": root.uri, "cid": root.cid},
            "parent": {"uri": parent.uri, "cid": parent.cid},
        }
    if images:
        record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
    return record


def error_of(response: httpx.Response) -> tuple[str, str]:
    """XRPC's documented error body: `{"error": name, "message": text}`."""
    try:
        body = response.json()
        return str(body.get("error", "")), str(body.get("message", ""))
    except (ValueError, AttributeError):
        return "", response.text[:300]


def _created(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def carries_marker(record: dict[str, Any], request: PublicationRequest, since: datetime) -> bool:
    value = record.get("value") or {}
    at = _created(value.get("createdAt"))
    if at is None or at < since - SKEW:
        return False
    parent = ((value.get("reply") or {}).get("parent") or {}).get("uri")
    return parent == (request.in_reply_to or None) and value.get("text") == text_of(request)


def text_of(request: PublicationRequest) -> str:
    """What the post says: with embedded images, without their addresses."""
    return caption_of(request) if request.media else request.text


def web_url(uri: str, did: str) -> str | None:
    match = _AT_URI.fullmatch(uri)
    return f"https://bsky.app/profile/{did}/post/{match['rkey']}" if match else None


def checked(answer: httpx.Response | Refused | Unknown, what: str) -> httpx.Response:
    """The 200 answer of an XRPC call; Failed otherwise, naming the PDS's error."""
    if not isinstance(answer, httpx.Response):
        raise Failed(answer)
    if answer.status_code != 200:
        error, message = error_of(answer)
        outcome = unexpected(answer)
        raise Failed(type(outcome)(f"{what}: HTTP {answer.status_code} {error}: {message}"))
    return answer


class BlueskyConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._sessions: dict[tuple[str, str, int], Session] = {}
        self._renewing: dict[tuple[str, str, int], asyncio.Lock] = {}

    # --- sessions ------------------------------------------------------------------------

    @staticmethod
    def _key(account: ChannelAccount) -> tuple[str, str, int]:
        return (account.workspace, account.channel, account.revision)

    @staticmethod
    def _url(account: ChannelAccount, method: str) -> str:
        return f"{str(account.base_url).rstrip('/')}/xrpc/{method}"

    async def _sign_in(self, account: ChannelAccount) -> Session:
        password = account.app_password.get_secret_value() if account.app_password else ""
        answer = await call(
            self._http,
            "POST",
            self._url(account, "com.atproto.server.createSession"),
            json={"identifier": account.identifier, "password": password},
            timeout=account.timeout_seconds,
        )
        return self._keep(account, answer, "createSession")

    async def _refresh(self, account: ChannelAccount, stale: Session) -> Session:
        answer = await call(
            self._http,
            "POST",
            self._url(account, "com.atproto.server.refreshSession"),
            headers={"authorization": f"Bearer {stale.refresh}"},
            timeout=account.timeout_seconds,
        )
        if isinstance(answer, httpx.Response) and answer.status_code in (400, 401):
            return await self._sign_in(account)  # the refresh token expired too
        return self._keep(account, answer, "refreshSession")

    def _keep(
        self, account: ChannelAccount, answer: httpx.Response | Refused | Unknown, what: str
    ) -> Session:
        body = checked(answer, what).json()
        session = Session(str(body["did"]), str(body["accessJwt"]), str(body["refreshJwt"]))
        self._sessions[self._key(account)] = session
        return session

    def _renewal(self, account: ChannelAccount) -> asyncio.Lock:
        return self._renewing.setdefault(self._key(account), asyncio.Lock())

    async def _session(self, account: ChannelAccount) -> Session:
        known = self._sessions.get(self._key(account))
        if known is not None:
            return known
        async with self._renewal(account):
            known = self._sessions.get(self._key(account))
            return known if known is not None else await self._sign_in(account)

    async def _renew(self, account: ChannelAccount, stale: Session) -> Session:
        """One renewal per account at a time: refresh tokens are single-use, so a second
        caller with the same stale session takes the one the first got."""
        async with self._renewal(account):
            current = self._sessions.get(self._key(account))
            if current is not None and current != stale:
                return current
            return await self._refresh(account, stale)

    async def _xrpc(
        self, account: ChannelAccount, method: str, verb: str, **kwargs: Any
    ) -> tuple[httpx.Response | Refused | Unknown, Session]:
        """Call `method` signed in; an expired access token is refreshed and the call sent
        again once (the PDS refused it before doing anything)."""
        session = await self._session(account)
        extra: dict[str, str] = kwargs.pop("headers", {})
        for renewed in (False, True):
            answer = await call(
                self._http,
                verb,
                self._url(account, method),
                headers={"authorization": f"Bearer {session.access}", **extra},
                timeout=account.timeout_seconds,
                **kwargs,
            )
            expired = (
                isinstance(answer, httpx.Response)
                and answer.status_code in (400, 401)
                and error_of(answer)[0] in EXPIRED
            )
            if not expired or renewed:
                return answer, session
            session = await self._renew(account, session)
        raise AssertionError("unreachable")

    # --- what a post needs ---------------------------------------------------------------

    async def _dids(self, account: ChannelAccount, text: str) -> dict[str, str]:
        dids: dict[str, str] = {}
        for handle in handles(text):
            answer, _ = await self._xrpc(
                account, "com.atproto.identity.resolveHandle", "GET", params={"handle": handle}
            )
            if isinstance(answer, httpx.Response) and answer.status_code == 200:
                dids[handle] = str(answer.json()["did"])
        return dids

    async def _reply_refs(self, account: ChannelAccount, uri: str) -> tuple[Ref, Ref]:
        """(root, parent) of a reply to the post at `uri`: the parent's current CID, and the
        root its own reply points at (the parent itself when it starts the thread)."""
        match = _AT_URI.fullmatch(uri)
        if match is None:
            raise Failed(Refused(f"in_reply_to: {uri!r} is not an at:// post URI"))
        answer, _ = await self._xrpc(
            account,
            "com.atproto.repo.getRecord",
            "GET",
            params={
                "repo": match["repo"],
                "collection": match["collection"],
                "rkey": match["rkey"],
            },
        )
        body = checked(answer, "the post replied to").json()
        parent = Ref(str(body["uri"]), str(body["cid"]))
        root = ((body.get("value") or {}).get("reply") or {}).get("root")
        return (Ref(str(root["uri"]), str(root["cid"])) if root else parent), parent

    async def upload(self, account: ChannelAccount, data: bytes, mime: str) -> dict[str, Any]:
        """`com.atproto.repo.uploadBlob`: the blob ref an image embed carries."""
        answer, _ = await self._xrpc(
            account,
            "com.atproto.repo.uploadBlob",
            "POST",
            content=data,
            headers={"content-type": mime},
        )
        blob: dict[str, Any] = checked(answer, "uploadBlob").json()["blob"]
        return blob

    # --- the connector -------------------------------------------------------------------

    async def _images(
        self, account: ChannelAccount, request: PublicationRequest
    ) -> list[dict[str, Any]]:
        """The embed's images: each link fetched, uploaded, with an empty alt text (the item
        has no description of its images)."""
        images = []
        for url in request.media:
            image = await fetch(
                self._http, url, RULES, platform="Bluesky", seconds=account.timeout_seconds
            )
            images.append({"alt": "", "image": await self.upload(account, image.data, image.mime)})
        return images

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        text = text_of(request)
        length = graphemes(text)
        if length > MAX_GRAPHEMES:
            return Refused(f"text: {length} characters, Bluesky takes {MAX_GRAPHEMES} at most")
        if len(request.media) > RULES.most:
            return Refused(
                f"media: {len(request.media)} images, Bluesky takes {RULES.most} at most"
            )
        try:
            reply = (
                await self._reply_refs(account, request.in_reply_to)
                if request.in_reply_to
                else None
            )
            dids = await self._dids(account, text)
            images = await self._images(account, request)
            record = post_record(
                text, created_at=datetime.now(UTC), dids=dids, reply=reply, images=images
            )
            repo = (await self._session(account)).did
            answer, session = await self._xrpc(
                account,
                "com.atproto.repo.createRecord",
                "POST",
                json={"repo": repo, "collection": POST, "record": record},
            )
            created = checked(answer, "createRecord")
        except Failed as failed:
            return failed.outcome
        try:
            uri = str(created.json()["uri"])
            return Posted(uri, web_url(uri, session.did))
        except (ValueError, KeyError, TypeError):
            return Unknown("a success answer without the record's uri")

    async def delete(self, account: ChannelAccount, post_id: str) -> Refused | Unknown | None:
        """`com.atproto.repo.deleteRecord` of one of the account's posts (None once gone)."""
        match = _AT_URI.fullmatch(post_id)
        if match is None:
            return Refused(f"{post_id!r} is not an at:// post URI")
        try:
            answer, _ = await self._xrpc(
                account,
                "com.atproto.repo.deleteRecord",
                "POST",
                json={
                    "repo": match["repo"],
                    "collection": match["collection"],
                    "rkey": match["rkey"],
                },
            )
            checked(answer, "deleteRecord")
        except Failed as failed:
            return failed.outcome
        return None

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        try:
            session = await self._session(account)
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                params: dict[str, Any] = {"repo": session.did, "collection": POST, "limit": PAGE}
                if cursor:
                    params["cursor"] = cursor
                answer, session = await self._xrpc(
                    account, "com.atproto.repo.listRecords", "GET", params=params
                )
                page = checked(answer, "listRecords").json()
                records: list[dict[str, Any]] = page.get("records", [])
                for record in records:
                    if carries_marker(record, request, since):
                        uri = str(record["uri"])
                        return Found(uri, web_url(uri, session.did))
                oldest = (
                    _created((records[-1].get("value") or {}).get("createdAt")) if records else None
                )
                cursor = page.get("cursor")
                if not cursor or oldest is None or oldest < since - SKEW:
                    return Absent()
        except Failed as failed:
            return Unreachable(failed.outcome.reason)
        except (ValueError, KeyError, TypeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        return Unreachable("more posts since the attempt than the lookup reads")
