"""The inbox pages without JavaScript, in front of the real identity, ingest and scheduler
(real sockets, store and broker): signed mentions come in through ingest's webhook, a manager
filters them, assigns, notes and closes them with plain forms, sees a negative spike's banner,
and drafts a reply that goes to scheduler's approval."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from html import unescape as html_unescape
from typing import Any

import httpx
import pytest

from component.console.test_console_front_door import first_run
from component.scheduler.test_scheduler_crisis_hold import spike
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app as create_ingest_app
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.auth import Role
from ensemble_shared.events import Event
from ensemble_shared.topics import Topics, ensure_topics
from support.apps import bearer, settings_for
from support.console import CONSOLE_URL, Browser, ConsoleDriver, running_console
from support.identity import running_identity
from support.insights_app import publish_all, publisher_for
from support.mentions import mention_body, signed
from support.notify import serving
from support.notify_smtp import Mailbox
from support.waiting import eventually

REPLIES_POLICY = {
    "when": {"kinds": ["reply"]},
    "steps": [{"name": "communication", "teams": ["communication"]}],
}


@dataclass
class Desk:
    console: ConsoleDriver
    ingest: httpx.AsyncClient
    scheduler: httpx.AsyncClient
    admin: dict[str, str]
    source: dict[str, str]
    publish: Callable[[list[Event]], Awaitable[None]]

    async def mention(self, external_id: str, text: str) -> str:
        body = mention_body(external_id, text=text)
        sent = await self.ingest.post(
            self.source["webhook_path"], content=body, headers=signed(self.source["secret"], body)
        )
        assert sent.status_code == 202, sent.text
        mention_id: str = sent.json()["mentions"][0]["mention_id"]
        return mention_id


@pytest.fixture
async def desk(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Desk]:
    """Ingest and scheduler on the same topics (scheduler learns the mentions replies go
    to), each with its own database, both trusting the identity beside them."""
    prefix = unique_name("inbox")
    await ensure_topics(infra.kafka_bootstrap, Topics(f"{prefix}."))
    with Mailbox() as mailbox:
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            auth = issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json")
            common: dict[str, Any] = {**settings_for(infra, prefix, issuer), "auth": auth}
            ingest_settings = IngestSettings(**{**common, "database": f"{prefix}_ingest"})
            scheduler_settings = SchedulerSettings(
                **{**common, "database": f"{prefix}_scheduler"}, console_url=CONSOLE_URL
            )
            async with (
                serving(create_ingest_app(ingest_settings)) as ingest_url,
                serving(create_scheduler_app(scheduler_settings)) as scheduler_url,
                httpx.AsyncClient(base_url=ingest_url, timeout=30) as ingest,
                httpx.AsyncClient(base_url=scheduler_url, timeout=30) as scheduler,
                running_console(
                    identity_url=identity.url, ingest_url=ingest_url, scheduler_url=scheduler_url
                ) as console,
                publisher_for(infra, f"{prefix}.") as publisher,
            ):

                async def publish(events: list[Event]) -> None:
                    await publish_all(publisher, events)

                admin = bearer(issuer, "acme", Role.ADMIN)
                created = await ingest.post("/sources", json={"name": "forum"}, headers=admin)
                assert created.status_code == 201, created.text
                yield Desk(console, ingest, scheduler, admin, created.json(), publish)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="m-[^"]+" data-mention="([^"]+)"', html)


def notice(html: str) -> str:
    found = re.search(r'<p class="notice" role="status">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


async def followed(browser: Browser, answer: httpx.Response) -> str:
    """The page a form's 303 leads to."""
    assert answer.status_code == 303, answer.text[:500]
    page = await browser.get(answer.headers["location"])
    assert page.status_code == 200, page.text[:500]
    return page.text


