"""The inbox in a real browser (Chromium, Playwright) on real processes: identity, ingest,
scheduler and the console. A signed mention arrives at ingest's webhook while the inbox is
open and appears without a reload (the console's event stream); the manager assigns it to
herself and closes it with the keyboard, saves "closed, oldest first" as a view and opens it,
then drafts a reply that goes to approval. Every
page passes axe-core and is photographed; no CSP violation."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from ensemble_shared.auth import Role
from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack
from support.mentions import mention_body, signed

CURRENT = re.compile(r"\bcurrent\b")
REPLIES_POLICY = {
    "when": {"kinds": ["reply"]},
    "steps": [{"name": "communication", "teams": ["communication"]}],
}


async def a_source(stack: ConsoleStack) -> dict[str, str]:
    admin = stack.staff("olga", Role.ADMIN)
    async with httpx.AsyncClient(base_url=stack.url("ingest"), timeout=30) as ingest:
        created = await ingest.post("/sources", json={"name": "forum"}, headers=admin)
    assert created.status_code == 201, created.text
    source: dict[str, str] = created.json()
    return source


async def send(stack: ConsoleStack, source: dict[str, str], external_id: str, text: str) -> None:
    body = mention_body(external_id, text=text)
    async with httpx.AsyncClient(base_url=stack.url("ingest"), timeout=30) as ingest:
        sent = await ingest.post(
            source["webhook_path"], content=body, headers=signed(source["secret"], body)
        )
    assert sent.status_code == 202, sent.text


async def test_a_mention_arrives_live_is_assigned_and_closed_by_keyboard_and_answered(
    console_stack: ConsoleStack, admin_page: Page, camera: Camera
) -> None:
    page = admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    source = await a_source(console_stack)
    await console_stack.scheduler(
        "PUT",
        "/approval-policies/replies",
        console_stack.staff("olga", Role.ADMIN),
        **REPLIES_POLICY,
    )
    await page.goto(console_stack.console + "/w/acme/")
    await page.get_by_role("link", name="Inbox").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    await camera.check(page, "21-inbox-empty")

    text = "The checkout page keeps failing on my phone"
    await send(console_stack, source, "live-1", text)
    row = page.locator("#inbox-rows tr", has_text=text)
    await expect(row).to_be_visible(timeout=60_000)  # arrived without a reload
    await expect(row.locator(".status")).to_have_text("New")

    await page.keyboard.press("j")
    await expect(row).to_have_class(CURRENT)
    await page.keyboard.press("a")
    await expect(page.locator(".notice")).to_have_text("The selected mentions are assigned.")
    row = page.locator("#inbox-rows tr", has_text=text)
    await expect(row.locator(".assignee")).to_contain_text("Ana Admin")
    await expect(row.locator(".status")).to_have_text("Assigned")
    await camera.check(page, "22-inbox-assigned")
    await expect(row).to_have_class(CURRENT)  # the keyboard's place is kept
    await page.keyboard.press("e")
    await expect(page.locator(".notice")).to_have_text("The selected mentions are closed.")
    await expect(page.locator("#inbox-rows tr", has_text=text).locator(".status")).to_have_text(
        "Closed"
    )

    await page.locator("details.filters summary").click()  # a view: closed, oldest first
    await page.locator("#f-status").select_option("closed")
    await page.locator("#f-sort").select_option("oldest")
    await page.get_by_role("button", name="Filter", exact=True).click()
    await expect(page).to_have_url(re.compile(r"status=closed.*sort=oldest"))
    await expect(page.locator("table.inbox caption")).to_have_text(
        "Mentions, longest waiting first"
    )
    await page.get_by_label("Save these filters as a view").fill("Closed, oldest first")
    await page.get_by_role("button", name="Save the view").click()
    await expect(page.locator(".notice")).to_contain_text("The view is saved")
    await page.goto(console_stack.console + "/w/acme/inbox")
    await page.get_by_role("link", name="Closed, oldest first").click()
    await expect(page.locator("#f-sort")).to_have_value("oldest")
    await expect(page.locator("#inbox-rows tr")).to_have_count(1)
    await camera.check(page, "22b-inbox-saved-view")

    await page.get_by_role("link", name=text).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Camille on forum")
    await expect(page.locator("ol.timeline")).to_contain_text("Status changed: Closed")
    await page.get_by_label("Your reply (it goes to approval before it is published)").fill(
        "Sorry about that! Our team is on it."
    )
    await page.get_by_role("button", name="Draft the reply").click()
    await expect(page.locator(".notice")).to_have_text(
        "Your reply is drafted and waits for approval."
    )
    reply = page.locator("#reply")
    await expect(reply).to_contain_text("Sorry about that! Our team is on it.")
    await expect(reply).to_contain_text("In review")
    await expect(reply).to_contain_text("communication: Awaiting decisions")
    await camera.check(page, "23-inbox-mention-reply")
    assert csp == []
