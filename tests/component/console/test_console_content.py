"""Content, approvals and the calendar in the console without JavaScript (plain forms), in
front of the real identity and scheduler: a manager drafts, edits (a new version, the words
changed shown between any two versions), comments and asks for approval; the approver finds
it among their pending decisions and approves it in place, as themselves; the item then waits
for a slot on the calendar and is scheduled from it, and scheduler's refusals show their reason."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from component.console.conftest import Front
from component.console.test_console_front_door import first_run
from ensemble_console.routes import content as content_routes
from support.console import Browser
from support.identity import PASSWORD

POLICY = {"priority": 100, "steps": [{"name": "review", "roles": ["approver"]}]}
PARIS = ZoneInfo("Europe/Paris")


def text(page: str) -> str:
    """The page's words, tags stripped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, heading_id: str) -> str:
    found = re.search(
        rf'<section [^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', page, re.S
    )
    assert found, f"no section {heading_id}"
    return found.group(1)


async def sign_in(browser: Browser, email: str) -> None:
    signed = await browser.submit(
        "/sign-in", "/sign-in", {"email": email, "password": PASSWORD, "next": "/"}
    )
    assert signed.status_code == 303, signed.text[:500]


async def test_a_draft_is_edited_approved_in_place_and_scheduled(front: Front) -> None:
    put = await front.scheduler.client.put(
        "/approval-policies/standard", json=POLICY, headers=front.scheduler.admin
    )
    assert put.status_code == 200, put.text
    async with front.console.browser() as ana, front.console.browser() as bo:
        await first_run(ana)
        admin = (await front.identity.sign_in("ana@acme.example")).json()["session_token"]
        await front.identity.join(admin, "bo@acme.example", ["approver"], name="Bo")
        await sign_in(bo, "bo@acme.example")

        created = await ana.submit(
            "/w/acme/content",
            "/w/acme/content",
            {
                "kind": "post",
                "channel": "mastodon",
                "title": "Launch",
                "body": "We launch today at noon",
                "tags": "launch, news",
            },
        )
        assert created.status_code == 303, created.text[:800]
        item_path, _, notice = created.headers["location"].partition("?")
        assert notice == "notice=content_created"
        content_id = item_path.rsplit("/", 1)[1]

        edited = await ana.submit(
            item_path,
            f"{item_path}/edit",
            {
                "base_version": "1",
                "channel": "mastodon",
                "title": "Launch",
                "tags": "launch",
                "body": "We launch tomorrow at noon",
            },
        )
        assert edited.headers["location"] == f"{item_path}?notice=content_saved"
        page = (await ana.get(item_path)).text
        diff = section(page, "versions-title")
        assert "We launch <del>today</del><ins>tomorrow</ins> at noon" in diff
        assert "From version 1 to version 2" in text(diff)
        assert "launch<del>, news</del>" in diff
        again = await ana.submit(
            item_path,
            f"{item_path}/edit",
            {"base_version": "1", "channel": "mastodon", "body": "A stale edit"},
        )
        assert again.status_code == 409
        assert "Scheduler refused it:" in text(again.text)

        assert "Version 1 by you" in text(page)
        commented = await ana.submit(
            item_path, f"{item_path}/comments", {"body": "@team:legal can you check the date?"}
        )
        assert commented.headers["location"] == f"{item_path}?notice=comment_added"
        comments = text(section((await ana.get(item_path)).text, "comments-title"))
        assert "@team:legal can you check the date?" in comments
        assert "on version 2" in comments

        asked = await ana.submit(item_path, f"{item_path}/approval", {"comment": "for Monday"})
        assert asked.headers["location"] == f"{item_path}?notice=approval_requested"

        ana_list = (await ana.get("/w/acme/content")).text
        assert "Nothing awaits your decision." in text(section(ana_list, "duties-title"))
        assert "In review" in text(section(ana_list, "all-title"))
        bo_list = (await bo.get("/w/acme/content")).text
        duties = section(bo_list, "duties-title")
        assert f'/w/acme/content/{content_id}"' in duties
        assert "review" in text(duties)

        why = await bo.submit(
            item_path,
            f"{item_path}/decision",
            {"step": "review", "decision": "reject", "version": "2", "comment": ""},
        )
        assert why.status_code == 422
        assert "Say why in a comment" in text(why.text)
        approved = await bo.submit(
            item_path,
            f"{item_path}/decision",
            {"step": "review", "decision": "approve", "version": "2"},
        )
        assert approved.headers["location"] == f"{item_path}?notice=decided_approve"
        shown = await bo.get(f"{item_path}?notice=decided_approve")
        assert "You approved it." in text(shown.text)
        timeline = text(section(shown.text, "approval-title"))
        assert "you review Approve the console or the API 2" in timeline
        seen_by_ana = text(section((await ana.get(item_path)).text, "approval-title"))
        assert "Bo review Approve the console or the API 2" in seen_by_ana  # a name, not an id
        assert "review — Approved (approved by Bo)" in seen_by_ana
        assert "Nothing awaits your decision." in text((await bo.get("/w/acme/content")).text)
        assert 'action="/w/acme/content/' not in section(shown.text, "approval-title")

        # Approved without a slot: the calendar lists it as waiting, with its schedule form.
        waiting = section((await ana.get("/w/acme/calendar")).text, "waiting-title")
        assert f'href="/w/acme/content/{content_id}"' in waiting
        assert "Launch · Mastodon" in text(waiting)
        assert f'name="content_id" value="{content_id}"' in waiting

        slot = (datetime.now(PARIS) + timedelta(days=2)).replace(
            hour=10, minute=30, second=0, microsecond=0
        )
        week = f"/w/acme/calendar?view=week&day={slot.date().isoformat()}"
        scheduled = await ana.submit(
            item_path,
            "/w/acme/calendar/schedule",
            {
                "content_id": content_id,
                "when": "at",
                "back": week,
                "slot": slot.strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert scheduled.headers["location"] == f"{week}&notice=scheduled"
        calendar = (await ana.get(week)).text
        day = section(calendar, f"day-{slot.date().isoformat()}")
        assert f'data-content="{content_id}"' in day
        assert "10:30 · Mastodon · Launch · Scheduled" in text(day)
        waiting = text(section(calendar, "waiting-title"))
        assert "Nothing approved is waiting for a slot." in waiting
        month = (await ana.get(f"/w/acme/calendar?view=month&day={slot.date().isoformat()}")).text
        assert f'data-content="{content_id}"' in month

        past = await ana.submit(
            week,
            "/w/acme/calendar/schedule",
            {"content_id": content_id, "when": "at", "back": week, "slot": "2020-01-01T09:00"},
        )
        assert past.status_code == 422, past.text[:500]
        assert "Scheduler refused it:" in text(past.text)
        plan = {
            "time_zone": "Europe/Paris",
            "slots": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "at": "09:00"}],
        }
        put = await front.scheduler.client.put(
            "/calendar/channels/mastodon", json=plan, headers=front.scheduler.admin
        )
        assert put.status_code == 200, put.text
        planned = (await ana.get(week)).text
        day = section(planned, f"day-{slot.date().isoformat()}")
        assert "09:00 (Mastodon)" in text(day)
        # what a drag needs (static/calendar.js): the days and free slots as drop targets,
        # the item with its time, and the page's one move form, hidden until a drop fills it
        assert f'data-free-slot="{slot.date().isoformat()}T09:00"' in day
        assert f'data-content="{content_id}" data-slot="{slot:%Y-%m-%dT%H:%M}" data-movable' in day
        assert f'data-day="{slot.date().isoformat()}"' in planned
        assert '<p id="drag-hint" hidden>' in planned  # said only where dragging works
        drop = planned[planned.index('<div id="calendar-drop" hidden>') :]
        drop = drop[: drop.index("</form>")]
        assert 'action="/w/acme/calendar/schedule"' in drop
        assert 'name="csrf_token"' in drop
        assert f'name="back" value="{week.replace("&", "&amp;")}"' in drop
        elsewhere = await ana.submit(
            week,
            "/w/acme/calendar/schedule",
            {"content_id": content_id, "when": "next", "back": "https://evil.example/"},
        )
        assert elsewhere.headers["location"] == "/w/acme/?notice=scheduled"
        moved = await front.scheduler.client.get(
            f"/content/{content_id}/schedule", headers=front.scheduler.manager
        )
        assert moved.json()["slot_at"] != slot.isoformat()

        feed = await ana.submit(week, "/w/acme/calendar/feed", {"view": "week"})
        assert feed.status_code == 200
        assert re.search(r'id="feed-url" readonly value="[^"]*calendar\.ics\?token=', feed.text)


