"""The Insights page in a real browser (Chromium, Playwright) on real processes: identity,
scheduler, insights (fed mentions and deliveries through Kafka) and the console. A manager
opens Insights from the navigation, sees last month against the month before and the time to
notify per channel, downloads the CSV, and reads the page in French; a colleague invited as a
viewer only sees the same figures, on a page with nothing to change. Every page passes
axe-core and is photographed; no CSP violation."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack, colleague_signed_in
from support.insights_mentions import history, months, notified
from support.waiting import eventually


async def mentions_shown(page: Page) -> str:
    await page.reload()
    return await page.locator('tr[data-figure="mentions"] td').first.inner_text()


async def emails_timed(page: Page) -> str:
    await page.reload()
    cells = page.locator('tr[data-channel="email"] td')
    return await cells.first.inner_text() if await cells.count() else ""


async def test_a_manager_compares_last_month_downloads_the_csv_and_reads_it_in_french(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    page = admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    events = history()
    await console_stack.publish([*events, *notified(events)])
    await page.goto(console_stack.console + "/w/acme/")
    await page.get_by_role("link", name="Insights").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    await expect(page.get_by_label("Period", exact=True)).to_have_value("last_30")

    await page.get_by_label("Period", exact=True).select_option("last_month")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url("**/w/acme/insights?period=last_month*")
    await eventually(lambda: mentions_shown(page), lambda shown: shown == "6", timeout=120)
    row = page.locator('tr[data-figure="mentions"]')
    await expect(row).to_contain_text("Mentions")
    await expect(row.locator("td")).to_have_text(["6", "4", "+50%"])
    last, before = months()
    await expect(page.locator("#period-summary")).to_contain_text(f"{before:%b} 1, {before:%Y}")
    await expect(page.get_by_role("img", name="Mentions per day")).to_be_visible()
    await expect(page.get_by_role("img", name="Mentions by platform")).to_be_visible()
    await eventually(lambda: emails_timed(page), lambda shown: shown == "2", timeout=120)
    latency = page.get_by_role("region", name="Time to notify, by channel")
    await expect(latency.locator('tr[data-channel="email"] td')).to_have_text(
        ["2", "2 min", "4 min", "3 min", "10 min"]
    )
    await camera.check(page, "19-insights")
    await page.get_by_text("Mentions per day as a table").click()
    await page.get_by_text("Mentions by platform as a table").click()
    eve = last - timedelta(days=1)  # the month before's last day: a row of its own
    await expect(page.get_by_role("cell", name=f"{eve:%b} {eve.day}, {eve:%Y}")).to_be_visible()
    await camera.check(page, "19-insights-tables")

    async with page.expect_download() as started:
        await page.get_by_role("link", name="Download CSV (mentions per day)").click()
    download = await started.value
    text = await asyncio.to_thread(Path(await download.path()).read_text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["period"] == last.isoformat()
    assert sum(int(r["value"]) for r in rows) == 6
    assert sum(int(r["previous_value"] or 0) for r in rows) == 4

    await page.get_by_label("Language").select_option("fr")
    await page.get_by_role("button", name="Change language").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")
    await expect(page.locator('tr[data-figure="mentions"] td')).to_have_text(
        ["6", "4", "+50\u00a0%"]
    )
    await camera.check(page, "20-insights-fr")
    await page.get_by_label("Langue").select_option("en")  # the account's language, back
    await page.get_by_role("button", name="Changer de langue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    await page.goto(console_stack.console + "/w/acme/insights/reports")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Weekly reports")
    await camera.check(page, "20-insights-reports")
    await page.get_by_role("button", name="Make the report").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    await camera.check(page, "20-insights-report")
    await page.goto(console_stack.console + "/w/acme/admin/insights")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Insights settings")
    await camera.check(page, "20-insights-settings")

    vic = await colleague_signed_in(
        console_stack, browser, page, "vic@acme.example", "Vic Viewer", "Viewer"
    )
    watch_csp(vic, csp)
    await vic.get_by_role("link", name="Insights").click()
    await expect(vic.get_by_role("heading", level=1)).to_have_text("Insights")
    await vic.get_by_label("Period", exact=True).select_option("last_month")
    await vic.get_by_role("button", name="Show").click()
    await vic.wait_for_url("**/w/acme/insights?period=last_month*")
    await expect(vic.locator('tr[data-figure="mentions"] td')).to_have_text(["6", "4", "+50%"])
    await expect(vic.get_by_role("img", name="Mentions per day")).to_be_visible()
    # Read-only: the page's one form only asks for a period (GET); nothing on it writes.
    assert await vic.locator("#main form").count() == 1
    assert await vic.locator("#main form[method=get]").count() == 1
    await camera.check(vic, "20-insights-viewer")
    assert csp == []
