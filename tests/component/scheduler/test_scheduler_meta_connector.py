"""Publishing and replying on a Facebook Page and an Instagram professional account from one
scheduler on the real store and broker, against a fake of Meta's Graph API: a Page post and a
reply under the mention's comment reach Facebook once; an Instagram reply goes under its
comment and a post goes out as an image container then `media_publish`; throttling answers
are waited out as Meta estimates (or retried later when the wait is long), lost answers are
settled by reading the thread back, and a revoked token is refused with a reason to reconnect."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.connectors.graph import BACKOFF
from ensemble_shared.events import ContentPublishedV1, ContentPublishFailedV1
from support import scheduler_meta as meta
from support.scheduler import Scheduler
from support.scheduler_connecting import (
    channel,
    connecting,
    content_events,
    go_out,
    heard,
    published,
    refusal,
    sealed,
)
from support.scheduler_outbound import Scripted
from support.scheduler_publishing import draft


@pytest.fixture(scope="module")
async def s(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Scheduler]:
    async with connecting(infra, issuer, "meta") as scheduler:
        yield scheduler


def feed_path() -> str:
    return f"/{meta.VERSION}/{meta.PAGE_ID}/feed"


async def test_facebook_page_post_once_despite_throttling_and_a_reply_under_the_comment(
    s: Scheduler,
) -> None:
    with meta.FakeGraph() as fake:
        await channel(
            s,
            "facebook",
            connector="facebook",
            base_url=fake.base_url,
            access_token=meta.TOKEN,
            target=meta.PAGE_ID,
            timeout_seconds=0.5,
        )
        assert await sealed(s, "facebook", "access_token") == meta.TOKEN
        no_page = {"connector": "facebook", "base_url": fake.base_url, "access_token": meta.TOKEN}
        refused = await s.client.put("/publishing/channels/other", json=no_page, headers=s.admin)
        assert refused.status_code == 422, refused.text

        # Throttled (code 32, no estimate): sent again after the backoff, one post on the Page.
        fake.script(meta.throttled(32, minutes=0))
        text = "Nouvelle gamme 🍂 dès lundi"
        post_id = await go_out(s, channel="facebook", title=None, body=text)
        post_view = await published(s, post_id)
        (post,) = [p for p in fake.brand_writes("fb") if p["parent"] is None]
        assert post["message"] == text
        assert post_view["platform_post_id"] == post["id"]
        assert post_view["url"] == f"https://www.facebook.com/{post['id']}"
        sends = fake.writes(feed_path())
        assert [w["form"]["message"] for w in sends] == [text, text]
        assert sends[1]["at"] - sends[0]["at"] >= BACKOFF * 0.9
        assert sends[0]["headers"]["authorization"] == f"Bearer {meta.TOKEN}"
        assert "access_token" not in sends[0]["query"]

        # A reply drafted on a comment mention; the answer is lost after Graph took it:
        # settled by reading the comment's replies, never sent twice.
        asked = fake.visitor_comment("Vous livrez en Belgique ?")
        heard_id = await heard(s, "facebook", asked["id"], asked["message"])
        fake.script(Scripted(hang=2))
        reply_id = await go_out(
            s,
            kind="reply",
            channel="facebook",
            title=None,
            body="Oui, partout en Belgique !",
            reply_to={"mention_id": heard_id},
        )
        reply_view = await published(s, reply_id)
        replies = fake.writes(f"/{meta.VERSION}/{asked['id']}/comments")
        assert len(replies) == 1
        (reply,) = [c for c in fake.brand_writes("fb") if c["parent"] == asked["id"]]
        assert reply["message"] == "Oui, partout en Belgique !"
        assert reply_view["platform_post_id"] == reply["id"]
        assert len(fake.brand_writes("fb")) == 2  # the post and the reply, nothing twice

        # The Page token revoked: refused with a reason that says to reconnect, not retried.
        fake.revoked = True
        gone_id = await go_out(s, channel="facebook", title=None, body="Encore là ?")
        reason = await refusal(s, gone_id)
        assert reason.startswith("the Page post: Meta no longer accepts this account's access")
        assert "Graph error 190/460" in reason
        assert reason.endswith("reconnect the account")
        assert len(fake.writes(feed_path())) == 3

    out = await content_events(s, [post_id, reply_id], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {post_id: False, reply_id: True}
    assert {e.data.platform for e in out} == {"facebook"}
    assert next(e for e in out if e.subject == reply_id).data.in_reply_to == asked["id"]
    failed = await content_events(s, [gone_id], ContentPublishFailedV1)
    assert [e.data.code for e in failed] == ["refused"]


async def test_instagram_replies_under_the_comment_and_posts_images_or_refuses_text_only(
    s: Scheduler,
) -> None:
    with meta.FakeGraph() as fake:
        await channel(
            s,
            "instagram",
            connector="instagram",
            base_url=fake.base_url,
            access_token=meta.TOKEN,
            target=meta.IG_USER_ID,
            timeout_seconds=0.5,
        )
        # The brand @mentioned in another account's comment (ingest heard it with its media as
        # parent). Throttled for a minute by Meta's estimate: not slept through inside the
        # publish; the attempt stays unknown, the mention's replies are read, and the reply goes
        # out once, later, through /{ig-user-id}/mentions.
        theirs, asked = fake.ig_mentions("Mon look avec @acme", "@acme c'est dispo en 38 ?")
        heard_id = await heard(s, "instagram", asked["id"], asked["text"], parent=theirs["id"])
        fake.script(meta.throttled(613, minutes=1))
        reply_id = await go_out(
            s,
            kind="reply",
            channel="instagram",
            title=None,
            body="Oui, en boutique et en ligne.",
            reply_to={"mention_id": heard_id},
        )
        reply_view = await published(s, reply_id, reconcile=True)
        assert reply_view["attempts"] == 2
        mentions = f"/{meta.VERSION}/{meta.IG_USER_ID}/mentions"
        sent = fake.writes(mentions)
        assert len(sent) == 2  # the throttled send, then the reply
        assert sent[-1]["form"] == {
            "message": "Oui, en boutique et en ligne.",
            "media_id": theirs["id"],
            "comment_id": asked["id"],
        }
        (reply,) = fake.brand_writes("ig_comment")
        assert (reply["parent"], reply["text"]) == (asked["id"], "Oui, en boutique et en ligne.")
        assert reply_view["platform_post_id"] == reply["id"]

        # @mentioned in a caption: the answer is a comment on that media. Its answer lost after
        # Graph took it: found among the media's comments, never sent twice.
        caption_id = await heard(s, "instagram", theirs["id"], theirs["caption"])
        fake.script(Scripted(hang=2))
        thanks = await go_out(
            s,
            kind="reply",
            channel="instagram",
            title=None,
            body="Merci pour le look !",
            reply_to={"mention_id": caption_id},
        )
        thanks_view = await published(s, thanks, reconcile=True)
        assert len(fake.writes(mentions)) == 3
        assert fake.writes(mentions)[-1]["form"] == {
            "message": "Merci pour le look !",
            "media_id": theirs["id"],
        }
        comment = next(c for c in fake.brand_writes("ig_comment") if c["parent"] == theirs["id"])
        assert (comment["text"], thanks_view["platform_post_id"]) == (
            "Merci pour le look !",
            comment["id"],
        )

        # A comment on the account's own media, answered by its id: under it, with /replies.
        own = fake.ig_comment("Magnifique !")
        by_id = await go_out(
            s,
            kind="reply",
            channel="instagram",
            title=None,
            body="Merci !",
            reply_to={"platform": "instagram", "external_id": own["id"]},
        )
        await published(s, by_id)
        assert len(fake.writes(f"/{meta.VERSION}/{own['id']}/replies")) == 1

        # Before anyone approves: a text-only post, then images Instagram would not take (a
        # PNG, a JPEG over 8 MB, one that is not there), each named in the answer.
        text_only = await draft(s, channel="instagram", title=None, body="Bientôt !")
        answer = await s.client.post(f"/content/{text_only}/approval", json={}, headers=s.manager)
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"].endswith("media: Instagram posts need an image")
        png, big = fake.image("look.png", kind="image/png"), fake.image("big.jpg", size=9_000_000)
        gone = f"{fake.base_url}/cdn/gone.jpg"
        wrong = await draft(
            s, channel="instagram", title=None, body="Trois looks", media=[png, big, gone]
        )
        answer = await s.client.post(f"/content/{wrong}/approval", json={}, headers=s.manager)
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"].split(": ", 1)[1].split("; ") == [
            f"media 1 ({png}): image/png, Instagram takes image/jpeg",
            f"media 2 ({big}): 9,000,000 bytes, Instagram takes 8,388,608 at most",
            f"media 3 ({gone}): could not be read: HTTP 404",
        ]
        assert fake.writes(f"/{meta.VERSION}/{meta.IG_USER_ID}/media") == []

        # One image: a container, then media_publish; the caption without the image's address.
        one = fake.image("look-1.jpg")
        single = await go_out(
            s, channel="instagram", title=None, body="La collection d'automne", media=[one]
        )
        single_view = await published(s, single)
        # Two images: a carousel (two children, the carousel container), then media_publish.
        two = fake.image("look-2.jpg")
        carousel = await go_out(
            s, channel="instagram", title=None, body="Deux looks", media=[one, two]
        )
        carousel_view = await published(s, carousel)

        containers = [w["form"] for w in fake.writes(f"/{meta.VERSION}/{meta.IG_USER_ID}/media")]
        assert containers[0] == {"image_url": one, "caption": "La collection d'automne"}
        assert [c.get("is_carousel_item") for c in containers[1:3]] == ["true", "true"]
        assert containers[3]["media_type"] == "CAROUSEL"
        assert containers[3]["caption"] == "Deux looks"
        assert len(fake.writes(f"/{meta.VERSION}/{meta.IG_USER_ID}/media_publish")) == 2
        media = fake.brand_writes("ig_media")
        assert [(m["caption"], m.get("image_url"), m.get("images")) for m in media] == [
            ("La collection d'automne", one, None),
            ("Deux looks", None, [one, two]),
        ]
        assert [single_view["platform_post_id"], carousel_view["platform_post_id"]] == [
            m["id"] for m in media
        ]

    out = await content_events(s, [reply_id, single, carousel], ContentPublishedV1)
    assert {e.data.platform for e in out} == {"instagram"}
