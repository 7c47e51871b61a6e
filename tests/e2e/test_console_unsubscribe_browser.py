"""The unsubscribe pages in a real browser (Debian's Chromium, Playwright): notify emails
Camille through a real SMTP server, she opens the link in the email's text, reads what it
stops, presses the button; a forged link gets its page; the preferences link in the same
email turns Teams off; a community member's link (feedback) reads in French. Notify,
feedback and the console serve on real sockets, on real Kafka and store. Every page passes
axe-core (0 serious or critical) and is photographed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.async_api import Browser, expect

from ensemble_console.config import ConsoleSettings
from ensemble_console.main import create_app as create_console_app
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.processes import free_port
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_shared.events import MemberData
from ensemble_shared.topics import MEMBERS
from support.browser import Camera, new_context, watch_csp
from support.console import SECRET
from support.feedback import Feedback, feedback_settings
from support.identity import text_of
from support.notify import NotifyDriver, running_notify, serving
from support.notify_events import an_assignment
from support.notify_smtp import Mailbox
from support.waiting import eventually


@dataclass
class Pages:
    console: str
    notify: NotifyDriver
    feedback: Feedback
    mailbox: Mailbox


@pytest.fixture
async def pages(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Pages]:
    port = free_port()
    console = f"http://127.0.0.1:{port}"
    settings = feedback_settings(infra, unique_name("feedback"), issuer)
    with Mailbox() as mailbox:
        async with (
            running_notify(
                infra,
                unique_name("notify"),
                issuer,
                smtp_host="127.0.0.1",
                smtp_port=mailbox.port,
                console_url=console,
            ) as notify,
            serving(create_feedback_app(settings)) as feedback_url,
            httpx.AsyncClient(base_url=feedback_url, timeout=30) as feedback_http,
        ):
            console_settings = ConsoleSettings(
                secret=SECRET,
                public_url=console,
                notify_url=notify.url,
                feedback_url=feedback_url,
            )
            async with serving(create_console_app(console_settings), port):
                yield Pages(console, notify, Feedback(feedback_http, settings, issuer), mailbox)


async def test_camille_unsubscribes_from_the_link_in_her_email(
    pages: Pages, browser: Browser, camera: Camera
) -> None:
    await pages.notify.put_person(
        "camille", name="Camille", email="camille@acme.example", time_zone="Europe/Paris"
    )
    await pages.notify.publish(an_assignment("camille"))
    pattern = re.compile(re.escape(f"{pages.console}/hooks/unsubscribe/") + r"([\w.-]+)")

    async def links() -> list[str]:
        return [
            m.group(0) for _, msg in pages.mailbox.messages if (m := pattern.search(text_of(msg)))
        ]

    [link] = await eventually(links, bool, what="the unsubscribe link in Camille's email")
    csp: list[str] = []
    page = await (await new_context(browser)).new_page()
    watch_csp(page, csp)
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    await expect(page.get_by_text("mentions assigned to you")).to_be_visible()
    await camera.check(page, "30-unsubscribe")
    mine = await pages.notify.http.get("/me/preferences", headers=pages.notify.person("camille"))
    assert mine.json()["rules"] == []  # opening the page changed nothing
    await page.get_by_role("button", name="Stop these emails").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    await camera.check(page, "31-unsubscribed")
    mine = await pages.notify.http.get("/me/preferences", headers=pages.notify.person("camille"))
    assert [r["enabled"] for r in mine.json()["rules"]] == [False]

    await page.goto(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    await camera.check(page, "32-unsubscribe-invalid")

    pattern = re.compile(re.escape(f"{pages.console}/hooks/preferences/") + r"[\w.-]+")
    [mail] = pages.mailbox.messages
    found = pattern.search(text_of(mail[1]))
    assert found, "no preferences link in the email"
    await page.goto(found.group(0))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your notifications")
    await camera.check(page, "35-preferences")
    await page.get_by_label("Microsoft Teams").uncheck()
    await page.get_by_role("button", name="Save my choices").click()
    await expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    await expect(page.get_by_label("Microsoft Teams")).not_to_be_checked()
    await expect(page.get_by_label("Email")).to_be_checked()

    member_id, _ = await pages.feedback.join("Ana", consents=["status_changes"], language="fr")
    events = await pages.feedback.events(MEMBERS)
    data = next(e.data for e in events if e.subject == member_id)
    assert isinstance(data, MemberData)
    token = parse_qs(urlsplit(data.unsubscribe_paths["status_changes"]).query)["token"][0]
    ana = await (await new_context(browser, locale="fr-FR")).new_page()
    watch_csp(ana, csp)
    await ana.goto(f"{pages.console}/hooks/unsubscribe/members/{token}")
    await expect(ana.get_by_role("heading", level=1)).to_have_text("Se désabonner")
    await camera.check(ana, "33-unsubscribe-member-fr")
    await ana.get_by_role("button", name="Ne plus recevoir ces e-mails").click()
    await expect(ana.get_by_role("status")).to_contain_text("changements de statut de vos idées")
    await camera.check(ana, "34-unsubscribed-member-fr")
    assert csp == []
