"""X Account Activity API: `tweet_create_events` and `tweet_delete_events` for the brand account."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks._common import (
    Doc,
    build_upsert,
    check_base64_hmac,
    header,
)
from ensemble_ingest.models.sources import XConfig

SIGNATURE = "x-twitter-webhooks-signature"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_X_TIME = re.compile(
    r"^[A-Z][a-z]{2} (?P<mon>[A-Z][a-z]{2}) (?P<day>\d{2}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2}) (?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2}) (?P<y>\d{4})$"
)
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
# `lang` values X uses for "no language": undetermined, no linguistic content, and its own
# three-letter q codes (qme: media links only, qht: hashtags only, ...; ISO 639 reserves qaa-qtz
# for local use). They are not languages, so they are not passed on.
_NOT_LANGUAGES = frozenset({"und", "zxx"})
# The CRC answers HMAC-SHA256(consumer secret, crc_token), the very function that signs POST
# bodies, to anyone: unchecked, it would sign a forged JSON body. X sends a short opaque token
# (base64 of a UUID, about 48 characters, seen in the wild; its docs call it a random string that
# changes each time), so only such tokens are answered, and a POST whose body has that shape is
# refused. The two sets are disjoint by construction: no body the CRC signs is ever accepted, with
# nothing stored on a GET and nothing shared between replicas.
_CRC_SHAPE = r"[A-Za-z0-9+/=_.~-]{1,256}"
_CRC_QUERY = re.compile(_CRC_SHAPE)
_CRC_BODY = re.compile(_CRC_SHAPE.encode())


def _language(lang: str | None) -> str | None:
    if lang is None or lang in _NOT_LANGUAGES or not _LANGUAGE.fullmatch(lang):
        return None
    return None if len(lang) == 3 and lang.startswith("q") else lang


def parse_x_time(value: str, where: str) -> datetime:
    """X's v1.1 `created_at` ("Wed Oct 10 20:19:24 +0000 2018"), read without the C locale
    that `strptime`'s %a/%b would silently depend on."""
    found = _X_TIME.match(value)
    if found is None or found["mon"] not in _MONTHS:
        raise MalformedPayload(f"{where}: expected X's date format, got {value!r}")
    offset = timedelta(hours=int(found["oh"]), minutes=int(found["om"]))
    try:
        return datetime(
            int(found["y"]),
            _MONTHS.index(found["mon"]) + 1,
            int(found["day"]),
            int(found["h"]),
            int(found["m"]),
            int(found["s"]),
            tzinfo=timezone(-offset if found["sign"] == "-" else offset),
        ).astimezone(UTC)
    except ValueError:
        raise MalformedPayload(f"{where}: not a valid date: {value!r}") from None


class XConnector:
    """The brand's Account Activity subscription: mentions, replies and quotes of it."""

    platform: ClassVar[str] = "x"

    def handshake(self, config: XConfig, query: Mapping[str, str]) -> Reply:
        """The Challenge-Response Check: prove we hold the consumer secret, as JSON."""
        token = query.get("crc_token")
        if not token:
            return Reply(400, "missing crc_token", "text/plain")
        if not _CRC_QUERY.fullmatch(token):
            return Reply(400, "crc_token is not shaped as X sends it", "text/plain")
        digest = hmac.new(config.consumer_secret.encode(), token.encode(), hashlib.sha256)
        answer = "sha256=" + base64.b64encode(digest.digest()).decode()
        return Reply(200, json.dumps({"response_token": answer}), "application/json")

    def verify(
        self, config: XConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """`x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>`;
        X signs no timestamp, so replays are left to dedup downstream. A body the CRC could have
        answered is refused whatever its signature (see `_CRC_SHAPE`)."""
        if _CRC_BODY.fullmatch(body):
            raise SignatureRefused("a body shaped as a crc_token is never a signed event")
        check_base64_hmac(
            config.consumer_secret.encode(),
            body,
            header(headers, SIGNATURE),
            prefix="sha256=",
            name=SIGNATURE,
            digest="sha256",
        )

    def parse(self, config: XConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        doc = Doc.parse(body)
        subscriber = doc.opt_ident("for_user_id")
        if subscriber is not None and subscriber != config.brand_user_id:
            return Parsed()  # one X app webhook serves every subscribed account; not this source's
        changes: list[MentionChange] = []
        for tweet in doc.objs("tweet_create_events"):
            change = _created(config, tweet)
            if change is not None:
                changes.append(change)
        for event in doc.objs("tweet_delete_events"):
            status = event.obj("status")
            if status.opt_ident("user_id") == config.brand_user_id:
                continue
            changes.append(MentionDeleted(platform="x", external_id=status.ident("id")))
        return Parsed(changes=changes)


def _created(config: XConfig, tweet: Doc) -> MentionChange | None:
    """A tweet about the brand; the brand's own tweets and plain retweets (no words of their
    author, the retweeted text is already known) are not mentions."""
    user = tweet.obj("user")
    author_id = user.ident("id_str") if user.has("id_str") else user.ident("id")
    if author_id == config.brand_user_id or tweet.has("retweeted_status"):
        return None
    tweet_id = tweet.ident("id_str") if tweet.has("id_str") else tweet.ident("id")
    screen_name = user.text("screen_name")
    if tweet.get("truncated") is True:
        text = tweet.obj("extended_tweet").text("full_text")
    elif tweet.has("full_text"):  # extended mode payloads put the whole text here
        text = tweet.text("full_text")
    else:
        text = tweet.text("text")
    followers = user.opt_int("followers_count")
    return build_upsert(
        tweet.path,
        platform="x",
        external_id=tweet_id,
        url=f"https://x.com/{screen_name}/status/{tweet_id}",
        author={
            "id": author_id,
            "handle": screen_name,
            "display_name": user.opt_text("name"),
            "followers": followers,
        },
        text=text,
        language=_language(tweet.opt_text("lang")),
        created_at=parse_x_time(tweet.text("created_at"), tweet.at("created_at")),
        in_reply_to=tweet.opt_text("in_reply_to_status_id_str"),
        media=_media(tweet.data),
    )


def _media(tweet: Mapping[str, Any]) -> list[str]:
    """Photo and video links from `extended_entities` (or `entities`), as X documents them."""
    entities = tweet.get("extended_entities") or tweet.get("entities") or {}
    media = entities.get("media") if isinstance(entities, Mapping) else None
    if not isinstance(media, list):
        return []
    links = [m.get("media_url_https") for m in media if isinstance(m, Mapping)]
    return [link for link in links if isinstance(link, str)][:20]
