"""Publishing on an Instagram professional account through the Graph API
(developers.facebook.com/docs/instagram-platform: content-publishing, ig-comment/replies,
ig-user/media_publish).

A reply is `POST /{ig-comment-id}/replies` with `message`, under the comment ingest stored as
the mention (`instagram_manage_comments`). A mention in another account's caption or comment
is answered through `/{ig-user-id}/mentions` instead, which this connector does not do yet:
Graph refuses the reply and its reason is recorded.

Instagram has no text-only posts. A post is the item's media links as image containers
(`POST /{ig-user-id}/media` with `image_url`, JPEG on a public address; two to ten images make
a carousel: children with `is_carousel_item`, then a `CAROUSEL` container), then
`POST /{ig-user-id}/media_publish` with the container's id (`instagram_content_publish`). An
item without media is refused before anything is sent, as is a caption over 2,200 characters.
The caption is the text without the media links `ContentFields.outgoing_text` appends. The
account's `target` is the Instagram user id.

Only `media_publish` makes anything visible: a container left by a failed attempt expires
unpublished after 24 hours. Graph keeps no idempotency key and a caption has no invisible
place for one, so an unknown outcome is settled as on Facebook: the account's media
(`GET /{ig-user-id}/media?fields=id,caption,timestamp,permalink`) or the comment's replies,
matched on the exact text, a time after the attempt began and the account as author.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from ensemble_scheduler.connectors.calls import Failed
from ensemble_scheduler.connectors.graph import Graph, Match
from ensemble_scheduler.connectors.media import caption_of
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
)

MAX_CAPTION = 2200
MAX_IMAGES = 10
MEDIA_FIELDS = "id,caption,timestamp,permalink"
REPLY_FIELDS = "id,text,timestamp,from"


def refusal(account: ChannelAccount, request: PublicationRequest) -> Refused | None:
    """Why a request cannot go out on Instagram, known before sending (None when it can)."""
    if request.in_reply_to:
        return None if request.text.strip() else Refused("Instagram takes no empty reply")
    if not account.target:
        return Refused("an Instagram channel needs its Instagram user id as target for posts")
    if not request.media:
        return Refused(
            "Instagram posts need an image: add one to the item's media (Instagram has no "
            "text-only posts)"
        )
    if len(request.media) > MAX_IMAGES:
        return Refused(f"media: {len(request.media)} images, Instagram takes {MAX_IMAGES} at most")
    caption = caption_of(request)
    if len(caption) > MAX_CAPTION:
        return Refused(f"caption: {len(caption)} characters, Instagram takes {MAX_CAPTION} at most")
    return None


class InstagramConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._graph = Graph(http)

    async def _container(self, account: ChannelAccount, request: PublicationRequest) -> str:
        """The container to publish: one image, or a carousel of its images."""
        media = f"{account.target}/media"
        caption = caption_of(request)
        if len(request.media) == 1:
            form = {"image_url": request.media[0], "caption": caption}
            return await self._graph.post(account, media, "the image container", form)
        children = [
            await self._graph.post(
                account,
                media,
                f"carousel image {n}",
                {"image_url": url, "is_carousel_item": "true"},
            )
            for n, url in enumerate(request.media, start=1)
        ]
        form = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        return await self._graph.post(account, media, "the carousel container", form)

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        refused = refusal(account, request)
        if refused is not None:
            return refused
        try:
            if request.in_reply_to:
                return Posted(await self._graph.reply(account, request, "replies"))
            container = await self._container(account, request)
            media = await self._graph.post(
                account,
                f"{account.target}/media_publish",
                "media_publish",
                {"creation_id": container},
            )
        except Failed as failed:
            return failed.outcome
        return Posted(media)

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        if request.in_reply_to:
            path, fields = f"{request.in_reply_to}/replies", REPLY_FIELDS
            match = Match(request.text, "text", "timestamp", account.target, since)
        elif account.target and request.media:
            path, fields = f"{account.target}/media", MEDIA_FIELDS
            match = Match(caption_of(request), "caption", "timestamp", account.target, since)
        else:
            return Absent()  # refused before sending: nothing can exist
        return await self._graph.lookup(
            account, path, {"fields": fields}, match, lambda hit: hit.get("permalink")
        )
