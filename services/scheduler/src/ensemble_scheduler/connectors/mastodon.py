"""Publishing to Mastodon through its statuses API (docs.joinmastodon.org/methods/statuses).

`POST /api/v1/statuses` with `Idempotency-Key`: Mastodon answers a repeat of the same key (for
an hour) with the status the first call created, so a retry after an *absent* lookup cannot
double-post inside that window. A timeout is never retried as such: `find` asks the platform
— the status by id when known, else the account's recent statuses — for one that carries our
marker: the same reply target, the same text, created since the attempt began. (Mastodon keeps
no client metadata on a status, so the text and the reply target are the marker.)

The item's images are fetched from their links and uploaded first (`POST /api/v2/media`); an
upload Mastodon is still processing (202) is waited for (`GET /api/v1/media/:id` answers 200
once it is ready: a status cannot attach it before), then the status carries their
`media_ids` and its text goes without their addresses. Mastodon deletes attachments no status
took, so an upload left behind by a failed attempt costs nothing.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed, accepted, unexpected, with_token
from ensemble_scheduler.connectors.media import MediaFile, caption_of, fetch
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
from ensemble_shared.outbound import RefusedRequest

STATUSES = "/api/v1/statuses"
MEDIA = "/api/v2/media"
PROCESSING_CHECKS = 20
PROCESSING_PAUSE = 0.5  # seconds between checks of an upload still processing
RULES = media_rules("mastodon")
VERIFY = "/api/v1/accounts/verify_credentials"
PAGE = 40  # Mastodon's maximum for account statuses
MAX_PAGES = 5
SKEW = timedelta(minutes=2)  # the platform's clock against ours

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


def plain(text: str) -> str:
    """Text as compared for the marker: HTML stripped, entities decoded, links and spaces out
    (Mastodon rewrites links as `<a>` with shortened labels)."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))
    return _SPACE.sub("", _URL.sub("", text))


def carries_marker(status: dict[str, Any], request: PublicationRequest, since: datetime) -> bool:
    created = status.get("created_at")
    try:
        at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return False
    if at < since - SKEW:
        return False
    if (status.get("in_reply_to_id") or None) != (request.in_reply_to or None):
        return False
    return plain(str(status.get("content", ""))) == plain(request.text)


def _auth(account: ChannelAccount, key: str | None = None) -> dict[str, str]:
    token = account.access_token.get_secret_value() if account.access_token else ""
    headers = {"authorization": f"Bearer {token}"}
    if key is not None:
        headers["idempotency-key"] = key
    return headers


def _url(account: ChannelAccount, path: str) -> str:
    return str(account.base_url).rstrip("/") + path


class MastodonConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _upload(self, account: ChannelAccount, image: MediaFile) -> str:
        """The attachment's id, once Mastodon has processed it."""
        what = f"uploading {image.url}"
        answer = await with_token(
            self._http,
            account,
            "POST",
            _url(account, MEDIA),
            files={"file": (image.name, image.data, image.mime)},
        )
        try:
            media_id = str(accepted(answer, (200, 202), unexpected).json()["id"])
        except (ValueError, KeyError, TypeError):
            raise Failed(Unknown(f"{what}: a success answer without the media's id")) from None
        if isinstance(answer, httpx.Response) and answer.status_code == 200:
            return media_id
        for _ in range(PROCESSING_CHECKS):
            await asyncio.sleep(PROCESSING_PAUSE)
            check = await with_token(
                self._http, account, "GET", _url(account, f"/api/v1/media/{media_id}")
            )
            if accepted(check, (200, 206), unexpected).status_code == 200:
                return media_id
        raise Failed(Unknown(f"{what}: still processing after {PROCESSING_CHECKS} checks"))

    async def _media_ids(self, account: ChannelAccount, request: PublicationRequest) -> list[str]:
        if len(request.media) > RULES.most:
            raise Failed(
                Refused(f"media: {len(request.media)} images, Mastodon takes {RULES.most} at most")
            )
        ids = []
        for url in request.media:
            image = await fetch(
                self._http, url, RULES, platform="Mastodon", seconds=account.timeout_seconds
            )
            ids.append(await self._upload(account, image))
        return ids

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        try:
            media_ids = await self._media_ids(account, request)
        except Failed as failed:
            return failed.outcome
        text = caption_of(request) if media_ids else request.text
        body: dict[str, Any] = {"status": text, "visibility": request.visibility}
        if media_ids:
            body["media_ids"] = media_ids
        if request.in_reply_to:
            body["in_reply_to_id"] = request.in_reply_to
        try:
            response = await self._http.post(
                _url(account, STATUSES),
                json=body,
                headers=_auth(account, request.key),
                timeout=account.timeout_seconds,
            )
        except RefusedRequest as exc:  # never sent: an address the system does not call
            return Refused(str(exc))
        except httpx.HTTPError as exc:  # timeout, reset: the status may exist
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (408, 429) or response.status_code >= 500:
            return Unknown(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            return Refused(f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            status = response.json()
            return Posted(str(status["id"]), status.get("url"))
        except (ValueError, KeyError, TypeError):
            return Unknown("a success answer without a status id")

    async def status(self, account: ChannelAccount, post_id: str) -> Lookup:
        """GET the status by id: the check when its id is known."""
        try:
            response = await self._http.get(
                _url(account, f"{STATUSES}/{post_id}"),
                headers=_auth(account),
                timeout=account.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        if response.status_code == 404:
            return Absent()
        if response.status_code != 200:
            return Unreachable(f"HTTP {response.status_code}")
        return Found(post_id, response.json().get("url"))

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        try:
            me = await self._http.get(
                _url(account, VERIFY), headers=_auth(account), timeout=account.timeout_seconds
            )
            if me.status_code != 200:
                return Unreachable(f"verify_credentials: HTTP {me.status_code}")
            account_id = str(me.json()["id"])
            max_id: str | None = None
            for _ in range(MAX_PAGES):
                params: dict[str, Any] = {"limit": PAGE}
                if max_id is not None:
                    params["max_id"] = max_id
                page = await self._http.get(
                    _url(account, f"/api/v1/accounts/{account_id}/statuses"),
                    params=params,
                    headers=_auth(account),
                    timeout=account.timeout_seconds,
                )
                if page.status_code != 200:
                    return Unreachable(f"account statuses: HTTP {page.status_code}")
                statuses: list[dict[str, Any]] = page.json()
                for status in statuses:
                    if carries_marker(status, request, since):
                        return Found(str(status["id"]), status.get("url"))
                if len(statuses) < PAGE:
                    return Absent()
                oldest = statuses[-1]
                oldest_at = datetime.fromisoformat(str(oldest["created_at"]).replace("Z", "+00:00"))
                if oldest_at < since - SKEW:
                    return Absent()  # the window since the attempt is fully read
                max_id = str(oldest["id"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        return Unreachable("more statuses since the attempt than the lookup reads")
