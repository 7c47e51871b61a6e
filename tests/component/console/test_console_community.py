"""The Community screens with plain forms (no JavaScript) in front of the real identity and
feedback (real store and broker): the board and its status and merge forms, the moderation
queue, members and their merges, a field event's roster, change and check-in, suggestions from
social mentions. Every action is a POST that redirects with a notice; GET changes nothing;
feedback's refusals are 4xx pages; a viewer reads but cannot act; French reads French."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from faststream.kafka import KafkaBroker

from component.console.test_console_front_door import first_run
from component.feedback.test_feedback_suggestions_flow import triaged
from ensemble_console.web.i18n import Translator
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_shared.events import utcnow
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.topics import MENTIONS, Topics
from support.console import Browser, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings
from support.identity import ADMIN_EMAIL, PASSWORD, IdentityDriver, running_identity
from support.notify import serving
from support.notify_smtp import Mailbox
from support.waiting import eventually

BOARD = "/w/acme/community"


@dataclass
class Stage:
    console: ConsoleDriver
    identity: IdentityDriver
    feedback: Feedback

    async def api(self, method: str, path: str, **body: Any) -> Any:
        """Feedback as a community manager (the test issuer's token)."""
        answer = await self.feedback.client.request(
            method, path, json=body or None, headers=self.feedback.manager
        )
        assert answer.status_code < 300, answer.text
        return answer.json()

    async def submit(self, headers: dict[str, str], title: str, kind: str = "idea") -> str:
        answer = await self.feedback.client.post(
            "/submissions", json={"kind": kind, "title": title}, headers=headers
        )
        assert answer.status_code == 201, answer.text
        submission_id: str = answer.json()["submission"]["id"]
        return submission_id

    async def trusted(self, name: str) -> tuple[str, dict[str, str]]:
        """A member whose writes are published at once."""
        member_id, headers = await self.feedback.join(name)
        await self.api("PUT", f"/members/{member_id}/trust", level="trusted")
        return member_id, headers


@pytest.fixture
async def stage(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Stage]:
    """Feedback trusts the identity beside it (the tokens the console forwards) and the test
    issuer (members' tokens, the tests' own manager)."""
    with Mailbox() as mailbox:
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            jwks = f"{identity.url}/.well-known/jwks.json"
            settings = feedback_settings(
                infra, unique_name("feedback"), issuer, auth=issuer.settings(jwks_url=jwks)
            )
            async with (
                serving(create_feedback_app(settings)) as feedback_url,
                httpx.AsyncClient(base_url=feedback_url, timeout=30) as http,
                running_console(identity_url=identity.url, feedback_url=feedback_url) as console,
            ):
                yield Stage(console, identity, Feedback(http, settings, issuer))


def notice_of(page: str) -> str:
    found = re.search(r"<p class=\"notice\" role=\"status\">(.*?)</p>", page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


async def acted(browser: Browser, page: str, action: str, data: dict[str, str]) -> str:
    """Post the page's form; it answers 303 with a notice: the page it leads to."""
    done = await browser.submit(page, action, data)
    assert done.status_code == 303, done.text[:800]
    shown = await browser.get(done.headers["location"])
    assert shown.status_code == 200, shown.text[:500]
    return shown.text


async def test_a_held_idea_is_moderated_then_moved_on_the_roadmap_and_a_duplicate_merged(
    stage: Stage,
) -> None:
    ana, ana_headers = await stage.feedback.join("Ana Member")
    bo, bo_headers = await stage.feedback.join("Bo Spammer")
    dark = await stage.submit(ana_headers, "Dark mode for the app")
    await stage.submit(bo_headers, "Cheap watches here")
    async with stage.console.browser() as browser:
        await first_run(browser)
        home = await browser.get("/w/acme/")
        assert f'href="{BOARD}"' in home.text

        board = await browser.get(BOARD)
        assert board.status_code == 200
        assert "Dark mode for the app" not in board.text  # held: not on the board yet
        held = await browser.get(f"{BOARD}?held=true&status=&kind=")
        assert "Dark mode for the app" in held.text
        assert "Waits in moderation" in held.text

        queue = await browser.get(f"{BOARD}/moderation")
        assert "Ana Member" in queue.text
        assert "Cheap watches here" in queue.text
        waiting = await stage.api("GET", "/moderation/queue")
        assert len(waiting["items"]) == 2  # looking decided nothing
        items = {i["member_id"]: i["id"] for i in waiting["items"]}

        moderation = f"{BOARD}/moderation"
        approved = await acted(browser, moderation, f"{moderation}/items/{items[ana]}/approve", {})
        assert notice_of(approved) == "Approved: it is published."
        assert "Dark mode for the app" not in approved
        empty_reason = await browser.submit(
            moderation, f"{moderation}/items/{items[bo]}/reject", {"reason": ""}
        )
        assert empty_reason.status_code == 400
        blocked = await acted(
            browser, moderation, f"{moderation}/members/{bo}/block", {"reason": "spam"}
        )
        assert notice_of(blocked) == "The member is blocked; their held items are rejected."
        assert "Nothing waits for a decision." in blocked
        again = await browser.submit(moderation, f"{moderation}/items/{items[ana]}/approve", {})
        assert again.status_code == 409
        assert "already decided" in again.text
        refused = await stage.feedback.client.post(
            "/submissions", json={"kind": "idea", "title": "More watches"}, headers=bo_headers
        )
        assert refused.status_code == 403

        await stage.feedback.client.post(f"/submissions/{dark}/vote", headers=ana_headers)
        board = await browser.get(BOARD)
        assert "Dark mode for the app" in board.text
        assert "Votes: 1" in board.text

        moved = await acted(
            browser, BOARD, f"{BOARD}/submissions/{dark}/status", {"status": "under_review"}
        )
        assert notice_of(moved).startswith("The status is changed")
        assert (await stage.api("GET", f"/submissions/{dark}"))["status"] == "under_review"
        skipped = await browser.submit(
            BOARD, f"{BOARD}/submissions/{dark}/status", {"status": "done"}
        )
        assert skipped.status_code == 422
        assert "The roadmap does not allow this move" in skipped.text
        nameless = await browser.submit(
            BOARD, f"{BOARD}/submissions/{dark}/status", {"status": "declined", "reason": " "}
        )
        assert nameless.status_code == 422
        unknown = await browser.submit(
            BOARD, f"{BOARD}/submissions/{dark}/status", {"status": "shipped"}
        )
        assert unknown.status_code == 400
        assert (await stage.api("GET", f"/submissions/{dark}"))["status"] == "under_review"
        assert (await browser.get(f"{BOARD}?status=nope")).status_code == 400

        _cy, cy_headers = await stage.trusted("Cy Voter")
        twin = await stage.submit(cy_headers, "Please, a dark theme")
        await stage.feedback.client.post(f"/submissions/{twin}/vote", headers=cy_headers)
        merged = await acted(browser, BOARD, f"{BOARD}/submissions/{twin}/merge", {"target": dark})
        assert notice_of(merged).startswith("The duplicate is merged")
        assert "Merged into another submission." in merged
        assert (await stage.api("GET", f"/submissions/{dark}"))["votes"] == 2
        into_itself = await browser.submit(
            BOARD, f"{BOARD}/submissions/{dark}/merge", {"target": dark}
        )
        assert into_itself.status_code in (409, 422)
        assert "cannot be merged" in into_itself.text

        forged = await browser.http.post(
            f"{BOARD}/submissions/{dark}/status", data={"status": "open", "csrf_token": "x"}
        )
        assert forged.status_code == 403
        assert (await stage.api("GET", f"/submissions/{dark}"))["status"] == "under_review"


async def test_members_show_handles_and_engagement_and_a_suggested_merge_is_confirmed_then_undone(
    stage: Stage,
) -> None:
    ana, ana_headers = await stage.trusted("Ana Mastodon")
    other, _ = await stage.feedback.join("Ana Bluesky")
    await stage.api(
        "POST", f"/members/{ana}/identities", platform="mastodon", handle="ana@m.social"
    )
    await stage.api(
        "POST", f"/members/{other}/identities", platform="bluesky", handle="ana.bsky.social"
    )
    await stage.submit(ana_headers, "Bring back the forum")
    members = f"{BOARD}/members"
    async with stage.console.browser() as browser:
        await first_run(browser)
        listed = await browser.get(members)
        assert listed.status_code == 200
        assert "Maybe the same person" in listed.text
        assert "Mastodon: ana@m.social" in listed.text
        assert "Bluesky: ana.bsky.social" in listed.text
        assert await stage.api("GET", "/members/merges") == []

        profile = await browser.get(f"{members}/{ana}")
        timeline = await stage.api("GET", f"/members/{ana}/activity")
        assert timeline["engagement"] > 0
        shown = re.search(r"<p class=\"score\" data-engagement>(.*?)</p>", profile.text)
        assert shown
        assert shown.group(1) == Translator("en").number(timeline["engagement"], 1)
        assert "Submissions" in profile.text
        assert "ana@m.social" in profile.text

        merged = await acted(
            browser, members, f"{members}/merges", {"survivor": ana, "merged": other}
        )
        assert notice_of(merged) == "The two members are merged into one."
        assert "Maybe the same person" not in merged
        [merge] = await stage.api("GET", "/members/merges")
        assert (merge["survivor_member_id"], merge["merged_member_id"]) == (ana, other)
        survivor = await browser.get(f"{members}/{other}")  # a merged id shows its survivor
        assert "Ana Mastodon" in survivor.text
        assert "ana.bsky.social" in survivor.text

        undone = await acted(browser, members, f"{members}/merges/{merge['merge_id']}/undo", {})
        assert notice_of(undone) == "The merge is undone."
        [merge] = await stage.api("GET", "/members/merges")
        assert merge["undone_at"] is not None
        itself = await browser.submit(
            members, f"{members}/merges", {"survivor": ana, "merged": ana}
        )
        assert itself.status_code == 409
        assert "cannot be merged" in itself.text
        bad = await browser.submit(
            members, f"{members}/merges", {"survivor": "../x", "merged": ana}
        )
        assert bad.status_code == 400

        page = f"{members}/{other}"
        linked = await acted(
            browser, page, f"{page}/handles", {"platform": "github", "handle": "ana-gh"}
        )
        assert notice_of(linked) == "The handle is linked to the member."
        assert "ana-gh" in linked
        taken = await browser.submit(
            page, f"{page}/handles", {"platform": "mastodon", "handle": "ana@m.social"}
        )
        assert taken.status_code == 409
        assert "belongs to another member" in taken.text
        unlinked = await acted(browser, page, f"{page}/handles/github/unlink", {})
        assert notice_of(unlinked) == "The handle is unlinked."
        handles = (await stage.api("GET", f"/members/{other}"))["identities"]
        assert [h["platform"] for h in handles] == ["bluesky"]
        trusted = await acted(browser, page, f"{page}/trust", {"level": "trusted"})
        assert notice_of(trusted) == "The member's trust level is set."
        assert (await stage.api("GET", f"/members/{other}"))["trust"] == "trusted"


async def test_a_field_events_roster_change_and_check_in_at_the_door(stage: Stage) -> None:
    ana, ana_headers = await stage.feedback.join("Ana Early")
    bo, bo_headers = await stage.feedback.join("Bo Late")
    events = f"{BOARD}/events"
    day = (utcnow() + timedelta(days=2)).date().isoformat()
    form = {
        "title": "Tasting in Lyon",
        "place_name": "La Halle",
        "address": "1 rue de la Halle, Lyon",
        "starts": f"{day}T18:30",
        "ends": f"{day}T20:30",
        "timezone": "Europe/Paris",
        "capacity": "1",
    }
    async with stage.console.browser() as browser:
        await first_run(browser)
        for bad in ({"timezone": "Mars/Olympus"}, {"ends": f"{day}T17:00"}, {"starts": "soon"}):
            refused = await browser.submit(events, events, {**form, **bad})
            assert refused.status_code == 422, bad
            assert "This event cannot be planned" in refused.text
        planned = await browser.submit(events, events, form)
        assert planned.status_code == 303, planned.text[:500]
        [event] = (await stage.api("GET", "/field-events"))["items"]
        paris = datetime.fromisoformat(f"{day}T18:30").replace(tzinfo=ZoneInfo("Europe/Paris"))
        assert datetime.fromisoformat(event["starts_at"]) == paris
        assert event["timezone"] == "Europe/Paris"
        for headers in (ana_headers, bo_headers):
            answer = await stage.feedback.client.post(
                f"/field-events/{event['id']}/rsvp", headers=headers
            )
            assert answer.status_code == 200, answer.text
        mine = await stage.feedback.client.get(
            f"/field-events/{event['id']}/my-rsvp", headers=ana_headers
        )
        code = mine.json()["check_in_code"]
        page = f"{BOARD}/events/{event['id']}"
        door = f"{page}/check-in"
        listed = await browser.get(f"{BOARD}/events")
        assert "Tasting in Lyon" in listed.text
        assert "1 of 1" in listed.text
        shown = await browser.get(page)
        seats, waitlist = shown.text.split('id="waitlist-title"')
        assert "Ana Early" in seats
        assert "not yet" in seats
        assert "Bo Late" in waitlist

        wrong = await browser.submit(door, door, {"code": "ZZZZZZZZZZ"})
        assert wrong.status_code == 404
        assert "We do not know this code" in wrong.text
        short = await browser.submit(door, door, {"code": "ab"})
        assert short.status_code == 422
        spoken = f"{code[:5].lower()} {code[5:].lower()}"  # as read out at the door
        admitted = await acted(browser, door, door, {"code": spoken})
        assert notice_of(admitted) == "Checked in."
        assert "Ana Early is checked in." in admitted
        twice = await browser.submit(door, door, {"code": code})
        assert twice.status_code == 409
        assert "already used" in twice.text
        after = await browser.get(page)
        assert ">yes<" in after.text.split('id="waitlist-title"')[0]
        [entry, _] = (await stage.api("GET", f"/field-events/{event['id']}/rsvps"))["items"]
        assert (entry["member_id"], entry["checked_in"]) == (ana, True)
        assert bo not in after.text.split('id="waitlist-title"')[0]

        # The change form shows the event as it is, times in its own zone; more seats move
        # the waitlist up; an end before the start is feedback's refusal, shown.
        assert f'value="{day}T18:30"' in after.text
        assert 'value="Tasting in Lyon"' in after.text
        changed_form = {**form, "title": "Tasting in Lyon, two tables", "capacity": "2"}
        wrong_end = await browser.submit(page, f"{page}/change", {**form, "ends": f"{day}T17:00"})
        assert wrong_end.status_code == 422
        assert "This event cannot be changed" in wrong_end.text
        changed = await acted(browser, page, f"{page}/change", changed_form)
        assert notice_of(changed) == "The event is changed."
        assert "Tasting in Lyon, two tables" in changed
        event_now = await stage.api("GET", f"/field-events/{event['id']}")
        assert (event_now["capacity"], event_now["starts_at"]) == (2, event["starts_at"])
        roster = (await stage.api("GET", f"/field-events/{event['id']}/rsvps"))["items"]
        assert [(e["member_id"], e["status"]) for e in roster] == [
            (ana, "confirmed"),
            (bo, "confirmed"),
        ]

        cancelled = await acted(browser, page, f"{page}/cancel", {})
        assert notice_of(cancelled) == "The event is cancelled, with every seat."
        assert (await stage.api("GET", f"/field-events/{event['id']}"))["status"] == "cancelled"
        assert "Open the check-in screen" not in cancelled


@pytest.fixture
async def ingest_stand_in(stage: Stage) -> AsyncIterator[EventPublisher]:
    """Publishes on feedback's mentions topic, as ingest would."""
    settings = stage.feedback.settings.kafka
    broker: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=settings.bootstrap_servers), client_id="ingest-stand-in"
    )
    publisher = EventPublisher(broker, Topics(settings.topic_prefix), [MENTIONS])
    async with broker:
        await broker.start()
        yield publisher


