"""Publishing and replying on X from one scheduler on the real store and broker, against a fake of
X's API v2: a post goes out once although X first answers "Too Many Requests" (sent again after
`x-rate-limit-reset`); a reply goes in the mention's thread and, its answer lost after X took it,
is settled by reading the account's timeline back (links rewritten to t.co), never posted twice;
an image is fetched from its link, uploaded, and attached; a text too long as X counts it is
refused before anything is sent; a revoked token is refused with a reason to reconnect."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.events import ContentPublishedV1, ContentPublishFailedV1
from support import scheduler_x as x
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
from support.scheduler_publishing import approve, draft, schedule_in


@pytest.fixture(scope="module")
async def s(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Scheduler]:
    async with connecting(infra, issuer, "x") as scheduler:
        yield scheduler


async def x_channel(s: Scheduler, fake: x.FakeX, **extra: str) -> None:
    await channel(
        s,
        "x",
        connector="x",
        base_url=fake.base_url,
        access_token=x.TOKEN,
        timeout_seconds=0.5,
        **extra,
    )


async def test_a_post_once_despite_a_rate_limit_and_a_reply_in_the_thread_settled_by_reading(
    s: Scheduler,
) -> None:
    with x.FakeX() as fake:
        no_token = {"connector": "x", "base_url": fake.base_url}
        refused = await s.client.put("/publishing/channels/other", json=no_token, headers=s.admin)
        assert refused.status_code == 422, refused.text
        await x_channel(s, fake)
        assert await sealed(s, "x", "access_token") == x.TOKEN

        # Too Many Requests, reset in 2 s: sent again after the reset, one post on X.
        fake.script(x.too_many(2))
        text = "La collection d'automne arrive 🍂"
        post_id = await go_out(s, channel="x", title=None, body=text)
        post_view = await published(s, post_id)
        (post,) = fake.brand_posts()
        assert post["sent"] == text
        assert post["reply_to"] is None
        assert post_view["platform_post_id"] == post["id"]
        assert post_view["url"] == f"https://x.com/i/web/status/{post['id']}"
        sends = fake.writes("/2/tweets")
        assert [w["body"] for w in sends] == [{"text": text}, {"text": text}]
        assert sends[1]["at"] - sends[0]["at"] >= 1.0
        assert sends[0]["headers"]["authorization"] == f"Bearer {x.TOKEN}"

        # A reply to a mention; X takes it but the answer is lost (the client gives up after
        # 0.5 s): the timeline is read back — where X shows the link as t.co and `&` escaped —
        # and the reply is found, never sent twice.
        asked = fake.someone_posts("@acme vous livrez en Belgique ?")
        heard_id = await heard(s, "x", asked["id"], asked["text"])
        fake.script(Scripted(hang=2))
        answer = "Oui, partout en Belgique & au Luxembourg : https://acme.example/livraison"
        reply_id = await go_out(
            s,
            kind="reply",
            channel="x",
            title=None,
            body=answer,
            reply_to={"mention_id": heard_id},
        )
        reply_view = await published(s, reply_id)
        replies = [w for w in fake.writes("/2/tweets") if "reply" in w["body"]]
        assert [w["body"] for w in replies] == [
            {"text": answer, "reply": {"in_reply_to_tweet_id": asked["id"]}}
        ]
        _first, reply = fake.brand_posts()
        assert (reply["reply_to"], reply["sent"]) == (asked["id"], answer)
        assert "https://t.co/" in reply["text"]
        assert "&amp;" in reply["text"]
        assert reply_view["platform_post_id"] == reply["id"]
        timeline = [r for r in fake.requests if r["path"] == f"/2/users/{x.USER_ID}/tweets"]
        assert timeline
        assert "referenced_tweets" in timeline[0]["query"]["tweet.fields"]
        assert any(r["path"] == "/2/users/me" for r in fake.requests)  # no target: asked

    out = await content_events(s, [post_id, reply_id], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {post_id: False, reply_id: True}
    assert {e.data.platform for e in out} == {"x"}
    assert next(e for e in out if e.subject == reply_id).data.in_reply_to == asked["id"]


async def test_an_image_is_uploaded_and_attached_and_refusals_come_with_reasons(
    s: Scheduler,
) -> None:
    with x.FakeX() as fake:
        await x_channel(s, fake, target=x.USER_ID)
        look = fake.image("look-1.png")

        # The image is fetched from its link, uploaded, and attached; the text goes without
        # its address.
        with_image = await go_out(
            s, channel="x", title=None, body="Le look de la semaine", media=[look]
        )
        image_view = await published(s, with_image)
        (upload,) = fake.writes("/2/media/upload")
        assert upload["form"]["media_category"] == "tweet_image"
        assert (upload["form"]["type"], upload["form"]["size"]) == ("image/png", len(x.PNG))
        ((media_id, stored),) = fake.media.items()
        assert stored["data"] == x.PNG
        (post,) = fake.brand_posts()
        assert (post["sent"], post["media"]) == ("Le look de la semaine", [media_id])
        assert image_view["platform_post_id"] == post["id"]

        # 250 characters, but 300 as X counts them (CJK weighs 2): the request for approval
        # says so, before anyone approves it.
        sent_before = len(fake.writes("/2/tweets"))
        too_long = await draft(s, channel="x", title=None, body="é" * 200 + "漢" * 50)
        asked = await s.client.post(f"/content/{too_long}/approval", json={}, headers=s.manager)
        assert asked.status_code == 422, asked.text
        assert asked.json()["message"].endswith("text: 300 characters, X takes 280 at most")
        # Approved while its channel had no account, then pointed at X: the connector still
        # refuses it before anything is sent.
        later = await draft(s, channel="x-later", title=None, body="é" * 200 + "漢" * 50)
        await approve(s, later)
        await channel(s, "x-later", connector="x", base_url=fake.base_url, access_token=x.TOKEN)
        await schedule_in(s, later, 1)
        assert await refusal(s, later) == (
            "text: 300 characters as X counts them (links 23, CJK and emoji 2), X takes 280 at most"
        )
        assert len(fake.writes("/2/tweets")) == sent_before

        # The token revoked: refused with a reason that says to reconnect, not retried.
        fake.revoked = True
        gone = await go_out(s, channel="x", title=None, body="Encore là ?")
        reason = await refusal(s, gone)
        assert reason == (
            "the post: X no longer accepts this account's access token (Unauthorized); "
            "reconnect the account"
        )
        assert len(fake.writes("/2/tweets")) == sent_before + 1
        assert len(fake.brand_posts()) == 1

    failed = await content_events(s, [later, gone], ContentPublishFailedV1)
    assert {e.data.code for e in failed} == {"refused"}
