"""What admins configure in scheduler, through the console's plain forms (no JavaScript), in
front of the real identity and scheduler (real store, real broker), one stack for the file:
approval policies, channels (weekly slots and where they publish; the token is never shown
again), answer templates, and a crisis decided in place. Each write is read back from
scheduler's API; each screen shows a 422 next to the field at fault, in English and French."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from component.console.test_console_front_door import first_run
from component.scheduler.test_scheduler_crisis_hold import spike
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.events import utcnow
from ensemble_shared.topics import Topics, ensure_topics
from support.apps import settings_for
from support.console import CONSOLE_URL, Browser, ConsoleDriver, running_console
from support.identity import PASSWORD, IdentityDriver, running_identity
from support.notify import serving
from support.notify_smtp import Mailbox
from support.scheduler import Scheduler
from support.scheduler_publishing import produce
from support.waiting import eventually


@dataclass
class Office:
    console: ConsoleDriver
    identity: IdentityDriver
    scheduler: Scheduler
    ana: Browser  # the workspace's first admin, in English
    chloe: Browser  # another admin, in French


@pytest.fixture(scope="module")
async def office(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Office]:
    """Identity, scheduler (on its own topics: crises come from Kafka) and the console, once
    for the file; the workspace `acme` with two admins signed in."""
    prefix = f"t{secrets.token_hex(4)}_admin"
    await ensure_topics(infra.kafka_bootstrap, Topics(f"{prefix}."))
    with Mailbox() as mailbox:
        async with running_identity(infra, f"{prefix}_identity", issuer, mailbox) as identity:
            settings = SchedulerSettings(
                **{
                    **settings_for(infra, prefix, issuer),
                    "auth": issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json"),
                },
                console_url=CONSOLE_URL,
            )
            async with (
                serving(create_scheduler_app(settings)) as scheduler_url,
                httpx.AsyncClient(base_url=scheduler_url, timeout=30) as scheduler_http,
                running_console(identity_url=identity.url, scheduler_url=scheduler_url) as console,
                console.browser() as ana,
                console.browser("fr-FR,fr;q=0.9") as chloe,
            ):
                await first_run(ana)
                admin = (await identity.sign_in("ana@acme.example")).json()["session_token"]
                await identity.join(admin, "chloe@acme.example", ["admin"], name="Chloé")
                await sign_in(chloe, "chloe@acme.example")
                french = await chloe.submit(
                    "/w/acme/", "/language", {"language": "fr", "back": "/"}
                )
                assert french.status_code == 303, french.text[:500]
                scheduler = Scheduler(scheduler_http, settings, issuer)
                yield Office(console, identity, scheduler, ana, chloe)


async def sign_in(browser: Browser, email: str) -> None:
    signed = await browser.submit(
        "/sign-in", "/sign-in", {"email": email, "password": PASSWORD, "next": "/"}
    )
    assert signed.status_code == 303, signed.text[:500]


def text(page: str) -> str:
    """The page's words, tags stripped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def field(page: str, field_id: str) -> str:
    """A form field's tag (input, select or textarea) by id."""
    found = re.search(rf'<(?:input|select|textarea) id="{field_id}"[^>]*>', page)
    assert found, f"no field {field_id}"
    return found.group(0)


def refusal(page: str, field_id: str) -> str:
    """The refusal shown next to a field: it is marked invalid and described by it."""
    assert 'aria-invalid="true"' in field(page, field_id), field(page, field_id)
    found = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>', page)
    assert found, f"no refusal next to {field_id}"
    return html.unescape(found.group(1))