async def test_a_manager_filters_assigns_notes_and_closes_mentions_with_plain_forms(
    desk: Desk,
) -> None:
    loved = await desk.mention("1", "I love the new app, it is great")
    broken = await desk.mention("2", "This is terrible, the login is broken and I hate it")
    third = await desk.mention("3", "Where can I find the delivery times?")
    async with desk.console.browser() as browser:
        await first_run(browser)
        assert 'href="/w/acme/inbox"' in (await browser.get("/w/acme/")).text
        inbox = await browser.get("/w/acme/inbox")
        assert inbox.status_code == 200, inbox.text[:500]
        assert rows(inbox.text) == [third, broken, loved]  # newest first
        assert 'class="age"' in inbox.text  # open mentions show how long they have waited
        assert 'data-live="/w/acme/inbox/live?since=' in inbox.text

        negative = await browser.get("/w/acme/inbox?sentiment=negative")
        assert rows(negative.text) == [broken]
        worded = await browser.get("/w/acme/inbox?text=delivery&status=new&platform=forum")
        assert rows(worded.text) == [third]
        assert (await browser.get("/w/acme/inbox?sentiment=angry")).status_code == 400
        assert (
            await browser.get("/w/acme/inbox?start=2026-12-31&end=2026-01-01")
        ).status_code == 400
        assert (await browser.get("/w/acme/inbox?cursor=made-up")).status_code == 400

        bulk = await browser.submit(
            "/w/acme/inbox",
            "/w/acme/inbox/bulk",
            {"action": "me", "ids": [loved, broken], "back": "/w/acme/inbox?status=new"},
        )
        assert bulk.headers["location"].startswith("/w/acme/inbox?status=new&notice=")
        html = await followed(browser, bulk)
        assert notice(html) == "The selected mentions are assigned."
        assert rows(html) == [third]  # the two assigned ones left the "new" view
        mine = await browser.get("/w/acme/inbox?assignee=me")
        assert rows(mine.text) == [broken, loved]
        assert "Ana Admin" in mine.text  # identity names the assignee
        nothing = await browser.submit("/w/acme/inbox", "/w/acme/inbox/bulk", {"action": "close"})
        assert notice(await followed(browser, nothing)) == "Select at least one mention."
        sneaky = {"action": "close", "ids": ["../../sources"]}  # an id is never a path
        assert (
            await browser.submit("/w/acme/inbox", "/w/acme/inbox/bulk", sneaky)
        ).status_code == 400

        page = f"/w/acme/inbox/{broken}"
        shown = await browser.get(page)
        assert "This is terrible, the login is broken" in shown.text
        assert "Camille" in shown.text
        assert "Assigned" in shown.text
        noted = await browser.submit(page, f"{page}/notes", {"text": "Legal must see this one"})
        html = await followed(browser, noted)
        assert notice(html) == "Your note is added."
        assert "Legal must see this one" in html
        assert "Note added" in html  # the timeline shows it too
        assert "display_name" not in html  # a platform author is not shown as an actor
        team = await browser.submit(page, f"{page}/assign", {"assignee": "", "team": "legal"})
        assert "(legal)" in await followed(browser, team)
        nobody = await browser.submit(page, f"{page}/assign", {"assignee": "", "team": ""})
        assert notice(await followed(browser, nobody)) == "Choose a person or a team."
        closed = await browser.submit(page, f"{page}/status", {"status": "closed"})
        html = await followed(browser, closed)
        assert notice(html) == "The mention is closed."
        assert '<dd id="mention-status">Closed</dd>' in html
        assert "Reopen" in html
        wrong = await browser.submit(page, f"{page}/status", {"status": "lost"})
        assert wrong.status_code == 400
        assert (await browser.get("/w/acme/inbox/no-such-mention")).status_code == 404

        everything = await browser.get("/w/acme/inbox?status=closed")
        assert rows(everything.text) == [broken]


async def test_a_reply_is_drafted_into_approval_and_the_inbox_speaks_french(desk: Desk) -> None:
    put = await desk.scheduler.put(
        "/approval-policies/replies", json=REPLIES_POLICY, headers=desk.admin
    )
    assert put.status_code == 200, put.text
    mention = await desk.mention("9", "Bonjour, ma commande n'est jamais arrivée")
    await desk.publish([spike("acme", negative=True)])  # as ingest announces a negative spike

    async def crises() -> list[Any]:
        answer = await desk.scheduler.get("/crises", headers=desk.admin)
        assert answer.status_code == 200, answer.text
        found: list[Any] = answer.json()
        return found

    await eventually(crises, bool, timeout=90, what="the crisis in scheduler")

    async def targets() -> list[Any]:  # scheduler learns the mention and its triage from Kafka
        answer = await desk.scheduler.get("/reply-targets", headers=desk.admin)
        found: list[Any] = answer.json()
        return found

    await eventually(
        targets,
        lambda found: any(t["mention_id"] == mention and t["triage"] for t in found),
        timeout=90,
        what="the mention and its triage in scheduler",
    )
    async with desk.console.browser("fr-FR,fr;q=0.9") as browser:
        await first_run(browser)
        inbox = await browser.get("/w/acme/inbox")
        assert "<h1>Boîte de réception</h1>" in inbox.text
        assert "Pic négatif : 120 mentions depuis" in inbox.text
        assert "Les publications programmées sont retenues" in inbox.text
        assert "Me l’attribuer" in inbox.text
        assert "Nouvelle" in inbox.text
        page = f"/w/acme/inbox/{mention}"
        drafted = await browser.submit(page, f"{page}/reply", {"body": "Nous regardons cela."})
        assert drafted.status_code == 303, drafted.text[:500]
        assert drafted.headers["location"].startswith(f"{page}?reply=")
        html = await followed(browser, drafted)
        assert notice(html) == "Votre réponse est rédigée et attend son approbation."
        assert "Nous regardons cela." in html
        assert "En relecture" in html  # the content's status, from scheduler
        assert "communication: En attente de décisions" in html
        content_id = drafted.headers["location"].split("reply=")[1].split("&")[0]
        item = await desk.scheduler.get(f"/content/{content_id}", headers=desk.admin)
        assert item.json()["kind"] == "reply"
        assert item.json()["fields"]["reply_to"]["mention_id"] == mention
        assert item.json()["fields"]["channel"] == "forum"

        empty = await browser.submit(page, f"{page}/reply", {"body": "   "})
        assert notice(await followed(browser, empty)) == "Écrivez d’abord la réponse."

        for batch in range(5):  # 51 mentions in all: a full page of 50 and one more
            await asyncio.gather(
                *(desk.mention(f"p{batch}-{n}", f"Message {batch}-{n}") for n in range(10))
            )
        first = await browser.get("/w/acme/inbox")
        assert len(rows(first.text)) == 50
        following = re.search(r'<a href="([^"]+)" rel="next">Page suivante</a>', first.text)
        assert following, "no next page link"
        second = await browser.get("/w/acme/inbox" + html_unescape(following.group(1)))
        assert rows(second.text) == [mention]  # the oldest, alone on the second page
        assert 'rel="next"' not in second.text


