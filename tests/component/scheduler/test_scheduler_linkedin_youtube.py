"""Publishing as a LinkedIn organisation and replying on YouTube from one scheduler on the real
store and broker, against fakes that speak each platform's documented API: a LinkedIn post goes
out once with its image (fetched, registered, uploaded) and its commentary escaped, a comment
goes under the post a person named; a YouTube answer goes in the thread of the comment (or under
the video) ingest heard; rate limits are waited out, lost answers are settled by reading the
platform back (exactly one post), and a revoked token or a spent quota is refused with a reason
people can read."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.connectors import linkedin, youtube
from ensemble_shared.events import ContentPublishedV1, ContentPublishFailedV1
from support import scheduler_linkedin as li
from support import scheduler_youtube as yt
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
    async with connecting(infra, issuer, "linkedin_youtube") as scheduler:
        yield scheduler


async def linkedin_channel(s: Scheduler, fake: li.FakeLinkedIn, seconds: float) -> None:
    await channel(
        s,
        "linkedin",
        connector="linkedin",
        base_url=fake.base_url,
        access_token=li.TOKEN,
        target=li.ORG_ID,
        timeout_seconds=seconds,
    )


async def test_linkedin_post_goes_out_once_with_its_image_and_escaped_text(
    s: Scheduler,
) -> None:
    with li.FakeLinkedIn() as fake:
        await linkedin_channel(s, fake, 5)
        assert await sealed(s, "linkedin", "access_token") == li.TOKEN
        no_org = {"connector": "linkedin", "base_url": fake.base_url, "access_token": li.TOKEN}
        refused = await s.client.put("/publishing/channels/other", json=no_org, headers=s.admin)
        assert refused.status_code == 422, refused.text

        png = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(4096)
        image_url = fake.media("look.png", png)
        fake.script(li.throttled(1))  # the first POST /rest/posts: 429, Retry-After 1
        text = (
            "Soldes (jusqu'à -30 %) : *tout* le rayon #Hiver_2027, voir [ici] <3 @acme ~ "
            "{vite} \\o/ | merci"
        )
        post_id = await go_out(s, channel="linkedin", title=None, body=text, media=[image_url])
        view = await published(s, post_id)

        (post,) = fake.brand_posts()
        assert post["commentary"] == (
            "Soldes \\(jusqu'à -30 %\\) : \\*tout\\* le rayon {hashtag|\\#|Hiver\\_2027}, voir "
            "\\[ici\\] \\<3 \\@acme \\~ \\{vite\\} \\\\o/ \\| merci"
        )
        assert view["platform_post_id"] == post["id"]
        assert view["url"] == f"https://www.linkedin.com/feed/update/{post['id']}/"
        image = fake.images[post["content"]["media"]["id"]]
        assert (image["data"], image["type"]) == (png, "image/png")
        sends = fake.writes("/rest/posts")
        assert len(sends) == 2  # the throttled send, then the post
        assert sends[1]["at"] - sends[0]["at"] >= 0.9
        assert sends[1]["body"] == sends[0]["body"]
        headers = sends[1]["headers"]
        assert headers["linkedin-version"] == linkedin.VERSION
        assert headers["x-restli-protocol-version"] == "2.0.0"
        assert headers["authorization"] == f"Bearer {li.TOKEN}"
        assert len(fake.writes("/rest/images")) == 1  # uploaded once, not per send

        # Media LinkedIn would not take: the request for approval names each, before anyone
        # approves and before anything is registered.
        notes = fake.media("notes.txt", b"not an image", "text/plain")
        huge = fake.media("huge.jpg", b"\xff\xd8" + bytes(5 * 1024 * 1024), "image/jpeg")
        wrong = await draft(s, channel="linkedin", title=None, body="Notes", media=[notes, huge])
        asked = await s.client.post(f"/content/{wrong}/approval", json={}, headers=s.manager)
        assert asked.status_code == 422, asked.text
        assert asked.json()["message"].split("approval: ", 1)[1].split("; ") == [
            f"media 1 ({notes}): text/plain, LinkedIn takes image/gif, image/jpeg, image/png",
            f"media 2 ({huge}): 5,242,882 bytes, LinkedIn takes 5,242,880 at most",
        ]
        assert len(fake.writes("/rest/images")) == 1
        assert len(fake.brand_posts()) == 1

    (out,) = await content_events(s, [post_id], ContentPublishedV1)
    assert (out.data.platform, out.data.reconciled) == ("linkedin", False)


async def test_linkedin_comment_and_post_lost_in_flight_are_found_not_sent_twice(
    s: Scheduler,
) -> None:
    with li.FakeLinkedIn() as fake:
        await linkedin_channel(s, fake, 0.5)
        asked = fake.member_post("Vous recrutez à Lyon ?")

        # The comment is taken, its answer lost: settled by reading the post's comments.
        fake.script(Scripted(hang=2))
        reply_id = await go_out(
            s,
            kind="reply",
            channel="linkedin",
            title=None,
            body="Oui : trois postes ouverts (voir la page carrières) !",
            reply_to={"platform": "linkedin", "external_id": asked["id"]},
        )
        reply_view = await published(s, reply_id)
        (comment,) = fake.brand_comments()
        assert comment["message"]["text"] == "Oui : trois postes ouverts (voir la page carrières) !"
        assert comment["object"] == asked["id"]
        assert reply_view["platform_post_id"] == comment["commentUrn"]
        assert len(fake.writes(f"/rest/socialActions/{asked['id']}/comments")) == 1

        # A post taken while its answer is lost: found through the organisation's posts.
        fake.script(Scripted(hang=2))
        post_id = await go_out(s, channel="linkedin", title=None, body="Nouveau site en ligne.")
        post_view = await published(s, post_id)
        (post,) = fake.brand_posts()
        assert post["commentary"] == "Nouveau site en ligne."
        assert post_view["platform_post_id"] == post["id"]
        assert len(fake.writes("/rest/posts")) == 1

        # The token revoked: refused with a reason that says to reconnect, never retried.
        fake.revoked = True
        gone_id = await go_out(s, channel="linkedin", title=None, body="Encore là ?")
        reason = await refusal(s, gone_id)
        assert reason.startswith("the post: LinkedIn no longer accepts this account's access")
        assert "HTTP 401 REVOKED_ACCESS_TOKEN 65601" in reason
        assert reason.endswith("reconnect the account")
        assert len(fake.writes("/rest/posts")) == 2
        assert len(fake.brand_posts()) == 1

    out = await content_events(s, [reply_id, post_id], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {reply_id: True, post_id: True}
    assert next(e for e in out if e.subject == reply_id).data.in_reply_to == asked["id"]
    failed = await content_events(s, [gone_id], ContentPublishFailedV1)
    assert [e.data.code for e in failed] == ["refused"]


async def test_youtube_answers_in_the_comment_thread_or_under_the_video_once(
    s: Scheduler,
) -> None:
    with yt.FakeYouTube() as fake:
        await channel(
            s,
            "youtube",
            connector="youtube",
            base_url=fake.base_url,
            access_token=yt.TOKEN,
            target=yt.CHANNEL_ID,
            timeout_seconds=0.5,
        )
        asked = fake.member_comment("Le tuto marche aussi sur Mac ?")
        asked_id = await heard(s, "youtube", asked["id"], "Le tuto marche aussi sur Mac ?")

        # Rate limited once (403 rateLimitExceeded, no Retry-After): sent again after the
        # backoff, one reply in the comment's thread.
        fake.script(yt.rate_limited())
        reply_id = await go_out(
            s,
            kind="reply",
            channel="youtube",
            title=None,
            body="Oui, dès macOS 13.",
            reply_to={"mention_id": asked_id},
        )
        reply_view = await published(s, reply_id)
        sends = fake.writes("/youtube/v3/comments")
        assert len(sends) == 2
        assert sends[1]["at"] - sends[0]["at"] >= youtube.BACKOFF * 0.9
        assert sends[1]["body"] == {
            "snippet": {"parentId": asked["id"], "textOriginal": "Oui, dès macOS 13."}
        }
        assert sends[1]["query"]["part"] == "snippet"
        (reply,) = fake.brand_comments()
        assert reply["snippet"]["parentId"] == asked["id"]
        assert reply_view["platform_post_id"] == reply["id"]
        assert (
            reply_view["url"] == f"https://www.youtube.com/watch?v={yt.VIDEO_ID}&lc={reply['id']}"
        )

        # The video itself, as ingest stores a YouTube mention: a top-level comment; its answer
        # lost after YouTube took it is found in the video's threads, not sent again.
        video_id = await heard(s, "youtube", yt.VIDEO_ID, "Nouveau tuto : installer Ensemble")
        fake.script(Scripted(hang=2))
        thread_id = await go_out(
            s,
            kind="reply",
            channel="youtube",
            title=None,
            body="Merci d'avoir regardé ! Questions bienvenues.",
            reply_to={"mention_id": video_id},
        )
        thread_view = await published(s, thread_id)
        assert len(fake.writes("/youtube/v3/commentThreads")) == 1
        tops = [c for c in fake.brand_comments() if "parentId" not in c["snippet"]]
        assert [c["snippet"]["textOriginal"] for c in tops] == [
            "Merci d'avoir regardé ! Questions bienvenues."
        ]
        assert thread_view["platform_post_id"] == tops[0]["id"]

        # The day's quota spent: refused with when it comes back, not left to post by itself.
        fake.script(yt.quota_spent())
        spent_id = await go_out(
            s,
            kind="reply",
            channel="youtube",
            title=None,
            body="Et sur Linux aussi.",
            reply_to={"mention_id": asked_id},
        )
        spent = await refusal(s, spent_id)
        assert "HTTP 403 quotaExceeded" in spent
        assert "(midnight Pacific time): schedule the item again after" in spent

        # A post without a thread has nowhere to go on YouTube.
        alone_id = await go_out(s, channel="youtube", title=None, body="Abonnez-vous !")
        assert await refusal(s, alone_id) == (
            "YouTube channels publish replies only (to a video or a comment)"
        )

        # The token revoked: refused, reconnect.
        fake.revoked = True
        gone_id = await go_out(
            s,
            kind="reply",
            channel="youtube",
            title=None,
            body="Toujours là ?",
            reply_to={"mention_id": asked_id},
        )
        gone = await refusal(s, gone_id)
        assert "HTTP 401 authError" in gone
        assert gone.endswith("reconnect the account")
        assert len(fake.brand_comments()) == 2

    out = await content_events(s, [reply_id, thread_id], ContentPublishedV1)
    assert {e.subject: e.data.reconciled for e in out} == {reply_id: False, thread_id: True}
    assert {e.data.platform for e in out} == {"youtube"}
    failed = await content_events(s, [spent_id, alone_id, gone_id], ContentPublishFailedV1)
    assert {e.data.code for e in failed} == {"refused"}
