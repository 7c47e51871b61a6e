"""The calendar on the real store and broker: slot plans, "next free slot", rescheduling,
impossible schedules, the calendar API and the signed .ics feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from icalendar import Calendar

from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import ContentRescheduledV1, ContentScheduledV1, utcnow
from ensemble_shared.topics import CONTENT
from support.scheduler import Scheduler
from support.scheduler_publishing import approve, draft, use_policy
from support.waiting import eventually

EVERY_DAY = {
    "time_zone": "Europe/Paris",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "at": "09:30"}],
    "teams": ["marketing"],
}


async def test_items_fill_free_slots_move_and_show_in_the_calendar_and_its_feeds(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    await use_policy(s)
    plan = await s.client.put("/calendar/channels/mastodon", json=EVERY_DAY, headers=s.admin)
    assert plan.status_code == 200, plan.text
    assert (
        await s.client.put("/calendar/channels/blog", json=EVERY_DAY, headers=s.manager)
    ).status_code == 403

    first, second = await draft(s, title="One"), await draft(s, title="Two")
    await approve(s, first)
    await approve(s, second)
    queue = (await s.client.get("/calendar/queue", headers=s.manager)).json()
    assert {q["content_id"] for q in queue} == {first, second}

    a = await s.client.post(f"/content/{first}/schedule", json={"slot": "next"}, headers=s.manager)
    b = await s.client.post(f"/content/{second}/schedule", json={"slot": "next"}, headers=s.manager)
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    slot_a = datetime.fromisoformat(a.json()["slot_at"])
    slot_b = datetime.fromisoformat(b.json()["slot_at"])
    assert slot_b - slot_a == timedelta(days=1)  # the next free one, not the same
    assert slot_a.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "09:30"
    assert (await s.client.get("/calendar/queue", headers=s.manager)).json() == []

    taken = await s.client.post(
        f"/content/{second}/schedule", json={"slot": slot_a.isoformat()}, headers=s.manager
    )
    assert taken.status_code == 409
    moved = await s.client.post(
        f"/content/{first}/schedule",
        json={"slot": (slot_b + timedelta(days=1)).isoformat()},
        headers=s.manager,
    )
    assert moved.json()["sequence"] == 2
    item = (await s.client.get(f"/content/{first}", headers=s.manager)).json()
    assert datetime.fromisoformat(item["fields"]["slot"]) == slot_b + timedelta(days=1)
    assert item["status"] == "approved"  # no step owns the slot: still approved
    refill = await s.client.post(
        f"/content/{second}/schedule", json={"slot": slot_a.isoformat()}, headers=s.manager
    )
    assert refill.status_code == 200  # the slot given back is free again

    past = await s.client.post(
        f"/content/{first}/schedule",
        json={"slot": (utcnow() - timedelta(minutes=1)).isoformat()},
        headers=s.manager,
    )
    assert past.status_code == 422
    assert "slot" in past.text
    bad_zone = await s.client.put(
        "/calendar/channels/mastodon",
        json={**EVERY_DAY, "time_zone": "Europe/Atlantis"},
        headers=s.admin,
    )
    assert bad_zone.status_code == 422
    assert "time_zone" in bad_zone.text
    no_plan = await draft(s, channel="blog")
    unplanned = await s.client.post(
        f"/content/{no_plan}/schedule", json={"slot": "next"}, headers=s.manager
    )
    assert unplanned.status_code == 422
    assert "slot" in unplanned.text

    window = {
        "from": utcnow().isoformat(),
        "to": (utcnow() + timedelta(days=10)).isoformat(),
    }
    cal = (await s.client.get("/calendar", params=window, headers=s.manager)).json()
    assert [(e["content_id"], e["status"]) for e in cal["items"]] == [
        (second, "scheduled"),
        (first, "scheduled"),
    ]
    none = await s.client.get("/calendar", params={**window, "channel": "blog"}, headers=s.manager)
    assert none.json()["items"] == []
    other = s.staff("eve", teams=["marketing"], workspace="globex")
    assert (await s.client.get("/calendar", params=window, headers=other)).json()["items"] == []
    assert (await s.client.get(f"/content/{first}/schedule", headers=other)).status_code == 404

    link = await s.client.post(
        "/calendar/feed-links", json={"team": "marketing"}, headers=s.manager
    )
    assert link.status_code == 201, link.text
    url = urlparse(link.json()["url"])
    feed = await s.client.get(f"{url.path}?{url.query}")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    uids = {str(e["uid"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert uids == {f"{first}@ensemble", f"{second}@ensemble"}
    legal_link = await s.client.post(
        "/calendar/feed-links", json={"team": "legal"}, headers=s.manager
    )
    legal_url = urlparse(legal_link.json()["url"])
    legal_feed = await s.client.get(f"{legal_url.path}?{legal_url.query}")
    assert list(Calendar.from_ical(legal_feed.content).walk("VEVENT")) == []
    forged = await s.client.get(f"{url.path}?{url.query}x")
    assert forged.status_code == 401

    events = await eventually(
        lambda: s.events(CONTENT),
        lambda es: any(isinstance(e, ContentRescheduledV1) for e in es),
        what="content.rescheduled",
    )
    assert sum(isinstance(e, ContentScheduledV1) for e in events) == 2
    rescheduled = [e for e in events if isinstance(e, ContentRescheduledV1)]
    assert {(e.subject, e.data.previous_slot_at) for e in rescheduled} == {
        (first, slot_a),
        (second, slot_b),
    }


def feed_path(link: dict[str, str]) -> str:
    url = urlparse(link["url"])
    return f"{url.path}?{url.query}"


async def test_a_feed_link_is_revoked_by_its_owner_or_an_admin_and_answers_410(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    mia = s.staff("mia", teams=["marketing"])
    links = []
    for _ in range(3):
        made = await s.client.post("/calendar/feed-links", json={"team": "marketing"}, headers=mia)
        assert made.status_code == 201, made.text
        links.append(made.json())
    first, second, third = links
    assert (await s.client.get(feed_path(first))).status_code == 200

    listed = (await s.client.get("/calendar/feed-links", headers=mia)).json()
    assert {link["id"] for link in listed} == {first["id"], second["id"], third["id"]}
    assert all("url" not in link and link["created_by"] == "mia" for link in listed)
    assert (await s.client.get("/calendar/feed-links", headers=s.staff("noa"))).json() == []

    revoke = f"/calendar/feed-links/{first['id']}"
    assert (await s.client.delete(revoke, headers=s.staff("noa"))).status_code == 403
    elsewhere = s.staff("mia", teams=["marketing"], workspace="globex")
    assert (await s.client.delete(revoke, headers=elsewhere)).status_code == 404
    assert (await s.client.get(feed_path(first))).status_code == 200  # still working

    revoked = await s.client.delete(revoke, headers=mia)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_by"] == "mia"
    again = await s.client.delete(revoke, headers=mia)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]  # revoked once
    for _ in range(2):
        gone = await s.client.get(feed_path(first))
        assert (gone.status_code, gone.json()["reason"]) == (410, "revoked")
    assert (await s.client.get(feed_path(second))).status_code == 200  # the others work

    by_admin = await s.client.delete(f"/calendar/feed-links/{second['id']}", headers=s.admin)
    assert by_admin.status_code == 200, by_admin.text
    assert (await s.client.get(feed_path(second))).status_code == 410
    every = (await s.client.get("/calendar/feed-links", headers=s.admin)).json()
    assert sorted(link["revoked_at"] is not None for link in every) == [False, True, True]
    assert (await s.client.get(feed_path(third))).status_code == 200


async def test_a_feed_link_made_before_links_had_ids_no_longer_works(
    scheduler: Scheduler,
) -> None:
    """It could never be revoked: a leaked one would work until it expired."""
    s = scheduler
    old = Capabilities(s.settings.secret_key.get_secret_value(), "calendar-feed").sign(
        {"ws": "acme", "team": None}, expires=utcnow() + timedelta(days=30)
    )
    answer = await s.client.get("/calendar.ics", params={"token": old})
    assert (answer.status_code, answer.json()["reason"]) == (410, "superseded")
