"""Publishing at the slot on the real store and broker, to a fake Mastodon: once, gated by the
approval, and reconciled (never re-posted) when the platform's answer is lost."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.auth import Role
from ensemble_shared.events import (
    ContentPublishedV1,
    ContentPublishFailedV1,
    ContentScheduledV1,
    utcnow,
)
from ensemble_shared.sealing import Sealer
from ensemble_shared.topics import CONTENT
from support.apps import SECRET_KEY, bearer, running
from support.scheduler import Scheduler
from support.scheduler_mastodon import TOKEN, FakeMastodonOut
from support.scheduler_publishing import (
    approve,
    draft,
    mastodon_channel,
    schedule_in,
    use_policy,
)
from support.stored import stored
from support.waiting import eventually


async def publication(s: Scheduler, content_id: str) -> dict[str, Any]:
    got = await s.client.get(f"/content/{content_id}/publication", headers=s.manager)
    assert got.status_code == 200, got.text
    view: dict[str, Any] = got.json()
    return view


async def test_an_approved_reply_goes_out_once_at_once_in_reply_to_the_mention(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    with FakeMastodonOut() as fake:
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN)
        # The token is sealed at rest; scheduler's own key opens it (and it posts with it).
        url, database = s.settings.mongo.url, s.settings.database
        account = await stored(url, database, "publishing_accounts", "acme:mastodon:000001")
        assert account["access_token"].startswith("sealed:v1:")
        assert Sealer.of(SECRET_KEY).open(account["access_token"]) == TOKEN
        content_id = await draft(
            s,
            kind="reply",
            title=None,
            body="Thanks, fixed in 2.1!",
            reply_to={"platform": "mastodon", "external_id": "4242"},
        )
        await approve(s, content_id)  # no slot given: scheduler schedules it itself

        done = await eventually(
            lambda: publication(s, content_id),
            lambda v: v["status"] == "published",
            what="publication",
        )
        statuses = fake.created()
        assert len(statuses) == 1
        assert statuses[0]["in_reply_to_id"] == "4242"
        assert done["platform_post_id"] == statuses[0]["id"]
        post = fake.posts[0]
        assert post["headers"]["idempotency-key"].startswith(f"ensemble-{content_id}-v")
        assert post["body"]["visibility"] == "unlisted"
        assert "Thanks, fixed in 2.1!" in post["body"]["status"]

        events = await eventually(
            lambda: s.events(CONTENT),
            lambda es: any(isinstance(e, ContentPublishedV1) for e in es),
            what="content.published",
        )
        kinds = Counter(type(e).__name__ for e in events if e.subject == content_id)
        assert kinds["ContentScheduledV1"] == 1
        assert kinds["ContentPublishedV1"] == 1
        published = next(e for e in events if isinstance(e, ContentPublishedV1))
        assert published.data.in_reply_to == "4242"
        assert not published.data.reconciled
        scheduled_event = next(e for e in events if isinstance(e, ContentScheduledV1))
        assert scheduled_event.data.channel == "mastodon"
        assert scheduled_event.data.by == "scheduler:replies"

        again = await s.client.post(
            f"/content/{content_id}/schedule", json={"slot": "next"}, headers=s.manager
        )
        assert again.status_code == 409  # published items do not move
        cal = await s.client.get(
            "/calendar",
            params={"from": "2020-01-01T00:00:00Z", "to": "2099-01-01T00:00:00Z"},
            headers=s.manager,
        )
        assert cal.status_code == 422  # more than 400 days
        assert len(fake.created()) == 1


async def test_a_lost_answer_is_reconciled_by_asking_mastodon_and_published_exactly_once(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    with FakeMastodonOut() as fake:
        fake.hang_next_posts(times=5, seconds=3)
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN, timeout_seconds=0.5)
        content_id = await draft(s, body="Big news\n\nhttps://example.com/launch")
        await approve(s, content_id)
        await schedule_in(s, content_id, 1.5)

        done = await eventually(
            lambda: publication(s, content_id),
            lambda v: v["status"] == "published",
            what="reconciled publication",
        )
        assert len(fake.created()) == 1
        assert len(fake.posts) == 1  # timed out, yet never sent again
        assert done["platform_post_id"] == fake.created()[0]["id"]

        settled = await s.client.post(
            "/publishing/reconcile", json={"older_than_seconds": 0}, headers=s.admin
        )
        assert settled.status_code == 200
        assert settled.json() == {}  # nothing left in flight

        events = await eventually(
            lambda: s.events(CONTENT),
            lambda es: any(isinstance(e, ContentPublishedV1) for e in es),
            what="content.published",
        )
        published = [e for e in events if isinstance(e, ContentPublishedV1)]
        assert len(published) == 1
        assert published[0].data.reconciled
        assert published[0].data.platform_post_id == fake.created()[0]["id"]


async def test_a_lost_answer_the_platform_cannot_confirm_yet_is_asked_again_until_it_settles(
    scheduler: Scheduler,
) -> None:
    """The answer is lost and the first look-ups fail too: the publish timer looks again
    later by itself (no stuck-publishing job in this workspace), finds the post, posts once."""
    s = scheduler
    with FakeMastodonOut() as fake:
        fake.hang_next_posts(times=1, seconds=2)
        fake.fail_next_lookups(times=2)
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN, timeout_seconds=0.5)
        content_id = await draft(s, body="Answer lost, platform slow to tell")
        await approve(s, content_id)
        await schedule_in(s, content_id, 1)

        done = await eventually(
            lambda: publication(s, content_id),
            lambda v: v["status"] == "published",
            what="publication settled by the timer's own look again",
        )
        assert len(fake.posts) == 1
        assert done["platform_post_id"] == fake.created()[0]["id"]


async def test_an_item_not_fully_approved_is_never_published(scheduler: Scheduler) -> None:
    s = scheduler
    with FakeMastodonOut() as fake:
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN)
        content_id = await draft(s)
        requested = await s.client.post(
            f"/content/{content_id}/approval", json={}, headers=s.manager
        )
        assert requested.status_code == 201  # in review, never approved
        await schedule_in(s, content_id, 1)

        events = await eventually(
            lambda: s.events(CONTENT),
            lambda es: any(isinstance(e, ContentPublishFailedV1) for e in es),
            what="content.publish_failed",
        )
        failed = [e for e in events if isinstance(e, ContentPublishFailedV1)]
        assert len(failed) == 1
        assert failed[0].data.code == "not_approved"
        assert "in review" in failed[0].data.reason
        assert fake.posts == []
        view = await publication(s, content_id)
        assert view["status"] == "not_attempted"
        sched = await s.client.get(f"/content/{content_id}/schedule", headers=s.manager)
        assert sched.json()["status"] == "failed"
        assert not any(isinstance(e, ContentPublishedV1) for e in events)


async def test_three_replicas_racing_for_the_same_slots_publish_each_item_once(
    scheduler: Scheduler,
) -> None:
    """Every replica looks for due timers; a unique-key claim lets one of them fire each, and
    a post whose answer is lost (a hang past the client's timeout) is reconciled, not resent."""
    s = scheduler
    items = 8
    with FakeMastodonOut() as fake:
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN, timeout_seconds=1.0)
        fake.hang_next_posts(times=2, seconds=2.5)
        async with (
            running(create_scheduler_app(s.settings)),
            running(create_scheduler_app(s.settings)),
        ):
            content_ids = []
            for n in range(items):
                content_id = await draft(s, title=f"Race {n}", body=f"Item number {n}")
                await approve(s, content_id)
                content_ids.append(content_id)
            for n, content_id in enumerate(content_ids):  # one item per slot and second
                await schedule_in(s, content_id, 3 + n)
            for content_id in content_ids:
                await eventually(
                    lambda c=content_id: publication(s, c),  # type: ignore[misc]
                    lambda v: v["status"] == "published",
                    timeout=60,
                    what=f"{content_id} published",
                )
            events = await eventually(
                lambda: s.events(CONTENT),
                lambda es: sum(isinstance(e, ContentPublishedV1) for e in es) >= items,
                what="every content.published",
            )
    bodies = Counter(
        next(n for n in range(items) if f"Item number {n}" in status["content"])
        for status in fake.created()
    )
    assert bodies == Counter(range(items))  # each item exactly once on the platform
    assert len(fake.posts) == items  # the two lost answers were reconciled, never re-posted
    published = [e for e in events if isinstance(e, ContentPublishedV1)]
    assert Counter(e.subject for e in published) == Counter(content_ids)
    assert sum(e.data.reconciled for e in published) == 2


