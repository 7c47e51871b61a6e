"""Instagram `mentions` webhooks carry ids only; the Graph API gives the rest.

Meta notifies a mention of the brand's professional account in another account's caption or
comment with the media id (and the comment id) alone. With the source's access token, the
brand's account asks Graph for it, as documented for mentions (developers.facebook.com,
instagram-platform/webhooks/mentions, ig-user/mentioned_comment, ig-user/mentioned_media):

- a comment: `GET /{ig-user-id}?fields=mentioned_comment.comment_id({id}){text,timestamp,
  username,media{permalink}}`
- a caption: `GET /{ig-user-id}?fields=mentioned_media.media_id({id}){caption,timestamp,
  username,permalink}`

The mention is completed before it is stored, so it arrives once, with its text, and triage,
rules and notifications see what was said. Graph not answering (down, throttled, the token
revoked) leaves it as the webhook gave it, empty but stored and announced: nothing is lost
waiting for Graph, and the log says why.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from ensemble_ingest.connectors.base import MentionChange, MentionUpsert
from ensemble_ingest.models.mentions import IncomingMention
from ensemble_ingest.models.sources import MetaConfig, Source

log = logging.getLogger(__name__)

VERSION = "v21.0"
TIMEOUT = 5.0  # s: the webhook waits for it
COMMENT = "mentioned_comment.comment_id({id}){{id,text,timestamp,username,media{{id,permalink}}}}"
CAPTION = "mentioned_media.media_id({id}){{id,caption,timestamp,username,permalink}}"


def awaits_text(change: MentionChange) -> bool:
    """An Instagram mention as its webhook gave it: ids, no text."""
    return (
        isinstance(change, MentionUpsert)
        and change.mention.platform == "instagram"
        and not change.mention.text
    )


def completed(mention: IncomingMention, node: dict[str, Any]) -> IncomingMention | None:
    """The mention with what Graph said about it; None when the answer is not usable."""
    is_comment = mention.in_reply_to is not None
    text = node.get("text" if is_comment else "caption")
    username = node.get("username")
    if not isinstance(text, str) or not text or not isinstance(username, str) or not username:
        return None
    media = node.get("media") if is_comment else node
    url = media.get("permalink") if isinstance(media, dict) else None
    fields = mention.model_dump()
    fields.update(text=text, author={"id": username, "handle": username})
    if isinstance(url, str) and url.startswith("https://"):
        fields["url"] = url
    if isinstance(node.get("timestamp"), str):
        with contextlib.suppress(ValueError):  # else the webhook's time stays
            fields["created_at"] = datetime.strptime(node["timestamp"], "%Y-%m-%dT%H:%M:%S%z")
    try:
        return IncomingMention.model_validate(fields)
    except ValidationError as exc:
        log.warning("instagram mention %s: Graph's answer refused: %s", mention.external_id, exc)
        return None


class InstagramMentions:
    """Completes a Meta source's Instagram mentions through the Graph API."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def complete(
        self, source: Source, changes: Sequence[MentionChange]
    ) -> list[MentionChange]:
        config = source.config
        if not isinstance(config, MetaConfig) or not any(awaits_text(c) for c in changes):
            return list(changes)
        if not config.access_token or not config.instagram_user_id:
            log.info("source %s: Instagram mentions stay empty without an access token", source.id)
            return list(changes)
        out: list[MentionChange] = []
        for change in changes:
            if isinstance(change, MentionUpsert) and awaits_text(change):
                found = await self._ask(config, change.mention)
                change = MentionUpsert(mention=found) if found is not None else change
            out.append(change)
        return out

    async def _ask(self, config: MetaConfig, mention: IncomingMention) -> IncomingMention | None:
        is_comment = mention.in_reply_to is not None
        fields = (COMMENT if is_comment else CAPTION).format(id=mention.external_id)
        url = f"{str(config.graph_url).rstrip('/')}/{VERSION}/{config.instagram_user_id}"
        try:
            answer = await self._http.get(
                url,
                params={"fields": fields},
                headers={"authorization": f"Bearer {config.access_token}"},
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as exc:
            log.warning("instagram mention %s: Graph did not answer: %r", mention.external_id, exc)
            return None
        if answer.status_code != 200:
            log.warning(
                "instagram mention %s: Graph answered %s: %s",
                mention.external_id,
                answer.status_code,
                answer.text[:300],
            )
            return None
        try:
            node = answer.json().get("mentioned_comment" if is_comment else "mentioned_media")
        except (ValueError, AttributeError):
            return None
        return completed(mention, node) if isinstance(node, dict) else None