def notice(page: str) -> str:
    found = re.search(r'<p class="notice" role="status">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


async def followed(browser: Browser, answer: httpx.Response, location: str) -> str:
    assert answer.status_code == 303, answer.text[:800]
    assert answer.headers["location"] == location
    page = await browser.get(location)
    assert page.status_code == 200, page.text[:500]
    return page.text


async def api(office: Office, path: str) -> Any:
    got = await office.scheduler.client.get(path, headers=office.scheduler.admin)
    assert got.status_code == 200, got.text
    return got.json()


POLICY_FORM = {
    "new": "yes",
    "name": "standard",
    "priority": "50",
    "description": "Posts go through review, then legal",
    "when.kinds": "post, announcement",
    "when.channels": "",
    "deadlines.sla_minutes": "120",
    "deadlines.remind_before_minutes": "30, 10",
    "deadlines.on_missed_slot": "hold",
    "allow_self_approval": "on",
    "steps.0.name": "review",
    "steps.0.roles": "approver",
    "steps.0.quorum": "any",
    "steps.0.backup.roles": "admin",
    "steps.1.name": "",  # the empty row between two steps is no step
    "steps.2.name": "legal",
    "steps.2.teams": "legal",
    "steps.2.external": "counsel, Outside Counsel, counsel@law.example",
    "steps.2.quorum": "all",
    "steps.2.sla_minutes": "60",
}


async def test_approval_policies_are_created_edited_and_refused_next_to_the_field(
    office: Office,
) -> None:
    ana, chloe = office.ana, office.chloe
    listed = (await ana.get("/w/acme/admin/policies")).text
    assert 'href="/w/acme/admin/policies"' in listed  # in the admin's navigation
    assert "No policy yet" in text(listed)

    created = await ana.submit("/w/acme/admin/policies/new", "/w/acme/admin/policies", POLICY_FORM)
    page = await followed(ana, created, "/w/acme/admin/policies/standard?notice=policy_created")
    assert notice(page) == "The policy is created."
    stored = await api(office, "/approval-policies/standard")
    assert stored["priority"] == 50
    assert stored["when"]["kinds"] == ["post", "announcement"]
    assert stored["deadlines"] == {
        "sla_minutes": 120,
        "remind_before_minutes": [30, 10],
        "on_missed_slot": "hold",
    }
    assert stored["allow_self_approval"] is True
    review, legal = stored["steps"]
    assert (review["name"], review["roles"], review["backup"]["roles"]) == (
        "review",
        ["approver"],
        ["admin"],
    )
    assert (legal["name"], legal["teams"], legal["quorum"], legal["sla_minutes"]) == (
        "legal",
        ["legal"],
        "all",
        60,
    )
    assert legal["external"] == [
        {"id": "counsel", "name": "Outside Counsel", "email": "counsel@law.example"}
    ]
    # The form shows the policy as stored: the steps numbered again, and an empty row.
    assert 'value="30, 10"' in field(page, "f-deadlines-remind_before_minutes")
    assert 'value="legal"' in field(page, "f-steps-1-name")
    assert 'value=""' in field(page, "f-steps-2-name")
    assert "counsel, Outside Counsel, counsel@law.example" in page
    assert '<option value="hold" selected>' in page
    assert re.search(r'name="allow_self_approval" checked', page)

    listed = text((await ana.get("/w/acme/admin/policies")).text)
    assert "50 standard Posts go through review, then legal review → legal Allowed" in listed
    assert "Hold it until someone picks a new slot" in listed

    # Chloé, in French, edits it: a quorum scheduler cannot read is refused at its field.
    edit = "/w/acme/admin/policies/standard"
    shown = (await chloe.get(edit)).text
    assert "<h1>Politique standard</h1>" in shown
    form = {
        **{k: v for k, v in POLICY_FORM.items() if not k.startswith("steps.")},
        "new": "no",
        "steps.0.name": "review",
        "steps.0.roles": "approver",
        "steps.0.quorum": "three",
        "steps.1.name": "legal",
        "steps.1.teams": "legal",
    }
    refused = await chloe.submit(edit, "/w/acme/admin/policies", form)
    assert refused.status_code == 422
    assert "Le planificateur a refusé le formulaire" in text(refused.text)
    assert refusal(refused.text, "f-steps-0-quorum").startswith("Refusé : ")
    assert 'value="three"' in field(refused.text, "f-steps-0-quorum")  # what was typed stays
    assert (await api(office, "/approval-policies/standard"))["steps"][0]["quorum"] == "any"
    # A rule across fields (more approvals than approvers) is shown on its step.
    lonely = await chloe.submit(
        edit,
        "/w/acme/admin/policies",
        {**form, "steps.0.roles": "", "steps.0.people": "ana", "steps.0.quorum": "2"},
    )
    assert lonely.status_code == 422
    step = re.search(
        r'<legend>Étape 1</legend>\s*<p class="error" role="alert">(.*?)</p>', lonely.text
    )
    assert step, lonely.text[:3000]
    assert "quorum 2 exceeds its 1 approvers" in html.unescape(step.group(1))

    saved = await chloe.submit(
        edit,
        "/w/acme/admin/policies",
        {**form, "steps.0.quorum": "all", "allow_self_approval": ""},
    )
    page = await followed(chloe, saved, f"{edit}?notice=policy_saved")
    assert notice(page) == "La politique est enregistrée."
    stored = await api(office, "/approval-policies/standard")
    assert [s["name"] for s in stored["steps"]] == ["review", "legal"]
    assert stored["steps"][0]["quorum"] == "all"
    assert stored["steps"][1]["external"] == []
    assert stored["allow_self_approval"] is False

    taken = await ana.submit("/w/acme/admin/policies/new", "/w/acme/admin/policies", POLICY_FORM)
    assert taken.status_code == 409
    assert "A policy already has this name" in text(taken.text)
    bad_name = await ana.submit(
        "/w/acme/admin/policies/new", "/w/acme/admin/policies", {**POLICY_FORM, "name": "../x"}
    )
    assert bad_name.status_code == 422
    assert "letters, digits" in refusal(bad_name.text, "f-name")
    assert (await ana.get("/w/acme/admin/policies/nothing-here")).status_code == 404

    # A spare policy is deleted from its page; deleting it again is the 404 page.
    spare = {**POLICY_FORM, "name": "spare"}
    await ana.submit("/w/acme/admin/policies/new", "/w/acme/admin/policies", spare)
    spare_page = (await ana.get("/w/acme/admin/policies/spare")).text
    assert 'action="/w/acme/admin/policies/spare/delete"' in spare_page
    assert "/delete" not in (await ana.get("/w/acme/admin/policies/new")).text
    deleted = await ana.submit(
        "/w/acme/admin/policies/spare", "/w/acme/admin/policies/spare/delete", {}
    )
    listed_now = await followed(ana, deleted, "/w/acme/admin/policies?notice=policy_deleted")
    assert notice(listed_now) == "The policy is deleted."
    gone = await office.scheduler.client.get(
        "/approval-policies/spare", headers=office.scheduler.admin
    )
    assert gone.status_code == 404
    assert 'href="/w/acme/admin/policies/standard"' in listed_now
    again = await ana.submit(
        "/w/acme/admin/policies/standard", "/w/acme/admin/policies/spare/delete", {}
    )
    assert again.status_code == 404


async def test_channel_slots_and_publishing_are_set_and_the_token_is_never_shown(
    office: Office,
) -> None:
    ana, chloe = office.ana, office.chloe
    listed = (await ana.get("/w/acme/admin/channels")).text
    assert "No channel has publishing slots yet." in text(listed)
    opened = await ana.get("/w/acme/admin/channels?channel=mastodon-fr")
    assert opened.headers["location"] == "/w/acme/admin/channels/mastodon-fr"
    page_path = "/w/acme/admin/channels/mastodon-fr"

    zone = await ana.submit(
        page_path,
        f"{page_path}/slots",
        {"time_zone": "Mars/Olympus", "slots": "mon 09:30", "teams": ""},
    )
    assert zone.status_code == 422
    assert refusal(zone.text, "f-time_zone")
    assert 'value="Mars/Olympus"' in field(zone.text, "f-time_zone")
    day = await ana.submit(
        page_path,
        f"{page_path}/slots",
        {"time_zone": "Europe/Paris", "slots": "someday 09:30", "teams": ""},
    )
    assert day.status_code == 422
    assert refusal(day.text, "f-slots")

    saved = await ana.submit(
        page_path,
        f"{page_path}/slots",
        {"time_zone": "Europe/Paris", "slots": "mon, wed 09:30\nfri 16:00", "teams": "social"},
    )
    page = await followed(ana, saved, f"{page_path}?notice=slots_saved")
    assert notice(page) == "The publishing slots are saved."
    plan = await api(office, "/calendar/channels/mastodon-fr")
    assert plan["time_zone"] == "Europe/Paris"
    assert plan["slots"] == [
        {"days": ["mon", "wed"], "at": "09:30:00"},
        {"days": ["fri"], "at": "16:00:00"},
    ]
    assert plan["teams"] == ["social"]
    assert "mon, wed 09:30\nfri 16:00</textarea>" in page
    listed = text((await ana.get("/w/acme/admin/channels")).text)
    assert "mastodon-fr Europe/Paris Mon, Wed 09:30 Fri 16:00 social" in listed

    token = f"tok{secrets.token_hex(8)}"
    missing = await ana.submit(
        page_path,
        f"{page_path}/publishing",
        {"connector": "mastodon", "base_url": "https://mastodon.example", "visibility": "public"},
    )
    assert missing.status_code == 422
    assert "needs an access token" in refusal(missing.text, "f-access_token")
    stored = await ana.submit(
        page_path,
        f"{page_path}/publishing",
        {
            "connector": "mastodon",
            "base_url": "https://mastodon.example",
            "access_token": token,
            "visibility": "unlisted",
            "timeout_seconds": "20",
        },
    )
    page = await followed(ana, stored, f"{page_path}?notice=publishing_saved")
    account = await api(office, "/publishing/channels/mastodon-fr")
    assert (account["connector"], account["base_url"], account["visibility"]) == (
        "mastodon",
        "https://mastodon.example/",
        "unlisted",
    )
    assert "revision 1" in text(page)
    assert token not in page
    assert 'value=""' in field(page, "f-access_token")

    # In French, a webhook secret that is not a whsec_ one: refused at its field, not echoed.
    wrong = f"plain-{secrets.token_hex(8)}"
    refused = await chloe.submit(
        page_path,
        f"{page_path}/publishing",
        {
            "connector": "webhook",
            "base_url": "https://hooks.example/in",
            "secret": wrong,
            "visibility": "public",
        },
    )
    assert refused.status_code == 422
    assert "<h1>Canal mastodon-fr</h1>" in refused.text
    assert refusal(refused.text, "f-secret").startswith("Refusé : ")
    assert wrong not in refused.text
    assert 'value="https://hooks.example/in"' in field(refused.text, "f-base_url")
    assert (await api(office, "/publishing/channels/mastodon-fr"))["revision"] == 1

    # A Bluesky account: its handle is shown again, its app password never.
    password = f"app-{secrets.token_hex(6)}"
    bluesky = await ana.submit(
        page_path,
        f"{page_path}/publishing",
        {
            "connector": "bluesky",
            "base_url": "https://bsky.social",
            "identifier": "acme.bsky.social",
            "app_password": password,
            "visibility": "public",
        },
    )
    page = await followed(ana, bluesky, f"{page_path}?notice=publishing_saved")
    account = await api(office, "/publishing/channels/mastodon-fr")
    assert (account["connector"], account["identifier"]) == ("bluesky", "acme.bsky.social")
    assert password not in page
    assert 'value="acme.bsky.social"' in field(page, "f-identifier")

    # An X account: offered by the form, its user id shown again, its token never.
    assert '<option value="x">X</option>' in page
    x_token = f"x{secrets.token_hex(12)}"
    on_x = await ana.submit(
        page_path,
        f"{page_path}/publishing",
        {
            "connector": "x",
            "base_url": "https://api.x.com",
            "access_token": x_token,
            "target": "1460000000000000001",
            "visibility": "public",
        },
    )
    page = await followed(ana, on_x, f"{page_path}?notice=publishing_saved")
    account = await api(office, "/publishing/channels/mastodon-fr")
    assert (account["connector"], account["target"]) == ("x", "1460000000000000001")
    assert "X at https://api.x.com/" in text(page)
    assert x_token not in page
    assert 'value="1460000000000000001"' in field(page, "f-target")
    # A YouTube channel: offered beside LinkedIn; its channel id (mixed case, as Google writes
    # it) is kept and shown again, its token never.
    assert '<option value="linkedin">LinkedIn</option>' in page
    assert '<option value="youtube">YouTube</option>' in page
    youtube = await ana.submit(
        page_path,
        f"{page_path}/publishing",
        {
            "connector": "youtube",
            "base_url": "https://www.googleapis.com",
            "access_token": token,
            "target": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
            "visibility": "public",
        },
    )
    page = await followed(ana, youtube, f"{page_path}?notice=publishing_saved")
    account = await api(office, "/publishing/channels/mastodon-fr")
    assert (account["connector"], account["target"]) == ("youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    assert 'value="UC_x5XG1OV2P6uZZ5FSM9Ttw"' in field(page, "f-target")
    assert token not in page


async def test_answer_templates_are_saved_per_status_and_language(office: Office) -> None:
    ana, chloe = office.ana, office.chloe
    path = "/w/acme/admin/answer-templates"
    page = (await chloe.get(path)).text
    assert "<h1>Modèles de réponse</h1>" in page
    assert page.count('<form method="post" action="/w/acme/admin/answer-templates/') == 12

    body = "Bonne nouvelle {author} : « {title} » est prévu."
    saved = await chloe.submit(path, f"{path}/planned/fr", {"body": body, "channel": ""})
    page = await followed(chloe, saved, f"{path}?notice=answer_template_saved")
    assert notice(page) == "Le modèle de réponse est enregistré."
    stored = await api(office, "/answer-templates")
    assert [(t["status"], t["language"], t["body"], t["channel"]) for t in stored] == [
        ("planned", "fr", body, None)
    ]
    assert f"{html.escape(body, quote=False)}</textarea>" in page

    empty = await ana.submit(path, f"{path}/planned/en", {"body": "", "channel": "x"})
    assert empty.status_code == 422
    assert refusal(empty.text, "f-planned-en-body")
    assert 'value="x"' in field(empty.text, "f-planned-en-channel")
    assert 'aria-invalid="true"' not in field(empty.text, "f-planned-fr-body")
    assert (await ana.get(f"{path}/planned/xx")).status_code in (404, 405)


async def test_a_crisis_shows_what_it_held_and_is_decided_in_place(office: Office) -> None:
    s = office.scheduler
    policy = {
        "priority": 1,
        "when": {"channels": ["crisis-test"]},
        "steps": [{"name": "marketing", "teams": ["marketing"]}],
    }
    put = await s.client.put("/approval-policies/crisis-test", json=policy, headers=s.admin)
    assert put.status_code == 200, put.text
    created = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "crisis-test", "body": "Our summer offer is here"},
        headers=s.manager,
    )
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    asked = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert asked.status_code == 201, asked.text
    decided = await s.client.post(
        f"/content/{content_id}/approval/decisions",
        json={"step": "marketing", "decision": "approve"},
        headers=s.staff("mia", teams=["marketing"]),
    )
    assert decided.status_code == 200, decided.text
    slot = (utcnow() + timedelta(hours=2)).isoformat()
    scheduled = await s.client.post(
        f"/content/{content_id}/schedule", json={"slot": slot}, headers=s.manager
    )
    assert scheduled.status_code == 200, scheduled.text

    await produce(s, spike(s.workspace, negative=True))

    async def holding() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await api(office, "/crises")
        if not found:
            return []
        view = await api(office, f"/crises/{found[0]['id']}")
        return list(view["holds"])

    await eventually(holding, bool, timeout=120, what="the crisis and its hold in scheduler")
    crisis_id = (await api(office, "/crises"))[0]["id"]

    ana = office.ana
    listed = (await ana.get("/w/acme/crises")).text
    assert 'href="/w/acme/crises"' in listed  # in the navigation
    assert f'href="/w/acme/crises/{crisis_id}"' in listed
    assert "every topic 120" in text(listed)
    crisis_page = f"/w/acme/crises/{crisis_id}"
    page = (await ana.get(crisis_page)).text
    assert f"{content_id} crisis-test" in text(page)
    assert "Held" in text(page)

    reasonless = await ana.submit(
        crisis_page, f"{crisis_page}/decisions", {"decision": "reject", "comment": ""}
    )
    assert reasonless.status_code == 422
    assert "a reason is required to reject" in refusal(reasonless.text, "f-comment")
    not_theirs = await ana.submit(crisis_page, f"{crisis_page}/decisions", {"decision": "approve"})
    assert not_theirs.status_code == 200
    assert f"{content_id} : not yours to decide" in text(not_theirs.text)
    assert (await api(office, f"/crises/{crisis_id}"))["holds"][0]["resolution"] is None

    # Ana puts Chloé in communication and legal; Chloé, signed in again (her new token
    # carries the teams), releases the post in French.
    members = (await ana.get("/w/acme/admin/members")).text
    chloe_id = re.search(r'href="/w/acme/admin/members/([^"]+)">Chloé<', members)
    assert chloe_id, members[:2000]
    member = f"/w/acme/admin/members/{chloe_id.group(1)}"
    teamed = await ana.submit(member, member, {"roles": "admin", "teams": "communication, legal"})
    assert teamed.status_code == 303, teamed.text[:500]
    async with office.console.browser("fr-FR,fr;q=0.9") as chloe:
        await sign_in(chloe, "chloe@acme.example")
        french = (await chloe.get(crisis_page)).text
        assert "Décider pour la communication et le juridique" in french
        released = await chloe.submit(
            crisis_page,
            f"{crisis_page}/decisions",
            {"decision": "approve", "comment": "Le pic est traité", "content_ids": content_id},
        )
    assert released.status_code == 200, released.text[:800]
    assert "Votre décision" in text(released.text)
    assert f"{content_id} : libéré" in text(released.text)
    hold = (await api(office, f"/crises/{crisis_id}"))["holds"][0]
    assert hold["resolution"] == "released"
    page = text((await ana.get(crisis_page)).text)
    assert f"{content_id} crisis-test" in page
    assert "Released" in page
    assert "Decide for communication and legal" not in page  # nothing held any more


