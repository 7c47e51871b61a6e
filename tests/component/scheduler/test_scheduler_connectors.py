"""Publishing and replying on Bluesky, GitHub and Slack, and Mastodon's images, from one
scheduler on the real store and broker, each against a fake that speaks the platform's
documented API: an approved post and an approved reply reach the platform once, under the
mention they answer; rate-limit answers are waited out, lost answers and 5xx are settled by
asking the platform (never by posting twice), and a refusal is recorded with the platform's
reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.connectors.bluesky import BlueskyConnector
from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    Found,
    Posted,
    PublicationRequest,
    Refused,
)
from ensemble_shared.events import ContentPublishedV1, ContentPublishFailedV1, utcnow
from support import scheduler_bluesky as bsky
from support import scheduler_github as gh
from support import scheduler_slack as sl
from support.media_host import PNG, MediaHost
from support.scheduler import Scheduler
from support.scheduler_connecting import (
    channel,
    connecting,
    content_events,
    go_out,
    heard,
    mention,
    published,
    refusal,
    sealed,
)
from support.scheduler_mastodon import TOKEN, FakeMastodonOut
from support.scheduler_outbound import Scripted
from support.scheduler_publishing import approve, draft, schedule_in


@pytest.fixture(scope="module")
async def s(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Scheduler]:
    async with connecting(infra, issuer, "connectors") as scheduler:
        yield scheduler


def bsky_account(fake: bsky.FakeBluesky) -> dict[str, object]:
    return {
        "connector": "bluesky",
        "base_url": fake.base_url,
        "identifier": bsky.HANDLE,
        "app_password": bsky.APP_PASSWORD,
    }


async def test_bluesky_posts_with_facets_and_replies_in_the_thread_of_the_mention(
    s: Scheduler,
) -> None:
    with bsky.FakeBluesky() as fake:
        fake.handles["ada.bsky.social"] = "did:plc:ada"
        await channel(s, "bluesky", **bsky_account(fake), timeout_seconds=5)
        assert await sealed(s, "bluesky", "app_password") == bsky.APP_PASSWORD

        # A post, refused once for rate: sent again after the PDS's reset, once on Bluesky.
        fake.script(bsky.throttled())
        text = "Lancement ☕ avec @ada.bsky.social : https://exemple.fr/été #Ensemble"
        post_id = await go_out(s, channel="bluesky", title=None, body=text)
        view = await published(s, post_id)
        creates = fake.writes("/xrpc/com.atproto.repo.createRecord")
        assert [c["body"]["record"]["text"] for c in creates] == [text, text]
        (post,) = fake.posts_by_brand()
        assert view["platform_post_id"] == post["uri"]
        assert (
            view["url"]
            == f"https://bsky.app/profile/{bsky.DID}/post/{post['uri'].rsplit('/', 1)[1]}"
        )
        spans = {
            f["features"][0]["$type"].rsplit("#", 1)[1]: text.encode()[
                f["index"]["byteStart"] : f["index"]["byteEnd"]
            ].decode()
            for f in post["value"]["facets"]
        }
        assert spans == {
            "mention": "@ada.bsky.social",
            "link": "https://exemple.fr/été",
            "tag": "#Ensemble",
        }

        # A reply drafted on a mention (a reply in someone's thread), with the session expired
        # and a 502 that took nothing: refreshed, then settled by asking, then posted once.
        root = fake.seed_post("did:plc:ada", "Who makes this?")
        parent = fake.seed_post("did:plc:ada", "@brand.bsky.social is it yours?", reply_to=root)
        heard_id = await heard(s, "bluesky", parent["uri"], "is it yours?")
        fake.expire_tokens()
        fake.script(
            Scripted(502, {"error": "InternalServerError", "message": "Internal Server Error"})
        )
        reply_id = await go_out(
            s,
            kind="reply",
            channel="bluesky",
            title=None,
            body="Yes, it is ours!",
            reply_to={"mention_id": heard_id},
        )
        done = await published(s, reply_id, reconcile=True)
        assert done["attempts"] == 2  # the 502, then the post after the PDS said "no such post"
        brand = fake.posts_by_brand()
        assert len(brand) == 2
        reply = next(r for r in brand if r["uri"] == done["platform_post_id"])
        assert reply["value"]["reply"] == {
            "root": {"uri": root["uri"], "cid": root["cid"]},
            "parent": {"uri": parent["uri"], "cid": parent["cid"]},
        }
        assert fake.refreshes == 1
        assert fake.sessions == 1  # signed in once; the expired token was refreshed

        # Over 300 graphemes: the request for approval says so, before anyone approves it.
        writes = len(fake.writes("/xrpc/com.atproto.repo.createRecord"))
        assert writes == 5  # 429 and the post; expired, 502 and the reply
        too_long = await draft(s, channel="bluesky", title=None, body="👍🏽" * 301)
        asked = await s.client.post(f"/content/{too_long}/approval", json={}, headers=s.manager)
        assert asked.status_code == 422, asked.text
        assert asked.json()["message"].endswith("text: 301 characters, Bluesky takes 300 at most")
        # Approved while its channel had no account, then pointed at Bluesky: the connector
        # still refuses it before anything is sent, with the reason recorded.
        long_id = await draft(s, channel="bluesky-later", title=None, body="é" * 301)
        await approve(s, long_id)
        await channel(s, "bluesky-later", **bsky_account(fake))
        await schedule_in(s, long_id, 1)
        assert await refusal(s, long_id) == "text: 301 characters, Bluesky takes 300 at most"
        assert len(fake.writes("/xrpc/com.atproto.repo.createRecord")) == writes

    out = await content_events(s, [post_id, reply_id], ContentPublishedV1)
    assert sorted(e.data.platform for e in out) == ["bluesky", "bluesky"]
    assert next(e for e in out if e.subject == reply_id).data.in_reply_to == parent["uri"]
    failed = await content_events(s, [long_id], ContentPublishFailedV1)
    assert [e.data.code for e in failed] == ["refused"]


async def test_slack_posts_to_its_channel_and_replies_in_the_mentions_thread(
    s: Scheduler,
) -> None:
    with sl.FakeSlack() as fake:
        await channel(
            s,
            "slack",
            connector="slack",
            base_url=fake.api,
            access_token=sl.TOKEN,
            target=sl.CHANNEL,
            timeout_seconds=0.5,
        )
        assert await sealed(s, "slack", "access_token") == sl.TOKEN
        for bad in (
            {"connector": "slack", "base_url": fake.api, "access_token": sl.TOKEN, "target": "#x"},
            {"connector": "slack", "base_url": fake.api},  # no token
            {"connector": "bluesky", "base_url": fake.api, "identifier": "brand.bsky.social"},
            {"connector": "github", "base_url": fake.api, "access_token": "ghp_é"},
        ):
            refused = await s.client.put("/publishing/channels/other", json=bad, headers=s.admin)
            assert refused.status_code == 422, refused.text

        fake.script(sl.throttled(1))  # 429 + Retry-After: 1
        post_id = await go_out(s, channel="slack", title=None, body="Release 2.1 is out")
        post_view = await published(s, post_id)

        asked = fake.seed("@brand the export button is gone?")
        heard_id = await heard(s, "slack", f"{sl.CHANNEL}:{asked['ts']}", asked["text"])
        fake.script(Scripted(hang=2))  # taken, then the answer comes after the client gave up
        reply_id = await go_out(
            s,
            kind="reply",
            channel="slack",
            title=None,
            body="It moved to the share menu.",
            reply_to={"mention_id": heard_id},
        )
        reply_view = await published(s, reply_id)

        ours = [m for m in fake.messages() if m.get("bot_id")]
        assert [(m["text"], m.get("thread_ts")) for m in ours] == [
            ("Release 2.1 is out", None),
            ("It moved to the share menu.", asked["ts"]),
        ]
        assert post_view["platform_post_id"] == f"{sl.CHANNEL}:{ours[0]['ts']}"
        assert reply_view["platform_post_id"] == f"{sl.CHANNEL}:{ours[1]['ts']}"
        assert len(fake.writes("/api/chat.postMessage")) == 3  # 429, post, reply: none twice
        assert fake.writes("/api/chat.postMessage")[0]["headers"]["authorization"] == (
            f"Bearer {sl.TOKEN}"
        )

        # ok:false is Slack's refusal: recorded with its error name, never retried.
        gone = mention(s, "slack", "C0ARCHIVED:1700000000.000100", "old thread")
        lost_id = await go_out(
            s,
            kind="reply",
            channel="slack",
            title=None,
            body="Still there?",
            reply_to={"platform": "slack", "external_id": gone.data.external_id},
        )
        assert await refusal(s, lost_id) == "chat.postMessage: channel_not_found"

        # A reply to a Bluesky mention cannot go out through the Slack channel.
        elsewhere_id = await go_out(
            s,
            kind="reply",
            channel="slack",
            title=None,
            body="Wrong place",
            reply_to={"platform": "bluesky", "external_id": "at://did:plc:x/app.bsky.feed.post/1"},
        )
        failed = await content_events(s, [lost_id, elsewhere_id], ContentPublishFailedV1)
        reasons = {e.subject: (e.data.code, e.data.reason) for e in failed}
        assert reasons[elsewhere_id] == (
            "no_connector",
            "a reply to a bluesky mention goes out on bluesky; channel 'slack' publishes to slack",
        )
        assert len(fake.writes("/api/chat.postMessage")) == 4  # the refused one only

    out = await content_events(s, [post_id, reply_id], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {post_id: False, reply_id: True}


async def test_github_answers_under_issue_and_discussion_comments(s: Scheduler) -> None:
    with gh.FakeGitHub() as fake:
        await channel(
            s,
            "github",
            connector="github",
            base_url=fake.base_url,
            access_token=gh.TOKEN,
            timeout_seconds=0.5,
        )
        on_issue = fake.issue_comment(12, "Crash when exporting, @acme")
        fake.script(gh.secondary_limit(1))  # 403 + retry-after: waited out, sent again
        issue_reply = await go_out(
            s,
            kind="reply",
            channel="github",
            title=None,
            body="Thanks, fixed in 2.1.",
            reply_to={"platform": "github", "external_id": on_issue["node_id"]},
        )
        issue_view = await published(s, issue_reply)

        top = fake.discussion_comment("D_kwDOdisc7", "Roadmap for exports?")
        nested = fake.discussion_comment("D_kwDOdisc7", "+1, @acme?", reply_to=top["id"])
        heard_id = await heard(s, "github", nested["id"], nested["body"])
        fake.script(Scripted(hang=2))  # the comment is made; the answer is lost
        discussion_reply = await go_out(
            s,
            kind="reply",
            channel="github",
            title=None,
            body="Planned for March.",
            reply_to={"mention_id": heard_id},
        )
        discussion_view = await published(s, discussion_reply)

        (ours,) = [c for c in fake.issue_comments[12] if c["user"]["login"] == "brand-bot"]
        assert ours["body"].startswith("Thanks, fixed in 2.1.\n\n<!-- ensemble:ensemble-")
        assert issue_view["platform_post_id"] == ours["node_id"]
        assert issue_view["url"] == ours["html_url"]
        posts = fake.writes("/repos/acme/widgets/issues/12/comments")
        assert len(posts) == 2  # the secondary limit, then the comment
        assert posts[1]["headers"]["x-github-api-version"] == "2022-11-28"

        answers = [c for c in fake.discussions["D_kwDOdisc7"] if "Planned" in c["body"]]
        assert len(answers) == 1  # the lost answer was found by its marker, not re-posted
        assert answers[0]["replyTo"] == top["id"]  # in the top comment's thread
        assert discussion_view["platform_post_id"] == answers[0]["id"]

        # A post has no thread on GitHub: refused with the reason.
        post_id = await go_out(s, channel="github", title="News", body="Hello")
        assert await refusal(s, post_id) == (
            "GitHub channels publish replies only (to an issue or discussion)"
        )

    out = await content_events(s, [issue_reply, discussion_reply], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {
        issue_reply: False,
        discussion_reply: True,
    }


async def test_mastodon_posts_its_images_once_processed_and_refuses_what_it_cannot_take(
    s: Scheduler,
) -> None:
    with FakeMastodonOut() as fake, MediaHost() as host:
        await channel(
            s, "mastodon-media", connector="mastodon", base_url=fake.base_url, access_token=TOKEN
        )
        look, back = host.image("look.png"), host.image("back.jpg", mime="image/jpeg")
        post_id = await go_out(
            s, channel="mastodon-media", title=None, body="Le look d’hiver", media=[look, back]
        )
        view = await published(s, post_id)
        (status,) = fake.created()
        assert view["platform_post_id"] == status["id"]
        assert "look.png" not in status["content"]  # the images go out, not their addresses
        assert status["content"] == "<p>Le look d’hiver</p>"
        attached = [a["id"] for a in status["media_attachments"]]
        assert [(fake.media[i]["data"], fake.media[i]["mime"]) for i in attached] == [
            (PNG, "image/png"),
            (PNG, "image/jpeg"),
        ]
        assert all(fake.media[i]["attachment"]["url"] for i in attached)  # waited: processed

        # What Mastodon would refuse is said when approval is asked: a fifth image, a type it
        # does not take, a file over its size.
        big = host.image("big.png", bytes(16 * 1024 * 1024 + 1))
        svg = host.image("logo.svg", b"<svg/>", mime="image/svg+xml")
        five = [host.image(f"p{n}.png") for n in range(5)]
        for media, reason in (
            (five, "media: 5 images, Mastodon takes 4 at most"),
            ([svg], "image/svg+xml, Mastodon takes image/gif, image/jpeg, image/png, image/webp"),
            ([big], "16,777,217 bytes, Mastodon takes"),
        ):
            item = await draft(s, channel="mastodon-media", title=None, body="Hop", media=media)
            asked = await s.client.post(f"/content/{item}/approval", json={}, headers=s.manager)
            assert asked.status_code == 422, asked.text
            assert reason in asked.json()["message"]
    assert len(fake.posts) == 1


async def test_bluesky_uploads_an_image_blob_and_takes_a_post_down() -> None:
    """The connector's media and take-down calls against the PDS fake: an item's image is
    fetched from its link, uploaded as a blob and embedded; one over Bluesky's size is refused
    before anything is sent."""
    with bsky.FakeBluesky() as fake, MediaHost() as host:
        async with httpx.AsyncClient() as http:
            connector = BlueskyConnector(http)
            account = ChannelAccount(
                connector="bluesky",
                base_url=fake.base_url,
                identifier=bsky.DID,
                app_password=bsky.APP_PASSWORD,
                workspace="acme",
                channel="bluesky",
                revision=1,
                updated_by="ada",
                updated_at=utcnow(),
            )
            png = b"\x89PNG\r\n\x1a\n" + bytes(64)
            blob = await connector.upload(account, png, "image/png")
            assert blob["$type"] == "blob"
            assert blob["mimeType"] == "image/png"
            assert blob["size"] == len(png)
            (sent,) = fake.writes("/xrpc/com.atproto.repo.uploadBlob")
            assert sent["raw"] == png
            assert sent["headers"]["authorization"].startswith("Bearer access-")

            look = host.image("look.png")
            request = PublicationRequest(key="k", text=f"Bientôt\n\n{look}", media=(look,))
            posted = await connector.publish(account, request)
            assert isinstance(posted, Posted)
            (post,) = fake.posts_by_brand()
            assert post["uri"] == posted.post_id
            assert post["value"]["text"] == "Bientôt"
            ((image,),) = [post["value"]["embed"]["images"]]
            assert post["value"]["embed"]["$type"] == "app.bsky.embed.images"
            assert (image["alt"], image["image"]["size"]) == ("", len(PNG))
            assert isinstance(await connector.find(account, request, since=utcnow()), Found)
            big = host.image("big.png", bytes(1_000_001))
            uploads = len(fake.writes("/xrpc/com.atproto.repo.uploadBlob"))
            refused = await connector.publish(
                account, PublicationRequest(key="k2", text="Trop lourd", media=(big,))
            )
            assert refused == Refused(f"media {big}: larger than 1 MB, Bluesky's limit")
            assert len(fake.writes("/xrpc/com.atproto.repo.uploadBlob")) == uploads
            assert await connector.delete(account, posted.post_id) is None
            assert fake.posts_by_brand() == []
            gone = await connector.delete(account, "https://bsky.app/profile/x/post/1")
            assert isinstance(gone, Refused)
