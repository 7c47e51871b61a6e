"""Slack Events API: `app_mention`, keyword-matching `message` events, their edits and deletions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.keywords import Keywords
from ensemble_ingest.connectors.webhooks._common import (
    NO_HANDSHAKE,
    Doc,
    build_upsert,
    check_hex_hmac,
    header,
)
from ensemble_ingest.models.sources import SlackConfig

SIGNATURE = "x-slack-signature"
TIMESTAMP = "x-slack-request-timestamp"
TOLERANCE_SECONDS = 5 * 60  # Slack's advice: older requests may be replays
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")
# Subtypes that are still someone's words in a channel; the others (joins, topic changes,
# bot_message, ...) are not mentions.
_PLAIN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})


def parse_ts(value: str, where: str) -> datetime:
    """A Slack `ts` ("1355517523.000005"): Unix seconds and microseconds, read exactly."""
    found = _TS.match(value)
    if found is None:
        raise MalformedPayload(f"{where}: expected a Slack timestamp, got {value!r}")
    seconds, fraction = found.group(1), (found.group(2) or "").ljust(6, "0")
    try:
        return datetime.fromtimestamp(int(seconds), tz=UTC).replace(microsecond=int(fraction))
    except (OverflowError, OSError, ValueError):
        raise MalformedPayload(f"{where}: out of range: {value!r}") from None


class SlackConnector:
    """One Slack app's Request URL: the workspace where it is installed."""

    platform: ClassVar[str] = "slack"

    def handshake(self, config: SlackConfig, query: Mapping[str, str]) -> Reply:
        return NO_HANDSHAKE  # Slack's check is the signed `url_verification` POST

    def verify(
        self, config: SlackConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """`X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>`, and a
        timestamp within 5 minutes of `now`, so a captured request cannot be replayed later."""
        stamp = header(headers, TIMESTAMP)
        if not stamp.isascii() or not stamp.isdigit():
            raise SignatureRefused(f"{TIMESTAMP} is not a Unix timestamp")
        if abs(now.timestamp() - int(stamp)) > TOLERANCE_SECONDS:
            raise SignatureRefused(f"{TIMESTAMP} is more than 5 minutes from now")
        check_hex_hmac(
            config.signing_secret.encode(),
            b"v0:" + stamp.encode() + b":" + body,
            header(headers, SIGNATURE),
            prefix="v0=",
            name=SIGNATURE,
            digest="sha256",
        )

    def parse(self, config: SlackConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        doc = Doc.parse(body)
        kind = doc.text("type")
        if kind == "url_verification":
            return Parsed(reply=Reply(200, doc.text("challenge"), "text/plain"))
        if kind != "event_callback":
            return Parsed()
        event = doc.obj("event")
        relevant = _Relevance(config, doc)
        change = _event_change(event, relevant)
        return Parsed(changes=[change] if change is not None else [])


class _Relevance:
    """Is a message about the brand: a keyword, or a mention of the app's bot user (the same
    message an `app_mention` announces, seen again through `message` events and their edits)."""

    def __init__(self, config: SlackConfig, doc: Doc) -> None:
        self.keywords = Keywords(config.keywords)
        bots = {a.opt_ident("user_id") for a in doc.objs("authorizations") if a.get("is_bot")}
        self.app_mentions = {f"<@{user}" for user in bots if user}  # <@U123> or <@U123|name>

    def __call__(self, text: str | None) -> bool:
        if not text:
            return False
        return self.keywords.match(text) or any(m in text for m in self.app_mentions)


def _edited(message: Doc) -> datetime | None:
    """`edited.ts` of a changed message: the version's time, so a replay never reverts it."""
    edited = message.opt_obj("edited")
    ts = edited.opt_text("ts") if edited else None
    return parse_ts(ts, edited.at("ts")) if edited and ts else None


def _is_bot(message: Doc) -> bool:
    return message.has("bot_id") or message.get("subtype") == "bot_message"


def _event_change(event: Doc, relevant: _Relevance) -> MentionChange | None:
    kind = event.text("type")
    if kind == "app_mention":
        return None if _is_bot(event) else _upsert(event, event.text("channel"))
    if kind != "message":
        return None
    subtype = event.opt_text("subtype")
    if subtype == "message_deleted":
        channel = event.text("channel")
        return MentionDeleted(platform="slack", external_id=f"{channel}:{event.text('deleted_ts')}")
    if subtype == "message_changed":
        # Slack sends no app_mention for an edit; keep the stored copy current when either
        # version was about the brand, so an edit that drops the keyword is not missed.
        edited = event.obj("message")
        previous = event.opt_obj("previous_message")
        was_relevant = previous is not None and relevant(previous.opt_text("text"))
        if _is_bot(edited) or not (relevant(edited.opt_text("text")) or was_relevant):
            return None
        return _upsert(edited, event.text("channel"))
    if subtype not in _PLAIN_SUBTYPES or _is_bot(event):
        return None
    return _upsert(event, event.text("channel")) if relevant(event.opt_text("text")) else None


def _upsert(message: Doc, channel: str) -> MentionChange:
    """Slack events name users by id only, so the id is the handle too."""
    ts = message.text("ts")
    user = message.ident("user")
    thread = message.opt_text("thread_ts")
    return build_upsert(
        message.path,
        platform="slack",
        external_id=f"{channel}:{ts}",
        url=None,
        author={"id": user, "handle": user},
        text=message.opt_text("text") or "",
        created_at=parse_ts(ts, message.at("ts")),
        revised_at=_edited(message),
        in_reply_to=f"{channel}:{thread}" if thread and thread != ts else None,
    )