async def test_a_calendar_feed_address_is_shown_once_then_revoked(office: Office) -> None:
    ana, chloe = office.ana, office.chloe
    path = "/w/acme/calendar/feed-links"
    assert "No calendar address handed out yet." in text((await ana.get(path)).text)

    created = await ana.submit(path, path, {"team": ""})
    assert created.status_code == 201, created.text[:800]
    shown = re.search(r'<code id="new-feed">([^<]+)</code>', created.text)
    assert shown, created.text[:2000]
    url = html.unescape(shown.group(1))
    token = url.split("token=", 1)[1]
    feed = await office.scheduler.client.get("/calendar.ics", params={"token": token})
    assert feed.status_code == 200, feed.text
    assert feed.text.startswith("BEGIN:VCALENDAR")
    listed = (await ana.get(path)).text
    assert token not in listed
    assert "the whole workspace you" in text(listed)

    link_id = (await api(office, "/calendar/feed-links"))[0]["id"]
    revoked = await ana.submit(path, f"{path}/{link_id}/revoke", {})
    page = await followed(ana, revoked, f"{path}?notice=feed_link_revoked")
    assert "The calendar address is revoked" in notice(page)
    assert "Revoked" in text(page)
    gone = await office.scheduler.client.get("/calendar.ics", params={"token": token})
    assert gone.status_code == 410

    refused = await chloe.submit(path, path, {"team": "no such/team"})
    assert refused.status_code == 422
    assert "<h1>Flux de calendrier</h1>" in refused.text
    assert refusal(refused.text, "f-team").startswith("Refusé : ")
    assert 'id="new-feed"' not in refused.text