async def test_reconcile_settles_and_names_only_the_callers_workspace(
    scheduler: Scheduler,
) -> None:
    """A replica posted our item and died before recording it: the attempt is in flight and
    the status is on Mastodon. Another workspace's admin reconciling neither settles it nor
    learns its id; our admin's reconcile finds the post."""
    s = scheduler
    with FakeMastodonOut() as fake:
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN)
        content_id = await draft(s, body="Posted, then the replica died")
        await approve(s, content_id)
        started = utcnow()
        async with httpx.AsyncClient() as http:
            posted = await http.post(
                f"{fake.base_url}/api/v1/statuses",
                json={"status": "Posted, then the replica died"},
                headers={"authorization": f"Bearer {TOKEN}"},
            )
        assert posted.status_code == 200
        await s.database()["publication_attempts"].insert_one(
            {
                "_id": f"{content_id}:p0001",
                "content_id": content_id,
                "workspace": s.workspace,
                "number": 1,
                "sequence": 1,
                "version": 1,
                "key": f"ensemble-{content_id}-v1",
                "channel": "mastodon",
                "connector": "mastodon",
                "started_at": started,
                "owner": "a-replica-killed-since",
            }
        )
        assert (await publication(s, content_id))["status"] == "in_flight"

        other_admin = bearer(s.issuer, "globex", Role.ADMIN)
        theirs = await s.client.post(
            "/publishing/reconcile", json={"older_than_seconds": 0}, headers=other_admin
        )
        assert theirs.status_code == 200, theirs.text
        assert theirs.json() == {}
        assert (await publication(s, content_id))["status"] == "in_flight"

        ours = await s.client.post(
            "/publishing/reconcile", json={"older_than_seconds": 0}, headers=s.admin
        )
        assert ours.json() == {content_id: "published"}
        done = await publication(s, content_id)
        assert done["platform_post_id"] == posted.json()["id"]
        assert len(fake.created()) == 1