def form_action(html: str, kind: str) -> str:
    found = re.search(rf'<form method="post" action="([^"]+)" class="{kind}">', html)
    assert found, f"no {kind} form"
    return html_unescape(found.group(1))


async def test_a_saved_view_opens_its_filters_and_the_longest_waiting_pages_first(
    desk: Desk,
) -> None:
    first = await desk.mention("o-first", "Terrible delay, I am furious about my order")
    for batch in range(5):  # 51 in all: a full page of 50 and one more
        await asyncio.gather(
            *(desk.mention(f"o{batch}-{n}", f"Message {batch}-{n}") for n in range(9 + (batch > 0)))
        )
    last = await desk.mention("o-last", "Still nothing, this is terrible and I hate it")
    async with desk.console.browser() as browser:
        await first_run(browser)
        oldest = await browser.get("/w/acme/inbox?sort=oldest")
        assert oldest.status_code == 200, oldest.text[:500]
        shown = rows(oldest.text)
        assert (len(shown), shown[0]) == (50, first)
        assert last not in shown
        assert 'data-live=""' in oldest.text  # arrivals belong on the last page, not on top
        assert "Mentions, longest waiting first" in oldest.text
        following = re.search(r'<a href="([^"]+)" rel="next">', oldest.text)
        assert following, "no next page link"
        next_page = html_unescape(following.group(1))
        assert "sort=oldest" in next_page
        second = await browser.get("/w/acme/inbox" + next_page)
        assert rows(second.text) == [last]
        newest = await browser.get("/w/acme/inbox")
        older = re.search(r'<a href="([^"]+)" rel="next">', newest.text)
        assert older, "no next page link"
        rest = await browser.get("/w/acme/inbox" + html_unescape(older.group(1)))
        assert [*shown, last] == [*reversed(rows(newest.text) + rows(rest.text))]
        newest_cursor = next_page.replace("sort=oldest&", "").replace("&sort=oldest", "")
        assert (await browser.get("/w/acme/inbox" + newest_cursor)).status_code == 400

        page = "/w/acme/inbox?sentiment=negative&sort=oldest"
        listed = await browser.get(page)
        assert rows(listed.text) == [first, last]
        action = form_action(listed.text, "save-view")
        assert action == "/w/acme/inbox/views?sentiment=negative&sort=oldest"
        saved = await browser.submit(page, action, {"name": "Angry, waiting longest"})
        assert saved.headers["location"].startswith(f"{page}&notice=")
        html = await followed(browser, saved)
        assert notice(html).startswith("The view is saved")
        taken = await browser.submit(page, action, {"name": "Angry, waiting longest"})
        assert "already have a view" in notice(await followed(browser, taken))

        home = await browser.get("/w/acme/inbox")
        link = re.search(r'<a href="([^"]+)">Angry, waiting longest</a>', home.text)
        assert link, "the view is not among the person's links"
        assert html_unescape(link.group(1)) == page
        opened = await browser.get(html_unescape(link.group(1)))
        assert rows(opened.text) == [first, last]  # its filters and its order

        delete = re.search(r'action="(/w/acme/inbox/views/[^"]+/delete)"', home.text)
        assert delete, "no delete form"
        gone = await browser.submit("/w/acme/inbox", delete.group(1), {})
        html = await followed(browser, gone)
        assert notice(html) == "The view is deleted."
        assert "Angry, waiting longest" not in html
        views = await desk.ingest.get("/views", headers=desk.admin)
        assert views.json() == []  # the admin's token is another person's: never theirs
