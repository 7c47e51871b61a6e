"""Answering a Facebook comment where it was written, end to end on real processes (identity,
ingest, scheduler, notify, the console; real Kafka and store) and a fake of Meta's Graph API:
the comment arrives by Meta's signed webhook, the manager drafts a reply from the inbox in
Chromium, the agency approves it from its decision page, scheduler posts it under that comment
exactly once, and the mention's page links to it."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Browser, Page, expect

from ensemble_shared.auth import Role
from support import scheduler_meta as meta
from support.browser import Camera, new_context, watch_csp
from support.console_stack import ConsoleStack
from support.waiting import eventually
from unit.ingest.connectors.test_meta_connector import signature

APP_SECRET = "fb-app-secret-for-the-story"
AGENCY = {"id": "agency", "name": "The agency", "email": "ok@agency.test"}
REPLIES = {
    "when": {"kinds": ["reply"]},
    "steps": [{"name": "communication", "teams": ["communication"], "external": [AGENCY]}],
}


def feed_comment(comment: dict[str, object]) -> bytes:
    """Meta's `feed` change for a visitor's comment under the Page's post, as Meta sends it."""
    now = int(time.time())
    value = {
        "from": {"id": comment["author"], "name": "Camille Dupont"},
        "item": "comment",
        "verb": "add",
        "post_id": comment["parent"],
        "comment_id": comment["id"],
        "parent_id": comment["parent"],
        "created_time": now,
        "message": comment["message"],
    }
    change = {"field": "feed", "value": value}
    return json.dumps(
        {"object": "page", "entry": [{"id": meta.PAGE_ID, "time": now, "changes": [change]}]}
    ).encode()


async def meta_source(s: ConsoleStack) -> str:
    config = {
        "platform": "meta",
        "app_secret": APP_SECRET,
        "verify_token": "story",
        "page_id": meta.PAGE_ID,
    }
    admin = s.staff("olga", Role.ADMIN)
    async with httpx.AsyncClient(base_url=s.url("ingest"), timeout=30) as ingest:
        created = await ingest.post(
            "/sources", json={"name": "facebook", "config": config}, headers=admin
        )
    assert created.status_code == 201, created.text
    path: str = created.json()["webhook_path"]
    return path


async def test_a_facebook_comment_is_answered_under_it_once_after_the_agency_approves(
    console_stack: ConsoleStack, browser: Browser, admin_page: Page, camera: Camera
) -> None:
    s, page = console_stack, admin_page
    csp: list[str] = []
    watch_csp(page, csp)
    admin = s.staff("olga", Role.ADMIN)
    await s.scheduler("PUT", "/approval-policies/replies", admin, **REPLIES)
    with meta.FakeGraph() as fake:
        await s.scheduler(
            "PUT",
            "/publishing/channels/facebook",
            admin,
            connector="facebook",
            base_url=fake.base_url,
            access_token=meta.TOKEN,
            target=meta.PAGE_ID,
        )
        asked = fake.visitor_comment("Vous livrez en Belgique ? Je ne trouve pas l'info")
        path = await meta_source(s)
        body = feed_comment(asked)
        async with httpx.AsyncClient(base_url=s.url("ingest"), timeout=30) as ingest:
            sent = await ingest.post(path, content=body, headers=signature(body, APP_SECRET))
        assert sent.status_code == 202, sent.text

        # The manager answers from the inbox, in the browser.
        await page.goto(s.console + "/w/acme/inbox")
        row = page.locator("#inbox-rows tr", has_text="Vous livrez en Belgique")
        await expect(row).to_be_visible(timeout=60_000)
        await row.get_by_role(
            "link", name="Vous livrez en Belgique ? Je ne trouve pas l'info"
        ).click()
        await page.get_by_label("Your reply (it goes to approval before it is published)").fill(
            "Oui, partout en Belgique, en 48 h !"
        )
        await page.get_by_role("button", name="Draft the reply").click()
        await expect(page.locator(".notice")).to_have_text(
            "Your reply is drafted and waits for approval."
        )
        mention_page = page.url.split("?")[0]
        (reply_id,) = parse_qs(urlsplit(page.url).query)["reply"]

        # The agency decides from the link its step sent, in a browser of its own.
        async def agency_links() -> list[str]:
            return [
                link.url
                for e in await s.approval_events()
                if e.type == "approval.step_opened.v1" and e.subject == reply_id
                for link in e.data.links  # type: ignore[attr-defined]
            ]

        (link,) = await eventually(agency_links, bool, what="the agency's decision link")
        agency = await (await new_context(browser)).new_page()
        await agency.goto(link + "?decision=approve")
        await expect(agency.get_by_role("heading", level=1)).to_contain_text("communication")
        await agency.get_by_role("button", name="Send my decision").click()
        await expect(agency.get_by_role("status")).to_have_text("You approved it.")

        # Approved, the reply goes out at once (a reply waits for no slot), under the comment.
        async def replies() -> list[dict[str, object]]:
            return [c for c in fake.brand_writes("fb") if c["parent"] == asked["id"]]

        (reply,) = await eventually(replies, bool, timeout=90, what="the reply under the comment")
        assert reply["message"] == "Oui, partout en Belgique, en 48 h !"
        assert len(fake.writes(f"/{meta.VERSION}/{asked['id']}/comments")) == 1

        # The mention's page shows the reply published, with a link to it on Facebook.
        await page.goto(mention_page)
        published = page.locator("#replies li", has_text="Oui, partout en Belgique")
        await expect(published).to_contain_text("Published on the platform")
        link_out = published.get_by_role("link", name="See it where it was published")
        comment_link = f"https://www.facebook.com/{asked['id']}?comment_id={reply['id']}"
        await expect(link_out).to_have_attribute("href", comment_link)
        await camera.check(page, "24-inbox-reply-published")
    assert csp == []
