"""Content, approvals and the calendar in a real browser (Debian's Chromium, Playwright) on
real processes (identity, scheduler, the console; real Kafka and store): a manager drafts a
post and asks for approval, an approver finds it among their pending decisions and approves
it in place from their own browser, the post is scheduled from the page and shows in the
calendar, then goes out to a fake Mastodon and the calendar links to it. Every page passes
axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from playwright.async_api import Browser, Page, expect

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack, colleague_signed_in
from support.scheduler_mastodon import TOKEN, FakeMastodonOut
from support.waiting import eventually

POLICY = {
    "priority": 1,
    "when": {"tags": ["story"]},
    "steps": [{"name": "review", "roles": ["approver"]}],
}


async def test_a_post_is_drafted_approved_in_place_scheduled_and_published(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    s, page = console_stack, admin_page
    admin, manager = s.staff("ana", Role.ADMIN), s.staff("maya", Role.MANAGER)
    await s.scheduler("PUT", "/approval-policies/story", admin, **POLICY)
    csp: list[str] = []
    watch_csp(page, csp)
    cleo = await colleague_signed_in(
        s, browser, page, "cleo@acme.example", "Cleo Approver", "Approver"
    )
    watch_csp(cleo, csp)

    await page.goto(s.console + "/w/acme/content")
    await page.get_by_label("Channel").fill("mastodon")
    await page.get_by_label("Title").fill("Winter launch")
    await page.get_by_label("Text").fill("Our winter range arrives on Monday")
    await page.get_by_label("Tags").fill("story")
    await camera.check(page, "30-content")
    await page.get_by_role("button", name="Save the draft").click()
    await expect(page.get_by_role("status")).to_have_text("The draft is saved.")
    item = page.url.split("?")[0]
    content_id = item.rsplit("/", 1)[1]
    await page.locator("#edit-body").fill("Our winter range arrives on Tuesday")
    await page.get_by_role("button", name="Save a new version").click()
    await expect(page.get_by_role("status")).to_have_text("A new version is saved.")
    await expect(page.locator("dl.textdiff ins")).to_have_text("Tuesday")
    await expect(page.locator("dl.textdiff del")).to_have_text("Monday")
    await page.get_by_role("button", name="Ask for approval").click()
    await expect(page.get_by_role("status")).to_have_text("Approval is asked.")
    await camera.check(page, "31-content-item")

    await cleo.goto(s.console + "/w/acme/content")
    mine = cleo.locator("table.duties")
    await expect(mine.get_by_role("link", name="Winter launch")).to_be_visible()
    await camera.check(cleo, "32-my-decisions")
    await mine.get_by_role("link", name="Winter launch").click()
    await expect(cleo.get_by_role("heading", name="Your decision on step review")).to_be_visible()
    await expect(cleo.get_by_role("radio", name="Approve")).to_be_checked()
    await cleo.get_by_role("button", name="Send my decision").click()
    await expect(cleo.get_by_role("status")).to_have_text("You approved it.")
    await expect(cleo.locator("table.timeline")).to_contain_text("the console or the API")
    await camera.check(cleo, "33-approved")

    when = (datetime.now() + timedelta(days=2)).replace(hour=10, minute=30)
    await page.goto(item)
    await page.locator("#slot-item").fill(when.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Move to this time").click()
    await expect(page.get_by_role("status")).to_have_text("The item is scheduled.")
    await page.goto(f"{s.console}/w/acme/calendar?view=week&day={when.date().isoformat()}")
    entry = page.locator(f'li.entry[data-content="{content_id}"]')
    await expect(entry).to_contain_text("10:30 · Mastodon · Winter launch · Scheduled")
    await camera.check(page, "34-calendar-week")
    await page.get_by_role("link", name="Month").click()
    await expect(page.locator(f'div.entry[data-content="{content_id}"]')).to_be_visible()
    await camera.check(page, "35-calendar-month")

    with FakeMastodonOut() as fake:
        await s.scheduler(
            "PUT",
            "/publishing/channels/mastodon",
            admin,
            connector="mastodon",
            base_url=fake.base_url,
            access_token=TOKEN,
            visibility="unlisted",
        )
        soon = (utcnow() + timedelta(seconds=2)).isoformat()
        await s.scheduler("POST", f"/content/{content_id}/schedule", manager, slot=soon)

        async def posts() -> list[dict[str, Any]]:
            return fake.created()

        await eventually(posts, lambda made: len(made) == 1, timeout=90, what="the post")

        async def shown() -> str:
            await page.goto(f"{s.console}/w/acme/calendar")
            return await page.locator(f'li.entry[data-content="{content_id}"]').inner_text()

        await eventually(shown, lambda text: "Published on the platform" in text, timeout=90)
        link = page.locator(f'li.entry[data-content="{content_id}"]').get_by_role("link")
        await expect(link.filter(has_text="see the post")).to_have_attribute(
            "href", fake.created()[0]["url"]
        )
        await camera.check(page, "36-calendar-published")
    assert "Tuesday" in fake.created()[0]["content"]
    assert csp == []
