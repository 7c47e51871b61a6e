"""Publishing on an Instagram professional account through the Graph API
(developers.facebook.com/docs/instagram-platform: content-publishing, ig-comment/replies,
ig-user/media_publish).

A reply to a mention ingest heard (Instagram's `mentions` webhooks: the brand @mentioned in
another account's caption or comment) is `POST /{ig-user-id}/mentions` with `message` and the
`media_id`, plus the `comment_id` for a comment (ig-user/mentions): Graph writes it as a
comment on that media, or as a reply to that comment. A reply to a comment id given by hand (a
comment on the account's own media) is `POST /{ig-comment-id}/replies`
(`instagram_manage_comments`).

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
matched on the exact text, a time after the attempt began and the account as author. A reply
to a mention is looked for among the mentioned media's comments or the mentioned comment's
replies (`GET /{ig-user-id}?fields=mentioned_media.media_id(…){comments{…}}`, or
`mentioned_comment.comment_id(…){replies{…}}`), the same text since the attempt began.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from ensemble_scheduler.connectors.calls import Failed
from ensemble_scheduler.connectors.graph import Graph, Match, failure
from ensemble_scheduler.connectors.media import caption_of
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Found,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
    Unreachable,
)

MAX_CAPTION = 2200
MAX_IMAGES = 10
MEDIA_FIELDS = "id,caption,timestamp,permalink"
REPLY_FIELDS = "id,text,timestamp,from"
ANSWERS = "id,text,timestamp,username"


def mention_form(request: PublicationRequest) -> dict[str, str]:
    """`POST /{ig-user-id}/mentions`: the media the brand was mentioned on (a caption mention
    is the media itself; a comment mention's parent is its media), and the comment if any."""
    form = {"message": request.text}
    if request.mention_parent:
        form |= {"media_id": request.mention_parent, "comment_id": str(request.in_reply_to)}
    else:
        form["media_id"] = str(request.in_reply_to)
    return form


def answers_of(request: PublicationRequest) -> tuple[str, str]:
    """The field that lists what was written under a mention, and where to read its items:
    (the `fields` value, the key of the answer's object)."""
    if request.mention_parent:
        key = "mentioned_comment"
        fields = f"{key}.comment_id({request.in_reply_to}){{replies{{{ANSWERS}}}}}"
        return fields, key
    key = "mentioned_media"
    return f"{key}.media_id({request.in_reply_to}){{comments{{{ANSWERS}}}}}", key


def refusal(account: ChannelAccount, request: PublicationRequest) -> Refused | None:
    """Why a request cannot go out on Instagram, known before sending (None when it can)."""
    if request.in_reply_to:
        if request.answers_mention and not account.target:
            return Refused(
                "an Instagram channel needs its Instagram user id as target to answer mentions"
            )
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
            if request.in_reply_to and request.answers_mention:
                path = f"{account.target}/mentions"
                return Posted(
                    await self._graph.post(account, path, "the reply", mention_form(request))
                )
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
        if request.in_reply_to and request.answers_mention:
            return await self._find_answer(account, request, since)
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

    async def _find_answer(
        self, account: ChannelAccount, request: PublicationRequest, since: datetime
    ) -> Lookup:
        """The reply under a mention, read through the mention's own node (one page: an
        answer beyond it cannot be told apart from none, so the lookup says it cannot say)."""
        fields, key = answers_of(request)
        answer = await self._graph.send(
            account, "GET", str(account.target), params={"fields": fields}
        )
        if not isinstance(answer, httpx.Response):
            return Unreachable(answer.reason)
        if answer.status_code != 200:
            return Unreachable(failure(answer, f"GET {key}").reason)
        try:
            edge = answer.json()[key]["replies" if request.mention_parent else "comments"]
            items: list[dict[str, Any]] = edge.get("data") or []
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return Unreachable(f"GET {key}: {type(exc).__name__}: {exc}")
        match = Match(request.text, "text", "timestamp", None, since)
        hit = next((i for i in items if match(i)), None)
        if hit is not None:
            return Found(str(hit["id"]), None)
        if (edge.get("paging") or {}).get("next"):
            return Unreachable(f"GET {key}: more answers than one page; cannot say")
        return Absent()
