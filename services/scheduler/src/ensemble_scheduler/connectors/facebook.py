"""Publishing on a Facebook Page through the Graph API (developers.facebook.com/docs:
graph-api/reference/page/feed, graph-api/reference/object/comments).

A post is `POST /{page-id}/feed` with `message` (and the first media link as `link`, which
Facebook shows as a preview card); the Page is the account's `target`. A reply is
`POST /{object-id}/comments` under the mention ingest stored: a comment (Facebook nests one
level, so an answer to a reply shows in its thread) or a visitor's post on the Page. The
token is a Page access token (`pages_manage_posts`, `pages_read_engagement`,
`pages_manage_engagement` for comments), sealed at rest like every credential.

Graph keeps no idempotency key, and a Facebook post has no place for an invisible marker
(HTML comments and zero-width tricks show, or are stripped), so nothing is added to the text a
person reads. An unknown outcome is settled by listing what was written since the attempt
began — the Page's feed (`GET /{page-id}/feed?fields=id,message,created_time,from&since=`), or
the comments under the mention — and matching the exact text, a creation time after the
attempt started (2 minutes of clock skew allowed) and the Page as author. The same approved
text twice on one thread within minutes is the one case this cannot tell apart; the attempt key
is per approved version, so only a person repeating an answer by hand could make it.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from ensemble_scheduler.connectors.calls import Failed
from ensemble_scheduler.connectors.graph import SKEW, Graph, Match
from ensemble_scheduler.models.publishing import (
    Absent,
    ChannelAccount,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
)

FIELDS = "id,message,created_time,from,permalink_url"


def permalink(post_id: str) -> str:
    """A feed post's address (`{page-id}_{post-id}` opens the post on facebook.com)."""
    return f"https://www.facebook.com/{post_id}"


def post_form(request: PublicationRequest) -> dict[str, str]:
    form = {"message": request.text}
    if request.media:
        form["link"] = request.media[0]
    return form


class FacebookConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._graph = Graph(http)

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        if not request.text.strip():
            return Refused("Facebook takes no empty message")
        try:
            if request.in_reply_to:
                reply = await self._graph.reply(account, request, "comments")
                return Posted(reply, await self._graph.permalink(account, reply))
            if not account.target:
                return Refused("a Facebook channel needs its Page id as target for posts")
            post = await self._graph.post(
                account, f"{account.target}/feed", "the Page post", post_form(request)
            )
        except Failed as failed:
            return failed.outcome
        return Posted(post, permalink(post))

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        match = Match(request.text, "message", "created_time", account.target, since)
        if request.in_reply_to:
            params = {"fields": FIELDS, "filter": "stream", "order": "reverse_chronological"}
            path = f"{request.in_reply_to}/comments"
            return await self._graph.lookup(
                account, path, params, match, lambda hit: hit.get("permalink_url")
            )
        if not account.target:
            return Absent()  # nothing is posted without a Page
        params = {"fields": FIELDS, "since": str(int((since - SKEW).timestamp()))}
        return await self._graph.lookup(
            account, f"{account.target}/feed", params, match, lambda hit: permalink(hit["id"])
        )
