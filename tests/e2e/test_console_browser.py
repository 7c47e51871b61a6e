"""The console in a real browser (Debian's Chromium, Playwright) on real processes: identity,
scheduler and the console, real Kafka and store, identity's mail read from a real SMTP server.
Every page visited passes axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from ensemble_shared.auth import Role
from support.browser import Camera, new_context, watch_csp
from support.console_stack import Admin, ConsoleStack
from support.identity import PASSWORD
from support.waiting import eventually


async def test_an_invited_colleague_accepts_signs_in_and_manages_their_account(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    page = admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    await page.goto(console_stack.console + "/w/acme/admin/invitations")
    await page.get_by_label("Email", exact=True).fill("bo@acme.example")
    await page.get_by_label("Teams").fill("legal")
    await page.get_by_label("Approver").check()
    await page.get_by_role("button", name="Send the invitation").click()
    await expect(page.get_by_role("status")).to_contain_text("The invitation is sent.")
    await expect(page.get_by_role("cell", name="bo@acme.example")).to_be_visible()
    await camera.check(page, "03-invitations")

    token = await console_stack.link("bo@acme.example", "/invitations/")
    bo = await (await new_context(browser)).new_page()
    watch_csp(bo, csp)
    await bo.goto(f"{console_stack.console}/invitations/{token}")
    await expect(bo.get_by_role("heading", level=1)).to_have_text("Join Acme")
    await camera.check(bo, "04-invitation")
    await bo.get_by_label("Your name").fill("Bo Approver")
    await bo.get_by_label("Choose a password").fill(PASSWORD)
    await bo.get_by_role("button", name="Accept the invitation").click()
    await bo.wait_for_url("**/w/acme/?notice=welcome")
    await expect(bo.get_by_role("status")).to_contain_text("Welcome!")

    await bo.get_by_role("button", name="Sign out").click()
    await bo.wait_for_url("**/sign-in?notice=signed_out")
    await camera.check(bo, "05-sign-in")
    await bo.goto(console_stack.console + "/w/acme/account")
    await bo.wait_for_url("**/sign-in?next=/w/acme/account")
    await bo.get_by_label("Email").fill("bo@acme.example")
    await bo.get_by_label("Password").fill(PASSWORD)
    await bo.get_by_role("button", name="Sign in", exact=True).click()
    await bo.wait_for_url("**/w/acme/account")
    await expect(bo.get_by_role("heading", level=1)).to_have_text("Your account")
    await expect(bo.get_by_text("this browser")).to_be_visible()
    await camera.check(bo, "06-account")

    await bo.get_by_label("Key name").fill("deploy script")
    await bo.get_by_role("checkbox", name="Approver").check()
    await bo.get_by_role("button", name="Create the key").click()
    secret = await bo.locator("#new-secret").inner_text()
    assert secret.strip()
    await camera.check(bo, "07-api-key-created")
    assert bo.url.endswith("/w/acme/account")  # the form's page, not the POST route
    await bo.reload()  # shown once: never again
    assert secret not in await bo.content()
    await bo.get_by_role("button", name="Revoke deploy script").click()
    await expect(bo.get_by_role("status")).to_contain_text("The API key is revoked.")

    await page.goto(console_stack.console + "/w/acme/admin/members")
    await expect(page.get_by_role("cell", name="Bo Approver")).to_be_visible()
    await camera.check(page, "08-members")
    await page.get_by_role("link", name="Bo Approver").click()
    await page.get_by_role("checkbox", name="Viewer").check()
    await camera.check(page, "09-member")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text("roles and teams are saved")
    await page.goto(console_stack.console + "/w/acme/admin/audit")
    # other stories of the shared stack may have invited colleagues before: any acceptance row
    await expect(page.get_by_role("cell", name="Invitation accepted").first).to_be_visible()
    await camera.check(page, "10-audit")
    assert csp == []


async def test_a_french_browser_gets_french_pages(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    page = await (await new_context(browser, locale="fr-FR")).new_page()
    await page.goto(console_stack.console + "/sign-in")
    assert await page.get_attribute("html", "lang") == "fr"
    await expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    await camera.check(page, "11-sign-in-fr")
    await page.get_by_label("Langue").select_option("en")
    await page.get_by_role("button", name="Changer de langue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


async def test_an_expired_invitation_link_gets_its_own_page(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    await admin_page.goto(console_stack.console + "/w/acme/admin/invitations")
    await admin_page.get_by_label("Email", exact=True).fill("carl@acme.example")
    await admin_page.get_by_label("Viewer").check()
    await admin_page.get_by_role("button", name="Send the invitation").click()
    await expect(admin_page.get_by_role("status")).to_contain_text("The invitation is sent.")
    token = await console_stack.link("carl@acme.example", "/invitations/")
    await console_stack.expire_link(token)
    carl = await (await new_context(browser)).new_page()
    response = await carl.goto(f"{console_stack.console}/invitations/{token}")
    assert response is not None
    assert response.status == 410
    await expect(carl.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    await expect(carl.get_by_text("It has expired")).to_be_visible()
    await camera.check(carl, "12-invitation-expired")


async def test_sign_in_failures_say_one_generic_thing_then_the_lockout(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    page = await (await new_context(browser)).new_page()
    await page.goto(console_stack.console + "/sign-in")
    alert = page.get_by_role("alert")
    for attempt in range(5):
        await page.get_by_label("Email").fill("dora@acme.example")
        await page.get_by_label("Password").fill(f"not the password {attempt}")
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await expect(alert).to_have_text("The email or the password is not right.")
    await camera.check(page, "13-sign-in-failed")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(alert).to_contain_text("Too many failed attempts")
    await camera.check(page, "14-sign-in-locked")


async def test_a_form_post_without_this_browsers_csrf_token_is_refused(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    page = await (await new_context(browser)).new_page()
    for tamper, name in (
        ("el => el.value = 'forged-token'", "15-csrf-refused"),
        ("el => el.remove()", "15-csrf-missing"),
    ):
        await page.goto(console_stack.console + "/sign-in")
        await page.locator("form[action='/sign-in'] input[name=csrf_token]").evaluate(tamper)
        await page.get_by_label("Email").fill(acme_admin.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
        await camera.check(page, name)
    await page.goto(console_stack.console + "/w/acme/")
    assert "/sign-in" in page.url  # refused means not signed in


POLICY: dict[str, Any] = {
    "steps": [
        {"name": "marketing", "people": ["mia"], "owns": ["title"]},
        {
            "name": "client",
            "people": ["lea"],
            "external": [{"id": "acme-corp", "name": "ACME Corp", "email": "ok@acme.test"}],
            "owns": ["body"],
        },
    ]
}


async def test_a_decision_link_shows_the_changes_and_decides_once(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    s = console_stack
    manager, admin = s.staff("maya", Role.MANAGER), s.staff("ana", Role.ADMIN)
    await s.scheduler("PUT", "/approval-policies/standard", admin, **POLICY)
    item = await s.scheduler(
        "POST",
        "/content",
        manager,
        kind="post",
        channel="mastodon",
        title="Launch",
        body="We launch today",
    )
    await s.scheduler("POST", f"/content/{item['id']}/approval", manager)
    mia = console_stack.staff("mia")
    await s.scheduler(
        "POST",
        f"/content/{item['id']}/approval/decisions",
        mia,
        step="marketing",
        decision="approve",
    )
    await s.scheduler("PATCH", f"/content/{item['id']}", manager, body="We launch tomorrow")

    async def client_links() -> list[str]:
        return [
            link.url
            for e in await s.approval_events()
            if e.type == "approval.step_opened.v1" and e.subject == item["id"]
            for link in e.data.links  # type: ignore[attr-defined]
        ]

    first, second = await eventually(client_links, lambda links: len(links) == 2, what="links")
    assert second.startswith(f"{s.console}/hooks/decisions/")

    page = await (await new_context(browser)).new_page()
    await page.goto(second + "?decision=approve")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("step client")
    await expect(page.locator("table.diff ins")).to_have_text("We launch tomorrow")
    await expect(page.locator("table.diff del")).to_have_text("We launch today")
    await expect(page.get_by_text("lea (Person)")).to_be_visible()
    await camera.check(page, "16-decision")
    await expect(page.get_by_role("radio", name="Approve")).to_be_checked()
    await page.get_by_role("button", name="Send my decision").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    await expect(page.get_by_role("status")).to_have_text("You approved it.")
    await camera.check(page, "17-decided")

    state = await s.scheduler("GET", f"/content/{item['id']}/approval", manager)
    assert (state["status"], state["publishable"]) == ("approved", True)
    response = await page.goto(second)
    assert response is not None
    assert response.status == 410
    await expect(page.get_by_text("It was already used")).to_be_visible()
    await camera.check(page, "18-decision-used")
    await page.goto(first)
    await expect(page.get_by_text("The content changed since this link was sent")).to_be_visible()
