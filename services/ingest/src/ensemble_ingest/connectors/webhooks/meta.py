"""Meta Graph API webhooks: Facebook Page `feed` changes and Instagram `mentions`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Parsed,
    Reply,
)
from ensemble_ingest.connectors.webhooks._common import (
    Doc,
    build_upsert,
    check_hex_hmac,
    header,
    secrets_equal,
)
from ensemble_ingest.models.sources import MetaConfig

SIGNATURE = "x-hub-signature-256"
FEED_ITEMS = frozenset({"post", "comment", "status"})
UPSERT_VERBS = frozenset({"add", "edited", "edit"})  # the reference lists both edit and edited
DELETE_VERBS = frozenset({"remove", "delete"})  # ... and both remove and delete
UNKNOWN_AUTHOR = "unknown"  # Instagram `mentions` notifications carry ids only


class MetaConnector:
    """One Meta app's webhook: `object: page` (platform facebook) and `object: instagram`."""

    platform: ClassVar[str] = "meta"

    def handshake(self, config: MetaConfig, query: Mapping[str, str]) -> Reply:
        """Meta's subscription check: echo `hub.challenge` when our verify token is presented."""
        token = query.get("hub.verify_token", "")
        challenge = query.get("hub.challenge")
        if (
            query.get("hub.mode") == "subscribe"
            and challenge is not None
            and secrets_equal(token, config.verify_token)
        ):
            return Reply(200, challenge, "text/plain")
        return Reply(403, "verification failed", "text/plain")

    def verify(
        self, config: MetaConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`; Meta sends no
        timestamp, so there is no replay window to check (dedup downstream absorbs replays)."""
        check_hex_hmac(
            config.app_secret.encode(),
            body,
            header(headers, SIGNATURE),
            prefix="sha256=",
            name=SIGNATURE,
            digest="sha256",
        )

    def parse(self, config: MetaConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        doc = Doc.parse(body)
        kind = doc.text("object")
        if kind not in ("page", "instagram"):
            return Parsed()
        changes: list[MentionChange] = []
        for entry in doc.objs("entry"):
            for change in entry.objs("changes"):
                field = change.text("field")
                if kind == "page" and field == "feed":
                    changes.extend(_feed_change(config, entry, change.obj("value")))
                elif kind == "instagram" and field == "mentions":
                    changes.append(_instagram_mention(entry, change.obj("value")))
        return Parsed(changes=changes)


def _feed_change(config: MetaConfig, entry: Doc, value: Doc) -> list[MentionChange]:
    """A post, status or comment on the Page's feed; reactions, shares and the rest are not
    mentions, and what the Page itself wrote is not a mention of the brand either."""
    item = value.text("item")
    verb = value.text("verb")
    if item not in FEED_ITEMS or verb not in UPSERT_VERBS | DELETE_VERBS:
        return []
    author = value.opt_obj("from")
    author_id = author.ident("id") if author else value.opt_ident("sender_id")
    if author_id is not None and author_id == (config.page_id or entry.ident("id")):
        return []
    external_id = value.ident("comment_id") if item == "comment" else value.ident("post_id")
    if verb in DELETE_VERBS:
        return [MentionDeleted(platform="facebook", external_id=external_id)]
    if author_id is None:
        raise MalformedPayload(f"{value.at('from')}: missing")
    name = author.opt_text("name") if author else value.opt_text("sender_name")
    post = value.opt_obj("post")
    url = value.opt_text("permalink_url") or (post.opt_text("permalink_url") if post else None)
    created = value.time("created_time") if value.has("created_time") else entry.time("time")
    return [
        build_upsert(
            value.path,
            platform="facebook",
            external_id=external_id,
            url=url,
            author={"id": author_id, "handle": author_id, "display_name": name},
            text=value.opt_text("message") or "",
            created_at=created,
            revised_at=entry.time("time") if entry.has("time") else None,  # when it changed
            in_reply_to=(value.opt_ident("parent_id") or value.opt_ident("post_id"))
            if item == "comment"
            else None,
        )
    ]


def _instagram_mention(entry: Doc, value: Doc) -> MentionChange:
    """Meta sends only ids here: no text, author or permalink (the API must be asked for them),
    so the mention is stored with empty text and an unknown author until enriched."""
    media_id = value.ident("media_id")
    comment_id = value.opt_ident("comment_id")
    return build_upsert(
        value.path,
        platform="instagram",
        external_id=comment_id or media_id,
        url=None,
        author={"id": UNKNOWN_AUTHOR, "handle": UNKNOWN_AUTHOR},
        text="",
        created_at=entry.time("time"),
        in_reply_to=media_id if comment_id else None,
    )