async def test_suggestions_from_social_mentions_are_confirmed_or_dismissed(
    stage: Stage, ingest_stand_in: EventPublisher
) -> None:
    await ingest_stand_in.publish(
        [
            triaged("m-1", "Please add a recipe section to the app", "zoe@social.example"),
            triaged("m-2", "Your delivery was late again", "yan@social.example", kind="feedback"),
        ]
    )
    page = f"{BOARD}/suggestions"
    async with stage.console.browser() as browser:
        await first_run(browser)

        async def pending() -> str:
            return (await browser.get(page)).text

        shown = await eventually(
            pending,
            lambda html: "recipe section" in html and "delivery was late" in html,
            timeout=120,
            what="both suggestions on the page",
        )
        assert "zoe@social.example" in shown
        listed = (await stage.api("GET", "/suggestions"))["items"]
        ids = {s["mention_id"]: s["id"] for s in listed}
        assert {s["status"] for s in listed} == {"pending"}

        confirmed = await acted(
            browser, page, f"{page}/{ids['m-1']}/confirm", {"title": "A recipe section"}
        )
        assert notice_of(confirmed) == "The suggestion is on the board."
        dismissed = await acted(browser, page, f"{page}/{ids['m-2']}/dismiss", {"reason": "ops"})
        assert notice_of(dismissed) == "The suggestion is dismissed."
        assert "No suggestion here." in dismissed
        board = await browser.get(BOARD)
        assert "A recipe section" in board.text
        assert "delivery was late" in (await browser.get(f"{page}?status=dismissed")).text
        twice = await browser.submit(f"{page}?status=dismissed", f"{page}/{ids['m-2']}/confirm", {})
        assert twice.status_code == 409


