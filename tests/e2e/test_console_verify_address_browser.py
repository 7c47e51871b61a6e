"""The address verification page in a real browser (Debian's Chromium, Playwright): Camille
sets her email, notify sends the verification to it through a real SMTP server, she opens the
link in French, reads which address it is about, presses the button, and the address is in
use. Every page passes axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from e2e.test_console_unsubscribe_browser import Pages, pages
from support.browser import Camera, new_context, watch_csp
from support.identity import text_of
from support.waiting import eventually

__all__ = ["pages"]  # fixtures


async def test_camille_confirms_her_address_from_the_link_sent_to_it(
    pages: Pages, browser: Browser, camera: Camera
) -> None:
    notify = pages.notify
    await notify.put_person("camille", name="Camille", language="fr")
    answer = await notify.http.put(
        "/people/camille/addresses",
        json={"email": "camille@acme.example"},
        headers=notify.person("camille"),
    )
    assert answer.status_code == 200, answer.text
    pattern = re.compile(re.escape(f"{pages.console}/hooks/verify-address/") + r"[\w.-]+")

    async def links() -> list[str]:
        return [
            m.group(0)
            for _, message in pages.mailbox.verifications
            if (m := pattern.search(text_of(message)))
        ]

    [link] = await eventually(links, bool, what="the verification link in Camille's email")
    csp: list[str] = []
    page = await (await new_context(browser, locale="fr-FR")).new_page()
    watch_csp(page, csp)
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer cette adresse")
    await expect(page.get_by_text("camille@acme.example")).to_be_visible()
    await camera.check(page, "36-verify-address-fr")
    entry = await notify.http.get("/people/camille", headers=notify.admin)
    assert entry.json()["email"] is None  # opening the page changed nothing
    await page.get_by_role("button", name="Oui, cette adresse est la mienne").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    await camera.check(page, "37-address-confirmed-fr")
    entry = await notify.http.get("/people/camille", headers=notify.admin)
    assert entry.json()["email"] == "camille@acme.example"
    assert csp == []
