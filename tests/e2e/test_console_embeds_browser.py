"""The portal's embeds in a real browser (Debian's Chromium, Playwright) on real processes:
the community manager copies the code from Community > Embeds; a brand's page on another
site (`localhost`, the console being `127.0.0.1`) pastes it and shows the board's top ideas
and one idea, fitted to their height by the script; the embed stores no cookie; its vote
button opens the idea's portal page in a new tab, where the visitor signs in by link and
votes, and the embed then counts the vote. The same brand page framing any other console page
is refused. Every page passes axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

import re
import secrets

from playwright.async_api import Browser, ConsoleMessage, expect

from e2e.test_console_community_browser import feedback
from ensemble_shared.auth import Role
from support.browser import Camera, watch_csp
from support.console_stack import Admin, ConsoleStack, admin_context
from support.host_site import HostSite, page


async def published_idea(stack: ConsoleStack, title: str) -> str:
    """An idea by a trusted member: on the public board at once."""
    author = stack.issuer.bearer("acme", Role.MEMBER, subject=f"acc_{secrets.token_hex(6)}")
    joined = await feedback(stack, "POST", "/workspaces/acme/members", author, display_name="Lu")
    manager = stack.staff("maya", Role.MANAGER)
    await feedback(stack, "PUT", f"/members/{joined['member_id']}/trust", manager, level="trusted")
    created = await feedback(stack, "POST", "/submissions", author, kind="idea", title=title)
    idea_id: str = created["submission"]["id"]
    return idea_id


async def code_from_the_console(
    stack: ConsoleStack, browser: Browser, admin: Admin, camera: Camera, idea: str
) -> str:
    """What the community manager copies from the embeds page: the board's code and the
    idea's, as the textareas hold them."""
    context = await admin_context(browser, admin)
    try:
        staff = await context.new_page()
        await staff.goto(f"{stack.console}/w/acme/community")
        await staff.get_by_role("link", name="Embeds", exact=True).click()
        await staff.get_by_label("One idea", exact=True).select_option(value=idea)
        await staff.get_by_role("button", name="Show the code").click()
        await expect(
            staff.get_by_role("heading", name="One idea and its vote button")
        ).to_be_visible()
        await camera.check(staff, "90-community-embeds")
        board = await staff.locator("#board-code").input_value()
        one = await staff.locator("#idea-code").input_value()
        return board + "\n" + one
    finally:
        await context.close()


def refusal(message: ConsoleMessage) -> bool:
    """Chromium's words when a page refuses to be framed: "Framing '…' violates the following
    Content Security Policy directive: "frame-ancestors 'none'". The request has been
    blocked."."""
    return "frame-ancestors" in message.text


async def test_a_brand_page_on_another_site_shows_the_embeds_and_their_vote_opens_the_portal(
    console_stack: ConsoleStack, browser: Browser, acme_admin: Admin, camera: Camera
) -> None:
    stack = console_stack
    title = f"Night buses {secrets.token_hex(3)}"
    idea = await published_idea(stack, title)
    code = await code_from_the_console(stack, browser, acme_admin, camera, idea)
    assert f'src="{stack.console}/c/acme/embed/board?sort=top&amp;limit=5"' in code
    framed_portal = f'<iframe src="{stack.console}/c/acme/" title="The portal"></iframe>'
    pages = {"/": page("Our brand", code), "/portal": page("Our brand", framed_portal)}
    csp: list[str] = []
    with HostSite(pages) as site:
        context = await browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
        try:
            visitor = await context.new_page()
            watch_csp(visitor, csp)
            await visitor.goto(site.url("/"))
            board = visitor.frame_locator("iframe[src*='/embed/board']")
            await expect(board.get_by_role("heading", level=1)).to_have_text(
                "Ideas of the acme community"
            )
            await expect(board.get_by_role("link", name=title)).to_be_visible()
            one = visitor.frame_locator("iframe[src*='/embed/ideas/']")
            await expect(one.get_by_role("heading", level=1)).to_have_text(title)
            await expect(one.get_by_text("Votes: 0")).to_be_visible()

            # embed.js fits each frame to its content (the snippet's height was 420 / 260).
            fitted = "f => f.style.height !== '' && f.getBoundingClientRect().height > 0"
            for frame in ("iframe[src*='/embed/board']", "iframe[src*='/embed/ideas/']"):
                element = visitor.locator(frame)
                await visitor.wait_for_function(
                    f'() => ({fitted})(document.querySelector("{frame}"))'
                )
                shown = await element.evaluate("f => f.getBoundingClientRect().height")
                inner = (
                    await visitor.frame_locator(frame)
                    .locator("html")
                    .evaluate("h => Math.ceil(h.getBoundingClientRect().height)")
                )
                assert abs(shown - inner) <= 2, (frame, shown, inner)
            # Only the console's frames are believed: the page's own message changes nothing.
            heights = "() => [...document.querySelectorAll('iframe')].map(f => f.style.height)"
            fitted_heights = await visitor.evaluate(heights)
            await visitor.evaluate(
                "() => window.postMessage({type: 'ensemble:embed-height', height: 900}, '*')"
            )
            await visitor.wait_for_timeout(300)
            assert await visitor.evaluate(heights) == fitted_heights
            await camera.check(visitor, "91-brand-page-with-embeds")
            assert await context.cookies() == []  # a third-party embed stores nothing

            async with context.expect_page() as opened:
                await one.get_by_role("link", name=re.compile("^Vote for this idea")).click()
            portal = await opened.value
            watch_csp(portal, csp)
            await expect(portal.get_by_role("heading", level=1)).to_have_text(title)
            assert portal.url == f"{stack.console}/c/acme/ideas/{idea}#vote"
            await portal.get_by_role("button", name="Vote for this idea").click()
            await expect(portal.get_by_role("heading", level=1)).to_have_text(
                "Sign in to the community"
            )
            email = f"eve.{secrets.token_hex(3)}@fans.example"
            await portal.get_by_label("Email").fill(email)
            await portal.get_by_role("button", name="Email me a link").click()
            token = await stack.link(email, "/magic/")
            await portal.goto(f"{stack.console}/magic/{token}")
            await portal.get_by_role("button", name="Sign me in").click()
            await portal.get_by_role("button", name="Vote for this idea").click()
            await expect(portal.get_by_role("status")).to_contain_text("Your vote counts.")
            await portal.close()
            await visitor.reload()
            await expect(one.get_by_text("Votes: 1")).to_be_visible()  # the embed counts it

            for name, embed in (("board", "board"), ("idea", f"ideas/{idea}")):
                await visitor.goto(f"{stack.console}/c/acme/embed/{embed}")
                await camera.check(visitor, f"92-embed-{name}")
            await visitor.goto(f"{stack.console}/c/acme/embed/board?lang=fr")
            await expect(visitor.get_by_role("heading", level=1)).to_have_text(
                "Les idées de la communauté acme"
            )

            framing = await context.new_page()
            async with framing.expect_event("console", predicate=refusal) as refused:
                await framing.goto(site.url("/portal"))  # the portal's board, not an embed
            assert "frame-ancestors 'none'" in (await refused.value).text
            assert framing.frames[1].url == "chrome-error://chromewebdata/"  # not the portal
        finally:
            await context.close()
    assert csp == []