async def test_a_viewer_reads_the_board_but_its_actions_are_refused_and_french_reads_french(
    stage: Stage,
) -> None:
    _, headers = await stage.trusted("Ana Member")
    idea = await stage.submit(headers, "Dark mode for the app")
    async with stage.console.browser("fr-FR,fr;q=0.9") as admin:
        await first_run(admin)
        board = await admin.get(BOARD)
        assert "Tableau de la communauté" in board.text
        assert "Ouverte" in board.text
        assert "Idée" in board.text
    signed_in = await stage.identity.sign_in(ADMIN_EMAIL)
    session = signed_in.json()["session_token"]
    await stage.identity.join(session, "vic@acme.example", ["viewer"], name="Vic Viewer")
    async with stage.console.browser() as viewer:
        opened = await viewer.submit(
            "/sign-in", "/sign-in", {"email": "vic@acme.example", "password": PASSWORD}
        )
        assert opened.status_code == 303, opened.text[:500]
        board = await viewer.get(BOARD)
        assert board.status_code == 200
        assert "Dark mode for the app" in board.text
        refused = await viewer.submit(
            BOARD, f"{BOARD}/submissions/{idea}/status", {"status": "under_review"}
        )
        assert refused.status_code == 403
        assert "Non autorisé" in refused.text  # Vic's account speaks the workspace's French
    assert (await stage.api("GET", f"/submissions/{idea}"))["status"] == "open"
