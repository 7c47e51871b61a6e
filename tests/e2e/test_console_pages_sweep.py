"""Every screen the admin's menus lead to, in a real browser (Debian's Chromium, Playwright) on
the console's stack: each answers 200 and passes axe-core (0 serious or critical) under its
page's CSP, and is photographed. The stories test what the screens do; this keeps the ones no
story walks through accessible too."""

from __future__ import annotations

from playwright.async_api import Page

from support.browser import Camera, watch_csp
from support.console_stack import ConsoleStack

LINKS = "els => [...new Set(els.map(e => e.getAttribute('href')))]"
ALSO = (  # reached from a screen's own buttons rather than the menus
    "/w/acme/admin/policies/new",
    "/w/acme/calendar?view=month",
    "/w/acme/calendar/feed-links",
    "/w/acme/crises",
    "/w/acme/community/moderation",
)


async def test_every_screen_of_the_menus_passes_axe(
    console_stack: ConsoleStack, admin_page: Page, camera: Camera
) -> None:
    page, site = admin_page, console_stack.console
    csp: list[str] = []
    watch_csp(page, csp)
    await page.goto(site + "/w/acme/settings")
    found: set[str] = set()
    for where in ("#main", "nav"):
        links = page.locator(f"{where} a[href^='/w/acme/']")
        found.update(await links.evaluate_all(LINKS))
    screens = sorted(
        {p for p in found if not p.endswith((".csv", ".ics")) and "?" not in p} | set(ALSO)
    )
    assert len(screens) >= 25, screens
    for path in screens:
        answer = await page.goto(site + path)
        assert answer is not None
        assert answer.status == 200, path
        await camera.check(page, "sweep" + path.replace("/w/acme", "").replace("/", "-"))
    assert csp == []
