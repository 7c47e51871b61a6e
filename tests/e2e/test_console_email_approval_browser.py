"""The front door's promise, whole, in a real browser (Debian's Chromium, Playwright) on real
processes: an admin invites a colleague, who accepts, chooses French, signs in again; the admin
names her in an approval policy by email and asks for approval from the console; notify emails
her the decision link (read from a real SMTP server), which opens in her language even on a
phone where she is not signed in, and she approves from it. Then single sign-on: the sign-in
page's provider button, through a real OpenID Connect provider, back signed in (or refused).
No terminal token anywhere on the people's side. Every page passes axe-core and is
photographed."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from ensemble_shared.auth import Role
from support.browser import Camera, new_context, watch_csp
from support.console_stack import Admin, ConsoleStack, account_id, colleague_signed_in
from support.identity import PASSWORD, text_of
from support.waiting import eventually


async def decision_email(s: ConsoleStack, to: str) -> tuple[str, str]:
    """The subject of the decision email sent to `to`, and its Approve link (query and all)."""
    pattern = re.compile(re.escape(s.console) + r"/hooks/decisions/[A-Za-z0-9._~-]+\?[^\s\"<>]+")

    async def found() -> list[tuple[str, str]]:
        return [
            (str(message["Subject"]), m.group(0))
            for rcpt, message in s.mailbox.messages
            if to in rcpt and (m := pattern.search(text_of(message)))
        ]

    mails = await eventually(found, bool, timeout=90, what=f"a decision email to {to}")
    return mails[-1]


async def known_to_notify(s: ConsoleStack, person: str) -> dict[str, Any]:
    """The person as notify's directory holds them (identity's events, followed)."""
    async with httpx.AsyncClient(base_url=s.url("notify"), timeout=30) as http:
        got = await http.get(f"/people/{person}", headers=s.staff("ana", Role.ADMIN))
    return dict(got.json()) if got.status_code == 200 else {}


async def test_an_invited_colleague_approves_from_the_email_in_her_language(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    s, page = console_stack, admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    elise = await colleague_signed_in(
        s, browser, page, "elise@acme.example", "Élise Approver", "Approver"
    )
    watch_csp(elise, csp)
    await elise.get_by_label("Language").select_option("fr")
    await elise.get_by_role("button", name="Change language").click()
    await expect(elise.get_by_role("button", name="Se déconnecter")).to_be_visible()
    elise_id = await account_id(s, elise)
    await elise.get_by_role("button", name="Se déconnecter").click()
    await elise.wait_for_url("**/sign-in?notice=signed_out")
    await elise.get_by_label("E-mail").fill("elise@acme.example")
    await elise.get_by_label("Mot de passe").fill(PASSWORD)
    await elise.get_by_role("button", name="Connexion").click()
    await elise.wait_for_url("**/w/acme/")
    await eventually(
        lambda: known_to_notify(s, elise_id),
        lambda person: person.get("language") == "fr" and person.get("email") is not None,
        what="Élise, in French, in notify's directory",
    )

    # The admin names her by email in a policy, then asks for approval: all in the console.
    await page.goto(s.console + "/w/acme/admin/policies/new")
    await page.get_by_label("Name", exact=True).fill("mail-story")
    await page.get_by_label("Priority", exact=True).fill("1")
    await page.get_by_label("Item tags (any of them)").fill("mail-story")
    await page.get_by_label("Step name").fill("legal")
    await page.get_by_label("People (emails or account ids)").fill("elise@acme.example")
    await page.get_by_role("button", name="Create the policy").click()
    await expect(page.get_by_role("status")).to_have_text("The policy is created.")
    people = page.locator("#f-steps-0-people")
    await expect(people).to_have_value("elise@acme.example")
    await page.goto(s.console + "/w/acme/content")
    await page.get_by_label("Channel").fill("mastodon")
    await page.get_by_label("Title").fill("Spring fair")
    await page.get_by_label("Text").fill("Meet us at the spring fair on Saturday")
    await page.get_by_label("Tags").fill("mail-story")
    await page.get_by_role("button", name="Save the draft").click()
    await expect(page.get_by_role("status")).to_have_text("The draft is saved.")
    content_id = page.url.split("?")[0].rsplit("/", 1)[1]
    await page.get_by_role("button", name="Ask for approval").click()
    await expect(page.get_by_role("status")).to_have_text("Approval is asked.")

    subject, link = await decision_email(s, "elise@acme.example")
    assert subject.startswith("Votre validation est demandée : Spring fair")
    assert link.endswith("?decision=approve&lang=fr")

    # On her phone (English, not signed in) the page is in her language; it decides nothing.
    phone = await (await new_context(browser, locale="en-US")).new_page()
    watch_csp(phone, csp)
    await phone.goto(link)
    assert await phone.get_attribute("html", "lang") == "fr"
    await expect(phone.get_by_role("heading", level=1)).to_contain_text("à valider : étape legal")
    await camera.check(phone, "94-decision-email-fr")

    await elise.goto(link)
    await expect(elise.get_by_role("radio", name="Approuver")).to_be_checked()
    await elise.get_by_role("button", name="Envoyer ma décision").click()
    await expect(elise.get_by_role("heading", level=1)).to_have_text("Merci")
    await expect(elise.get_by_role("status")).to_have_text("Vous l’avez approuvé.")
    await camera.check(elise, "95-decided-fr")
    state = await s.scheduler("GET", f"/content/{content_id}/approval", s.staff("ana", Role.ADMIN))
    assert (state["status"], state["publishable"]) == ("approved", True)
    assert csp == []


async def test_single_sign_on_from_the_sign_in_page(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    """Ana's company provider vouches for her address: she is in. A stranger it vouches for
    has no invitation here: the sign-in page says so, and no session is opened."""
    for login, lands in (("ana-sso", "/w/acme/"), ("stranger", "/sign-in/oidc/callback")):
        page = await (await new_context(browser)).new_page()
        await page.goto(console_stack.console + "/sign-in")
        await camera.check(page, "96-sign-in-sso")
        await page.get_by_role("button", name="Sign in with Company SSO").click()
        # The provider's own pages (oidc-provider's development login and consent).
        await page.locator("input[name=login]").fill(login)
        await page.locator("input[name=password]").fill("any")
        await page.locator("button[type=submit]").click()
        await page.locator("button[type=submit]").click()  # consent
        await page.wait_for_url(f"**{lands}*")
        if login == "ana-sso":
            await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        else:
            await expect(page.get_by_role("alert")).to_be_visible()
            await camera.check(page, "97-sign-in-sso-refused")
            await page.goto(console_stack.console + "/w/acme/")
            assert "/sign-in" in page.url
        await page.context.close()