async def test_a_periodic_job_is_saved_with_its_next_run_and_a_bad_cron_refused(
    office: Office,
) -> None:
    ana, chloe = office.ana, office.chloe
    path = "/w/acme/admin/jobs"
    assert "No periodic job yet." in text((await ana.get(path)).text)
    job = {
        "name": "morning",
        "action": "digest.daily",
        "cron": "0 8 * * 1-5",
        "time_zone": "Europe/Paris",
        "enabled": "on",
        "stuck_for_minutes": "15",
    }
    saved = await ana.submit(path, path, job)
    page = await followed(ana, saved, f"{path}/morning?notice=job_saved")
    stored = await api(office, "/jobs/morning")
    assert (stored["action"], stored["cron"], stored["time_zone"], stored["enabled"]) == (
        "digest.daily",
        "0 8 * * 1-5",
        "Europe/Paris",
        True,
    )
    assert stored["next_run_at"]
    assert "Daily digest of notifications" in text(page)
    assert "It has not run yet." in text(page)
    listed = text((await ana.get(path)).text)
    assert "morning Daily digest of notifications 0 8 * * 1-5 Europe/Paris" in listed

    refused = await chloe.submit(path, path, {**job, "cron": "61 * * * *", "enabled": ""})
    assert refused.status_code == 422
    assert "<h1>Tâches périodiques</h1>" in refused.text
    assert "malformed cron" in refusal(refused.text, "f-cron")
    assert 'value="61 * * * *"' in field(refused.text, "f-cron")
    assert (await api(office, "/jobs/morning"))["cron"] == "0 8 * * 1-5"
    assert (await ana.get(f"{path}/nothing")).status_code == 404

    # The job's page deletes it (its next run cancelled); deleting it again is the 404 page.
    morning = (await ana.get(f"{path}/morning")).text
    assert f'action="{path}/morning/delete"' in morning
    deleted = await ana.submit(f"{path}/morning", f"{path}/morning/delete", {})
    listed_now = await followed(ana, deleted, f"{path}?notice=job_deleted")
    assert notice(listed_now) == "The job is deleted; it will not run again."
    assert "No periodic job yet." in text(listed_now)
    gone = await office.scheduler.client.get("/jobs/morning", headers=office.scheduler.admin)
    assert gone.status_code == 404
    again = await ana.submit(path, f"{path}/morning/delete", {})
    assert again.status_code == 404
