"""Publishing to Slack through the Web API (api.slack.com/methods/chat.postMessage).

A post goes to the channel account's `target` channel; a reply goes into its mention's thread
(`thread_ts`; ingest names a Slack mention `{channel}:{ts}`, and so does this connector's post
id). Slack answers HTTP 200 with `ok: false` and an error name for most failures: the transient
ones (`internal_error`, `service_unavailable`, …) leave the outcome unknown, the rest refuse.

Each message carries the publication key as message metadata (`event_type`
`ensemble_publication`), which `conversations.history` / `conversations.replies` hand back with
`include_all_metadata`: `find` settles an unknown outcome by that key, never by posting again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import call, unexpected
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

EVENT_TYPE = "ensemble_publication"
TRANSIENT = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
PAGE = 200
SKEW = timedelta(minutes=2)


def where(account: ChannelAccount, request: PublicationRequest) -> tuple[str, str | None]:
    """(channel, thread_ts) of the message; ValueError says why there is none."""
    if request.in_reply_to:
        channel, _, ts = request.in_reply_to.partition(":")
        if not channel or not ts:
            raise ValueError(
                f"in_reply_to: {request.in_reply_to!r} is not a Slack {{channel}}:{{ts}}"
            )
        return channel, ts
    if account.target is None:
        raise ValueError("a Slack channel account needs a target channel id for posts")
    return account.target, None


def message(account: ChannelAccount, request: PublicationRequest) -> dict[str, Any]:
    """The chat.postMessage body."""
    channel, thread = where(account, request)
    body: dict[str, Any] = {
        "channel": channel,
        "text": request.text,
        "metadata": {"event_type": EVENT_TYPE, "event_payload": {"key": request.key}},
    }
    if thread is not None:
        body["thread_ts"] = thread
    return body


def _auth(account: ChannelAccount) -> dict[str, str]:
    token = account.access_token.get_secret_value() if account.access_token else ""
    return {"authorization": f"Bearer {token}"}


def _url(account: ChannelAccount, method: str) -> str:
    return f"{str(account.base_url).rstrip('/')}/{method}"


def carries_key(item: dict[str, Any], key: str) -> bool:
    metadata = item.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key


class SlackConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        try:
            body = message(account, request)
        except ValueError as exc:
            return Refused(str(exc))
        answer = await call(
            self._http,
            "POST",
            _url(account, "chat.postMessage"),
            json=body,
            headers=_auth(account),
            timeout=account.timeout_seconds,
        )
        if not isinstance(answer, httpx.Response):
            return answer
        if answer.status_code != 200:
            return unexpected(answer)
        try:
            reply = answer.json()
            if not reply.get("ok"):
                error = str(reply.get("error", "unknown_error"))
                outcome = Unknown if error in TRANSIENT else Refused
                return outcome(f"chat.postMessage: {error}")
            return Posted(f"{reply['channel']}:{reply['ts']}")
        except (ValueError, KeyError, TypeError, AttributeError):
            return Unknown("a success answer without the message's ts")

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        try:
            channel, thread = where(account, request)
        except ValueError as exc:
            return Unreachable(str(exc))
        params: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{(since - SKEW).timestamp():.6f}",
            "include_all_metadata": "true",
            "limit": PAGE,
        }
        method = "conversations.history"
        if thread is not None:
            method, params["ts"] = "conversations.replies", thread
        answer = await call(
            self._http,
            "GET",
            _url(account, method),
            params=params,
            headers=_auth(account),
            timeout=account.timeout_seconds,
        )
        if not isinstance(answer, httpx.Response):
            return Unreachable(answer.reason)
        try:
            reply = answer.json() if answer.status_code == 200 else {}
            if not reply.get("ok"):
                return Unreachable(f"{method}: {reply.get('error') or answer.status_code}")
            for item in reply.get("messages", []):
                if carries_key(item, request.key):
                    return Found(f"{channel}:{item['ts']}")
            if (reply.get("response_metadata") or {}).get("next_cursor"):
                return Unreachable(f"{method}: more messages since the attempt than one page")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        return Absent()
