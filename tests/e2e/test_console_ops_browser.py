"""The sources and notifications screens in a real browser (Debian's Chromium, Playwright) on
real processes: identity, ingest, notify and the console on real Kafka and store. An admin
connects a source (its secret shown once), sees its health and re-drives a raw payload a
crash left pending; reads a notification in their inbox and marks it read; adds an
integrator endpoint, rotates its signing secret and opens its page; their own notification
addresses; then the settings screens (a routing rule refused next to its field, then saved;
notification defaults, triage, people, engagement weights, the workspace, teams and on-call).
Every page passes axe-core and is photographed."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from ensemble_ingest.models.raw import RawPayload
from ensemble_ingest.storage.raw import OUTCOMES, PAYLOADS, PENDING, RawArchive
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack, account_id
from support.mentions import mention_body
from support.notify_events import an_assignment
from support.waiting import eventually

SLOW = 20_000  # ms: a form's answer on a loaded 2-core machine (Playwright's default is 5 s)


async def crashed_payload(stack: ConsoleStack, source_id: str) -> str:
    """What a crash right after archiving leaves in ingest's store: a payload, pending."""
    raw = RawPayload.webhook(
        workspace="acme",
        source_id=source_id,
        platform="generic",
        headers={},
        body=mention_body("crashed-in-browser"),
    )
    client = create_client(MongoSettings(url=stack.stack.infra.mongodb_url))
    try:
        database = client[f"{stack.stack.database_prefix}ingest"]
        await RawArchive(database[PAYLOADS], database[OUTCOMES], database[PENDING]).archive([raw])
    finally:
        client.close()
    return raw.id


async def test_an_admin_runs_sources_notifications_and_endpoints_from_the_browser(
    console_stack: ConsoleStack, admin_page: Page, camera: Camera
) -> None:
    page, site = admin_page, console_stack.console
    csp: list[str] = []
    watch_csp(page, csp)

    await page.goto(site + "/w/acme/sources")
    await page.get_by_label("Name", exact=True).fill("Community forum")
    await page.get_by_role("button", name="Connect", exact=True).click()
    await expect(page.locator("#new-secret")).to_contain_text("whsec_", timeout=SLOW)
    await expect(page.get_by_role("cell", name="Community forum", exact=True)).to_be_visible(
        timeout=SLOW
    )
    await camera.check(page, "70-source-created")
    # the session's stack is shared by every story: other sources may be listed too
    forum = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Community forum", exact=True)
    )
    raw_link = forum.get_by_role("link", name="Raw payloads")
    source_id = (await raw_link.get_attribute("href") or "").split("/")[-2]
    pending = await crashed_payload(console_stack, source_id)

    await raw_link.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Raw payloads of Community forum", timeout=SLOW
    )
    await expect(page.get_by_text(pending)).to_be_visible(timeout=SLOW)
    await camera.check(page, "71-raw-payloads")
    await page.get_by_role("button", name="Re-drive").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "The payload is processed again.", timeout=SLOW
    )
    await expect(page.get_by_role("cell", name="Processed")).to_be_visible(timeout=SLOW)
    await page.get_by_role("link", name="All sources").click()
    await page.get_by_role("button", name="Pause Community forum").click()
    await expect(page.get_by_role("status")).to_contain_text("The source is paused.", timeout=SLOW)
    await camera.check(page, "72-sources")

    async def unread() -> int:
        """The count the page shows (other stories on the shared stack may have left some)."""
        await page.goto(site + "/w/acme/notifications")
        shown = await page.get_by_text(re.compile(r"Unread: \d+")).first.inner_text()
        return int(re.findall(r"Unread: (\d+)", shown)[0])

    before = await unread()
    await console_stack.publish([an_assignment(await account_id(console_stack, page))])
    await eventually(unread, lambda n: n == before + 1, what="the notification", timeout=90)
    await camera.check(page, "73-notifications")
    await page.get_by_role("button", name="Mark").first.click()
    await expect(page.get_by_role("status").first).to_contain_text(
        "The notification is marked read.", timeout=SLOW
    )
    await expect(page.get_by_text(f"Unread: {before}", exact=True)).to_be_visible(timeout=SLOW)
    await page.get_by_role("link", name="My notification preferences").click()
    await page.get_by_label("inbox mentions: Email").select_option("daily")
    await page.get_by_role("button", name="Save my preferences").click()
    await expect(page.get_by_role("status")).to_contain_text("preferences are saved", timeout=SLOW)
    await camera.check(page, "74-notification-preferences")

    await page.goto(site + "/w/acme/admin/endpoints")
    await page.get_by_label("Address").fill("https://example.org/hooks/ensemble")
    await page.get_by_label("Event types").fill("mention.received.v1")
    await page.get_by_role("button", name="Add the endpoint").click()
    await expect(page.locator("#new-secret")).to_contain_text("whsec_", timeout=SLOW)
    first = await page.locator("#new-secret").inner_text()
    assert first.startswith("whsec_")
    await camera.check(page, "75-endpoint-created")
    await page.get_by_role("button", name="Rotate the secret").click()
    await expect(page.locator("#new-secret")).not_to_have_text(first, timeout=SLOW)
    assert first not in await page.content()
    await camera.check(page, "76-endpoint-rotated")
    await page.get_by_role("link", name="https://example.org/hooks/ensemble").first.click()
    await expect(page.get_by_role("heading", name="Circuit breaker")).to_be_visible(timeout=SLOW)
    await camera.check(page, "83-endpoint")
    await page.goto(site + "/w/acme/admin/deliveries")
    await camera.check(page, "77-deliveries")

    # The settings screens: each in the navigation; a refused field is marked next to it.
    await page.get_by_role("link", name="Routing rules").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Routing rules", timeout=SLOW)
    await page.get_by_label("Event type", exact=False).last.fill("Ideas!")
    await page.get_by_label("Recipients", exact=False).last.fill("approvers")
    await page.get_by_role("button", name="Save the routing rules").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was saved", timeout=SLOW)
    await expect(page.locator("small.error")).to_contain_text("not an event type", timeout=SLOW)
    await camera.check(page, "78-routing-refused")
    await page.get_by_label("Event type", exact=False).last.fill("submission.*")
    await page.get_by_role("button", name="Save the routing rules").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "routing rules are saved", timeout=SLOW
    )
    for link, shot in (
        ("Notification defaults", "79-notification-defaults"),
        ("Triage", "80-triage"),
        ("People", "81-people"),
        ("Engagement weights", "82-engagement"),
        ("Workspace", "85-workspace"),
        ("Teams and on-call", "86-teams"),
    ):
        await page.get_by_role("link", name=link, exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(link, timeout=SLOW)
        await camera.check(page, shot)
    await page.goto(site + "/w/acme/account/addresses")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My notification addresses")
    await camera.check(page, "84-my-addresses")
    assert csp == []
