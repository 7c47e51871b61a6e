"""The navigation's live unread count and drag-to-move in the calendar, in a real browser
(Debian's Chromium, Playwright) on real processes (identity, notify, scheduler and the console
on real Kafka and store). A notification arrives while a page is open and the navigation's
count goes up without a reload; a post dragged onto another day of the week is moved there
(the same move form, through scheduler's rules) and the calendar shows it there after the
redirect; dragged onto a free slot it takes the slot's time, and in the month view onto another
day it keeps its time of day. Every page passes axe-core and is photographed; no CSP violation."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack, account_id
from support.notify_events import an_assignment

LIVE = 60_000  # ms: the console asks notify every 3 s; the notification crosses Kafka first
SLOW = 20_000  # ms: a form's answer on a loaded 2-core machine


async def test_the_unread_count_goes_up_live_and_a_dragged_post_moves_to_another_day(
    console_stack: ConsoleStack, admin_page: Page, camera: Camera
) -> None:
    s, page = console_stack, admin_page
    csp: list[str] = []
    watch_csp(page, csp)

    await page.goto(s.console + "/w/acme/")
    region = page.locator("#nav-unread")
    before = int(await region.get_attribute("data-count") or "")
    await expect(region).to_have_attribute("aria-live", "polite")
    await camera.check(page, "90-nav-unread")
    await page.evaluate("window.stayed = true")  # gone if the page reloads
    await s.publish([an_assignment(await account_id(s, page))])
    await expect(region).to_contain_text(f"Unread notifications: {before + 1}", timeout=LIVE)
    await expect(region.locator(".unread-count")).to_have_text(str(before + 1))
    assert await page.evaluate("window.stayed === true")
    await camera.check(page, "91-nav-unread-live")

    manager = s.staff("maya", Role.MANAGER)
    item = await s.scheduler(
        "POST", "/content", manager, kind="post", channel="mastodon", title="Drag me", body="Hi"
    )
    at = (utcnow() + timedelta(days=2)).replace(hour=11, minute=17, second=0, microsecond=0)
    await s.scheduler("POST", f"/content/{item['id']}/schedule", manager, slot=at.isoformat())
    await page.goto(f"{s.console}/w/acme/calendar?view=week&day={at.date().isoformat()}")
    entry = page.locator(f'li.entry[data-content="{item["id"]}"]')
    slot = await entry.get_attribute("data-slot") or ""
    shown_day = date.fromisoformat(slot[:10])
    sections = page.locator("section.day")
    days = await sections.evaluate_all("all => all.map(section => section.dataset.day)")
    later, earlier = (shown_day + timedelta(days=1)).isoformat(), shown_day - timedelta(days=1)
    target = later if later in days else earlier.isoformat()  # the same week, still ahead
    await expect(page.locator("#drag-hint")).to_be_visible()
    await expect(entry).to_have_attribute("draggable", "true")
    await camera.check(page, "92-calendar-draggable")

    await entry.drag_to(page.locator(f"#day-{target}"))
    await expect(page.get_by_role("status")).to_have_text("The item is scheduled.", timeout=SLOW)
    moved = page.locator(f'section[data-day="{target}"] li.entry[data-content="{item["id"]}"]')
    await expect(moved).to_contain_text("Drag me")
    await expect(moved).to_have_attribute("data-slot", f"{target}T{slot[11:]}")
    await expect(page.locator(f'li.entry[data-content="{item["id"]}"]')).to_have_count(1)
    await camera.check(page, "93-calendar-dropped")
    assert csp == []


async def test_a_post_dragged_onto_a_free_slot_takes_its_time_and_in_the_month_onto_a_day(
    console_stack: ConsoleStack, admin_page: Page
) -> None:
    s, page = console_stack, admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    admin, manager = s.staff("olga", Role.ADMIN), s.staff("maya", Role.MANAGER)
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    await s.scheduler(
        "PUT",
        "/calendar/channels/drag-news",
        admin,
        time_zone="Europe/Paris",
        slots=[{"days": every_day, "at": "07:45"}],
    )
    item = await s.scheduler(
        "POST", "/content", manager, kind="post", channel="drag-news", title="Slot me", body="Hi"
    )
    at = (utcnow() + timedelta(days=3)).replace(hour=15, minute=5, second=0, microsecond=0)
    await s.scheduler("POST", f"/content/{item['id']}/schedule", manager, slot=at.isoformat())
    await page.goto(f"{s.console}/w/acme/calendar?view=week&day={at.date().isoformat()}")
    entry = page.locator(f'li.entry[data-content="{item["id"]}"]')
    slot = await entry.get_attribute("data-slot") or ""
    free = page.locator("[data-free-slot]", has_text="drag-news")
    offered = await free.evaluate_all("all => all.map(el => el.dataset.freeSlot)")
    ours = [f for f in offered if f[:10] != slot[:10]]
    target = next((f for f in ours if f[:10] > slot[:10]), ours[0])  # ahead of it if offered
    time_of_day = target[11:]

    # Onto a free slot: the item takes the slot's exact time.
    await entry.drag_to(page.locator(f'[data-free-slot="{target}"]'))
    await expect(page.get_by_role("status")).to_have_text("The item is scheduled.", timeout=SLOW)
    moved = page.locator(f'li.entry[data-content="{item["id"]}"]')
    await expect(moved).to_have_attribute("data-slot", target)
    taken = page.locator(f'[data-free-slot="{target}"]', has_text="drag-news")
    await expect(taken).to_have_count(0)  # the slot is the item's now

    # In the month view, onto another day: the same time of day, that day.
    await page.goto(f"{s.console}/w/acme/calendar?view=month&day={target[:10]}")
    cell = page.locator(f'.entry[data-content="{item["id"]}"]')
    await expect(cell).to_have_attribute("draggable", "true")
    days = await page.locator("td[data-day]").evaluate_all("all => all.map(td => td.dataset.day)")
    later = (date.fromisoformat(target[:10]) + timedelta(days=1)).isoformat()
    day = (
        later
        if later in days
        else (date.fromisoformat(target[:10]) - timedelta(days=1)).isoformat()
    )
    await cell.drag_to(page.locator(f'td[data-day="{day}"]'))
    await expect(page.get_by_role("status")).to_have_text("The item is scheduled.", timeout=SLOW)
    landed = page.locator(f'td[data-day="{day}"] .entry[data-content="{item["id"]}"]')
    await expect(landed).to_have_attribute("data-slot", f"{day}T{time_of_day}")
    await expect(page.locator(f'.entry[data-content="{item["id"]}"]')).to_have_count(1)
    assert csp == []