async def test_a_decision_awaiting_on_the_27th_item_in_review_is_listed_and_paged(
    front: Front, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page used to look at the newest 25 items in review only; scheduler now answers
    with every step awaiting the person, a page at a time (20 here, to page with 27)."""
    monkeypatch.setattr(content_routes, "AWAITING", 20)
    s = front.scheduler
    put = await s.client.put("/approval-policies/standard", json=POLICY, headers=s.admin)
    assert put.status_code == 200, put.text
    in_review = []
    for n in range(27):  # the first one asked is the oldest: 26 newer items follow it
        created = await s.client.post(
            "/content",
            json={"kind": "post", "channel": "mastodon", "title": f"Post {n}", "body": "Hello"},
            headers=s.manager,
        )
        assert created.status_code == 201, created.text
        content_id = created.json()["id"]
        asked = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
        assert asked.status_code == 201, asked.text
        in_review.append(content_id)
    oldest = in_review[0]
    async with front.console.browser() as ana, front.console.browser() as bo:
        await first_run(ana)
        admin = (await front.identity.sign_in("ana@acme.example")).json()["session_token"]
        await front.identity.join(admin, "bo@acme.example", ["approver"], name="Bo")
        await sign_in(bo, "bo@acme.example")
        listed = await s.client.get("/content", params={"limit": 25}, headers=s.manager)
        assert oldest not in [item["id"] for item in listed.json()["items"]]

        first = (await bo.get("/w/acme/content")).text
        duties = section(first, "duties-title")
        shown = re.findall(r'<tr data-content="([^"]+)"', duties)
        assert len(shown) == 20
        assert shown[0] == oldest  # asked first, so due first
        assert "Post 0" in text(duties)
        more = re.search(r'href="(/w/acme/content\?decisions=[^"#]+)#duties-title"', duties)
        assert more, duties
        assert "More decisions awaiting me" in text(duties)
        second = section((await bo.get(html.unescape(more.group(1)))).text, "duties-title")
        rest = re.findall(r'<tr data-content="([^"]+)"', second)
        assert sorted(shown + rest) == sorted(in_review)  # each once, none lost
        assert "More decisions awaiting me" not in text(second)
        assert "Soonest due decisions" in text(second)
        edited = await bo.get("/w/acme/content?decisions=forged")
        assert edited.status_code == 200  # an edited link shows the first page
        assert (
            re.findall(r'<tr data-content="([^"]+)"', section(edited.text, "duties-title"))[0]
            == oldest
        )

        approved = await bo.submit(
            f"/w/acme/content/{oldest}",
            f"/w/acme/content/{oldest}/decision",
            {"step": "review", "decision": "approve", "version": "1"},
        )
        assert approved.headers["location"].endswith("notice=decided_approve")
        after = section((await bo.get("/w/acme/content")).text, "duties-title")
        assert oldest not in re.findall(r'<tr data-content="([^"]+)"', after)
        ana_page = section((await ana.get("/w/acme/content")).text, "duties-title")
        assert "Nothing awaits your decision." in text(ana_page)  # named by no step


async def test_gets_change_nothing_and_unknown_items_are_404(front: Front) -> None:
    async with front.console.browser() as ana:
        await first_run(ana)
        assert (await ana.get("/w/acme/content/nope")).status_code == 404
        assert (await ana.get("/w/acme/calendar?view=year")).status_code == 400
        for day in ("not-a-day", "9999-12-31", "0001-01-01"):
            listed = await ana.get(f"/w/acme/calendar?view=month&day={day}")
            assert listed.status_code == 200, day
        posted = await ana.http.post("/w/acme/content", data={"body": "x", "channel": "m"})
        assert posted.status_code == 403  # no CSRF token: nothing created
        assert "No content yet." in text((await ana.get("/w/acme/content")).text)
