"""The Community screens in a real browser (Debian's Chromium, Playwright) on real processes
(identity, feedback, the console; real Kafka and store): a member's idea waits in moderation,
the community manager finds it on the board, approves it and moves it on the roadmap; at a
field event, the door is checked on a phone (390 by 844): the attendee's code, one big button.
On the portal, a member signs in by link, votes, submits, and takes a seat at a field event
(its QR check-in code on a phone); twelve members race for ten seats in their own browsers.
Every page passes axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support.browser import Camera, watch_csp
from support.console import Browser as Forms
from support.console_stack import Admin, ConsoleStack
from support.identity import text_of
from support.waiting import eventually


async def feedback(
    stack: ConsoleStack, method: str, path: str, headers: dict[str, str], **body: Any
) -> Any:
    async with httpx.AsyncClient(base_url=stack.url("feedback"), timeout=30) as http:
        answer = await http.request(method, path, headers=headers, json=body or None)
    assert answer.status_code < 300, answer.text
    return answer.json()


async def fits_the_screen(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


async def test_a_members_idea_is_moderated_moved_and_its_event_checked_in_on_a_phone(
    console_stack: ConsoleStack,
    browser: Browser,
    admin_page: Page,
    acme_admin: Admin,
    camera: Camera,
) -> None:
    stack, page = console_stack, admin_page
    member = stack.issuer.bearer("acme", Role.MEMBER, subject=f"acc_{secrets.token_hex(6)}")
    ana = await feedback(stack, "POST", "/workspaces/acme/members", member, display_name="Ana")
    await feedback(stack, "POST", "/submissions", member, kind="idea", title="A repair café")
    csp: list[str] = []
    watch_csp(page, csp)

    await page.goto(stack.console + "/w/acme/")
    await page.get_by_role("link", name="Community", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Community board")
    await expect(page.get_by_text("A repair café")).to_have_count(0)  # held: not published
    await page.get_by_label("Only what waits in moderation").check()
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_role("heading", name="A repair café")).to_be_visible()
    await expect(page.get_by_text("Waits in moderation", exact=True)).to_be_visible()
    await camera.check(page, "60-community-board-held")

    await page.get_by_role("link", name="Moderation", exact=True).click()
    await expect(page.get_by_role("heading", name="A submission by Ana")).to_be_visible()
    await camera.check(page, "61-community-moderation")
    await page.get_by_role("button", name="Approve and publish").click()
    await expect(page.get_by_role("status")).to_contain_text("Approved: it is published.")
    await expect(page.get_by_text("Nothing waits for a decision.")).to_be_visible()

    await page.get_by_role("link", name="Board", exact=True).click()
    idea = page.locator("article.submission", has_text="A repair café")
    await idea.get_by_text("Change the status").first.click()
    await idea.get_by_label("New status").select_option(label="Under review")
    await idea.locator("form[action$='/status']").get_by_role("button").click()
    await expect(page.get_by_role("status")).to_contain_text("The status is changed")
    await expect(page.locator("article.submission", has_text="A repair café")).to_contain_text(
        "Under review"
    )
    await camera.check(page, "62-community-board")

    tabs = page.get_by_role("navigation", name="Community")
    await tabs.get_by_role("link", name="Members", exact=True).click()
    await expect(page.get_by_role("link", name="Ana", exact=True)).to_be_visible()
    await camera.check(page, "63-community-members")
    await page.get_by_role("link", name="Ana", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ana")
    await camera.check(page, "64-community-member")
    await page.goto(stack.console + "/w/acme/community/suggestions")
    await camera.check(page, "65-community-suggestions")

    manager = stack.staff("maya", Role.MANAGER)
    starts = utcnow() + timedelta(days=1)
    event = await feedback(
        stack,
        "POST",
        "/field-events",
        manager,
        title="Repair café, first edition",
        place={"name": "La Halle", "address": "1 rue de la Halle, Lyon"},
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=3)).isoformat(),
        capacity=20,
    )
    await feedback(stack, "POST", f"/field-events/{event['id']}/rsvp", member)
    mine = await feedback(stack, "GET", f"/field-events/{event['id']}/my-rsvp", member)

    phone_context = await browser.new_context(
        locale="en-GB",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=acme_admin.state,
    )
    try:
        phone = await phone_context.new_page()
        watch_csp(phone, csp)
        await phone.goto(stack.console + "/w/acme/community/events")
        await phone.get_by_role("link", name="Repair café, first edition").click()
        await expect(phone.get_by_role("link", name="Ana", exact=True)).to_be_visible()
        await camera.check(phone, "66-community-event-phone")
        await phone.get_by_role("button", name="Open the check-in screen").click()
        await expect(phone.get_by_role("heading", level=1)).to_have_text("Check-in")
        await expect(phone.get_by_role("button", name="Check in", exact=True)).to_be_in_viewport()
        await fits_the_screen(phone)
        await camera.check(phone, "67-check-in-phone")
        await phone.get_by_label("Check-in code").fill("WRONGCODE2")
        await phone.get_by_role("button", name="Check in", exact=True).click()
        await expect(phone.get_by_role("alert")).to_contain_text("We do not know this code")
        await phone.get_by_label("Check-in code").fill(mine["check_in_code"].lower())
        await phone.get_by_role("button", name="Check in", exact=True).click()
        await expect(phone.get_by_text("Ana is checked in.")).to_be_visible()
        await expect(phone.get_by_label("Check-in code")).to_be_empty()
        await expect(phone.get_by_role("button", name="Check in", exact=True)).to_be_in_viewport()
        await fits_the_screen(phone)
        await camera.check(phone, "68-checked-in-phone")
    finally:
        await phone_context.close()
    roster = await feedback(stack, "GET", f"/field-events/{event['id']}/rsvps", manager)
    assert [(r["member_id"], r["checked_in"]) for r in roster["items"]] == [
        (ana["member_id"], True)
    ]
    assert csp == []


async def test_a_member_signs_in_by_link_from_the_portal_votes_and_submits(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    """The community portal as a member meets it: the public board, an idea; voting asks for
    a sign-in, the emailed link brings them back to the idea, the vote counts; a new idea
    shows the similar one as they type, then waits for a moderator; once the brand approves
    and plans it, the member's email links to its page, which says so. At a full field event
    they wait first in line; a seat given back is theirs, with their check-in code as a QR
    code on the phone, which lets them in at the door. Last, their profile, and the erasure
    of their data behind a typed word."""
    stack = console_stack
    author = stack.issuer.bearer("acme", Role.MEMBER, subject=f"acc_{secrets.token_hex(6)}")
    joined = await feedback(stack, "POST", "/workspaces/acme/members", author, display_name="Bo")
    manager = stack.staff("maya", Role.MANAGER)
    await feedback(stack, "PUT", f"/members/{joined['member_id']}/trust", manager, level="trusted")
    await feedback(stack, "POST", "/submissions", author, kind="idea", title="A seed library")
    email = f"mia.{secrets.token_hex(3)}@fans.example"
    csp: list[str] = []
    context = await browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    try:
        page = await context.new_page()
        watch_csp(page, csp)
        await page.goto(stack.console + "/c/acme/")
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Ideas of the acme community"
        )
        await camera.check(page, "70-portal-board")
        await page.get_by_role("link", name="A seed library", exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("A seed library")
        await expect(page.get_by_text("Votes: 0")).to_be_visible()
        await camera.check(page, "71-portal-idea")
        idea_url = page.url

        await page.get_by_role("button", name="Vote for this idea").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the community")
        await camera.check(page, "72-portal-sign-in")
        await page.get_by_label("Email").fill(email)
        await page.get_by_role("button", name="Email me a link").click()
        await expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
        token = await stack.link(email, "/magic/")
        await page.goto(f"{stack.console}/magic/{token}")
        await page.get_by_role("button", name="Sign me in").click()
        await expect(page.get_by_role("status")).to_contain_text("Welcome! You are signed in.")
        assert page.url.split("?")[0] == idea_url  # back where they were

        await page.get_by_role("button", name="Vote for this idea").click()
        await expect(page.get_by_role("status")).to_contain_text("Your vote counts.")
        await expect(page.get_by_text("Votes: 1")).to_be_visible()

        await page.get_by_role("link", name="Submit an idea").first.click()
        await page.get_by_label("Title").fill("A seed library at the town hall")
        similar = page.locator("#similar")
        await expect(similar.get_by_role("link", name="A seed library", exact=True)).to_be_visible()
        await camera.check(page, "74-portal-submit-similar")
        await page.get_by_role("button", name="Submit", exact=True).click()
        await expect(page.get_by_role("status")).to_contain_text("waits for a moderator")
        await expect(page.get_by_text("Only you can see this idea for now")).to_be_visible()
        await camera.check(page, "75-portal-idea-held")
        # The brand approves it and plans it: the member's email links to its page.
        held = page.url.split("?")[0].rsplit("/", 1)[1]
        await feedback(stack, "POST", f"/moderation/items/submission:{held}/approve", manager)
        for moved in ("under_review", "planned"):
            await feedback(stack, "POST", f"/submissions/{held}/status", manager, status=moved)
        news = re.compile(r"See the idea: (\S+)")

        async def emailed() -> list[str]:
            return [
                m.group(1)
                for rcpt, message in stack.mailbox.messages
                if email in rcpt
                and "to planned" in text_of(message)
                and (m := news.search(text_of(message)))
            ]

        [link] = await eventually(emailed, bool, timeout=90, what="the news: planned")
        assert link == f"{stack.console}/c/acme/ideas/{held}"
        await page.goto(link)
        section = page.get_by_role("region", name="Status")
        await expect(section.get_by_role("strong")).to_have_text("Planned")
        await page.goto(stack.console + "/c/acme/roadmap")
        planned = page.get_by_role("region", name="Planned")
        await expect(
            planned.get_by_role("link", name="A seed library at the town hall")
        ).to_be_visible()

        # A field event with one seat, which Bo already holds: the member waits, first in
        # line; Bo gives the seat back and the member's page shows their own check-in code.
        title = f"Seed swap {secrets.token_hex(3)}"
        starts = utcnow() + timedelta(days=2)
        place = {"name": "La Halle", "address": "1 rue de la Halle, Lyon"}
        event = await feedback(
            stack,
            "POST",
            "/field-events",
            manager,
            title=title,
            place=place,
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=2)).isoformat(),
            timezone="Europe/Paris",
            capacity=1,
        )
        await feedback(stack, "POST", f"/field-events/{event['id']}/rsvp", author)
        menu = page.get_by_role("navigation", name="Community")
        await menu.get_by_role("link", name="Events", exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Events of the acme community"
        )
        await camera.check(page, "79-portal-events")
        await page.get_by_role("link", name=title, exact=True).click()
        await expect(page.get_by_text("Seats left: 0 of 1")).to_be_visible()
        await page.get_by_role("button", name="I'm coming").click()
        await expect(page.get_by_role("status")).to_contain_text("you are on the waitlist")
        await expect(page.get_by_text("Waitlisted, position 1.")).to_be_visible()
        await camera.check(page, "80-portal-event-waitlisted")
        await feedback(stack, "DELETE", f"/field-events/{event['id']}/rsvp", author)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.goto(page.url.split("?")[0])  # the event's page again, on a phone
        await expect(page.get_by_text("Confirmed: you have a seat.")).to_be_visible()
        await expect(page.get_by_role("img", name="Your check-in code")).to_be_visible()
        await fits_the_screen(page)
        await camera.check(page, "81-portal-event-code-phone")
        code = await page.locator(".check-in-code code").inner_text()
        door = f"/field-events/{event['id']}/check-in"
        await feedback(stack, "POST", door, manager, code=code)  # the code is the member's own
        await page.reload()
        await expect(page.get_by_text("You are checked in.")).to_be_visible()

        # Their own pages: the profile, then erasing their data (what goes, what stays).
        await page.get_by_role("link", name="My profile").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
        await expect(page.get_by_label("My name in the community")).to_be_visible()
        await camera.check(page, "76-portal-me")
        await page.get_by_role("link", name="Erase my data…").click()
        await expect(page.get_by_role("heading", level=2).first).to_have_text("What goes")
        await camera.check(page, "77-portal-me-erase")
        await page.get_by_label("To confirm, type erase").fill("erase")
        await page.get_by_role("button", name="Erase my data").click()
        await expect(page.get_by_role("status")).to_contain_text("Your data is erased.")
        await camera.check(page, "78-portal-me-erased")
    finally:
        await context.close()
    assert csp == []

    # Twelve members race for ten seats, each in their own browser: exactly ten get one, two
    # wait in the order feedback wrote them; a seat given back goes to the first of the two.
    race = await feedback(
        stack,
        "POST",
        "/field-events",
        manager,
        title=f"Tasting night {secrets.token_hex(3)}",
        place=place,
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=2)).isoformat(),
        capacity=10,
    )
    tag = secrets.token_hex(3)
    racers = await asyncio.gather(
        *(racer(browser, stack, f"racer{n}.{tag}@fans.example") for n in range(12))
    )
    try:
        pages = await asyncio.gather(*(r.new_page() for r in racers))
        for racing in pages:
            watch_csp(racing, csp)
        url = f"{stack.console}/c/acme/events/{race['id']}"
        await asyncio.gather(*(p.goto(url) for p in pages))
        await asyncio.gather(*(p.get_by_role("button", name="I'm coming").click() for p in pages))
        said = await asyncio.gather(*(place_on(p) for p in pages))
        assert sorted(said) == [SEATED] * 10 + [
            "Waitlisted, position 1.",
            "Waitlisted, position 2.",
        ]
        roster = await feedback(stack, "GET", f"/field-events/{race['id']}/rsvps", manager)
        assert [(r["status"], r["position"]) for r in roster["items"]] == [
            *(("confirmed", n) for n in range(1, 11)),
            ("waitlisted", 1),
            ("waitlisted", 2),
        ]
        first = pages[said.index("Waitlisted, position 1.")]
        second = pages[said.index("Waitlisted, position 2.")]
        leaving = pages[said.index(SEATED)]
        await leaving.get_by_role("button", name="Cancel my RSVP").click()
        await expect(leaving.get_by_role("status")).to_contain_text("Your RSVP is cancelled")
        await first.goto(url)
        await second.goto(url)
        assert (await place_on(first), await place_on(second)) == (
            SEATED,
            "Waitlisted, position 1.",
        )
    finally:
        await asyncio.gather(*(r.close() for r in racers))
    assert csp == []


SEATED = "Confirmed: you have a seat."


async def place_on(page: Page) -> str:
    """The member's place as their event page says it (waits for the page after a click)."""
    return await page.locator(".my-status strong").inner_text()


async def racer(browser: Browser, stack: ConsoleStack, email: str) -> BrowserContext:
    """A member's own browser, signed in by the portal's emailed link. The link is followed
    over HTTP and the session cookie handed to the context: twelve sign-ins stay quick."""
    async with httpx.AsyncClient(base_url=stack.console, timeout=30) as http:
        forms = Forms(http)
        sign_in = "/c/acme/sign-in"
        asked = await forms.submit(sign_in, sign_in, {"email": email, "next": "/c/acme/"})
        assert asked.status_code == 200, asked.text[:300]
        token = await stack.link(email, "/magic/")
        signed_in = await forms.submit(f"/magic/{token}", f"/magic/{token}", {})
        assert signed_in.status_code == 303, signed_in.text[:300]
        cookies = [
            {"name": c.name, "value": c.value or "", "url": stack.console} for c in http.cookies.jar
        ]
    context = await browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    await context.add_cookies(cookies)  # type: ignore[arg-type]
    return context
