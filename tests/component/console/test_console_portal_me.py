"""The member's own pages (`/c/{workspace}/me`) with plain forms, in front of the real
identity, feedback and notify sharing one Kafka (each its own store), one stack for the module:
a member reads and changes their profile and consents in French, claims a handle, proves it
by posting the code and unlinks it; another downloads everything feedback holds about them
(and nothing of another member), then erases it with a typed confirmation: their profile
answers 410, their address is in no collection of feedback nor of notify (which had emailed
them), identity removed their member place, and erasing again changes nothing."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_shared.events import utcnow
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import MEMBERS, MENTIONS, Topics
from support.console import Browser, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings, mention_from
from support.identity import IdentityDriver, running_identity, session
from support.notify import NotifyDriver, running_notify, serving
from support.notify_smtp import Mailbox
from support.waiting import eventually

PORTAL = "/c/acme"
MIA = "mia.erase@fans.example"
LEA = "lea@fans.example"


@dataclass
class Stage:
    console: ConsoleDriver
    identity: IdentityDriver
    admin: dict[str, str]
    feedback: Feedback
    notify: NotifyDriver
    mentions: EventPublisher
    mailbox: Mailbox
    bo: dict[str, str]
    bo_id: str
    picnic: str

    def store(self, database: str) -> Database:
        return create_client(MongoSettings(url=self.feedback.settings.mongo.url))[database]


@pytest.fixture(scope="module")
async def stage(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Stage]:
    """Identity, feedback and notify on one topic prefix (identity hears `member.erased`,
    notify hears every member event), the console in front; Bo, a trusted member, and his
    published idea "Picnic tables in the park"."""
    tag = f"t{secrets.token_hex(4)}"
    with Mailbox() as mailbox:
        async with running_identity(infra, tag, issuer, mailbox) as identity:
            jwks = f"{identity.url}/.well-known/jwks.json"
            settings = feedback_settings(
                infra,
                tag,
                issuer,
                auth=issuer.settings(jwks_url=jwks),
                database=f"{tag}_feedback",
            )
            producer: KafkaBroker = create_broker(
                KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="ingest-stand-in"
            )
            mentions = EventPublisher(producer, Topics(settings.kafka.topic_prefix), [MENTIONS])
            async with (
                running_notify(
                    infra,
                    tag,
                    issuer,
                    database=f"{tag}_notify",
                    smtp_host="127.0.0.1",
                    smtp_port=mailbox.port,
                    feedback_public_url="https://feedback.example.org",
                    console_url="https://app.example.org",
                ) as notify,
                serving(create_feedback_app(settings)) as feedback_url,
                httpx.AsyncClient(base_url=feedback_url, timeout=30) as http,
                running_console(identity_url=identity.url, feedback_url=feedback_url) as console,
                producer,
            ):
                await producer.start()
                admin = session(await identity.setup("acme"))
                feedback = Feedback(http, settings, issuer)
                bo_id, bo = await feedback.join("Bo")
                trusted = await http.put(
                    f"/members/{bo_id}/trust", json={"level": "trusted"}, headers=feedback.manager
                )
                assert trusted.status_code == 200, trusted.text
                idea = await http.post(
                    "/submissions",
                    json={"kind": "idea", "title": "Picnic tables in the park"},
                    headers=bo,
                )
                assert idea.status_code == 201, idea.text
                picnic = idea.json()["submission"]["id"]
                yield Stage(
                    console, identity, admin, feedback, notify, mentions, mailbox, bo, bo_id, picnic
                )


async def signed_in(stage: Stage, browser: Browser, email: str) -> None:
    """The member signs in by the emailed link, from the portal."""
    asked = await browser.submit(
        f"{PORTAL}/sign-in", f"{PORTAL}/sign-in", {"email": email, "next": f"{PORTAL}/me"}
    )
    assert asked.status_code == 200, asked.text[:500]
    token = await stage.identity.link(email, "/magic/")
    landed = await browser.submit(f"/magic/{token}", f"/magic/{token}", {})
    assert landed.status_code == 303, landed.text[:500]


async def act(browser: Browser, page: str, action: str, **data: str) -> httpx.Response:
    done = await browser.submit(page, action, data)
    assert done.status_code == 303, done.text[:800]
    return done


async def holding(store: Database, text: str) -> list[str]:
    """The collections of `store` with a document whose JSON holds `text`."""
    found = []
    for name in await store.list_collection_names():
        async for document in store[name].find({}):
            if text in json.dumps(document, default=str):
                found.append(name)
                break
    return found


async def test_a_member_changes_their_profile_and_proves_then_unlinks_a_handle_in_french(
    stage: Stage,
) -> None:
    async with stage.console.browser("fr") as browser:
        gate = await browser.get(f"{PORTAL}/me")
        assert gate.status_code == 303  # signed-in members only
        await signed_in(stage, browser, LEA)
        empty = await browser.get(f"{PORTAL}/me")
        assert empty.status_code == 200
        assert "<h1>Mon profil</h1>" in empty.text
        assert "Vous n'avez pas encore de profil dans la communauté" in empty.text
        nothing = await browser.http.post(f"{PORTAL}/me/profile", data={"csrf_token": "x"})
        assert nothing.status_code == 403  # no CSRF token, nothing done

        await act(browser, f"{PORTAL}/ideas/{stage.picnic}", f"{PORTAL}/ideas/{stage.picnic}/vote")
        page = await browser.get(f"{PORTAL}/me")
        assert "À propos de moi" in page.text
        assert f'href="{PORTAL}/ideas/{stage.picnic}"' in page.text  # her vote, in her activity
        saved = await act(
            browser,
            f"{PORTAL}/me",
            f"{PORTAL}/me/profile",
            display_name="Léa L.",
            language="fr",
            consents="events_nearby",
        )
        assert saved.headers["location"] == f"{PORTAL}/me?notice=profile_saved"
        page = await browser.get(saved.headers["location"])
        assert "Votre profil est enregistré." in page.text
        assert 'value="Léa L."' in page.text
        assert 'value="events_nearby" checked' in page.text
        assert 'value="status_changes" checked' not in page.text
        refused = await browser.submit(
            f"{PORTAL}/me", f"{PORTAL}/me/profile", {"display_name": "Léa", "language": "de"}
        )
        assert refused.status_code == 400  # not a language the form offers

        claimed = await browser.submit(
            f"{PORTAL}/me", f"{PORTAL}/me/identities", {"platform": "mastodon", "handle": "@lea"}
        )
        assert claimed.status_code == 200, claimed.text[:800]
        assert "Prouvez que ce compte est le vôtre" in claimed.text
        found = re.search(r'<p class="code"><strong>([^<]+)</strong>', claimed.text)
        assert found, claimed.text
        await stage.mentions.publish([mention_from("lea", "mastodon", f"@acme {found.group(1)}")])

        async def my_page() -> str:
            return (await browser.get(f"{PORTAL}/me")).text

        linked = await eventually(my_page, lambda text: "<strong>@lea</strong>" in text, timeout=90)
        assert "Mastodon" in linked
        unlinked = await act(browser, f"{PORTAL}/me", f"{PORTAL}/me/identities/mastodon/unlink")
        assert unlinked.headers["location"] == f"{PORTAL}/me?notice=own_handle_unlinked"
        assert "Aucun compte lié." in await my_page()


async def test_a_member_downloads_their_data_then_erases_it_everywhere(stage: Stage) -> None:
    async with stage.console.browser() as browser:
        await signed_in(stage, browser, MIA)
        picnic = f"{PORTAL}/ideas/{stage.picnic}"
        await act(browser, picnic, f"{picnic}/follow", follow="on")
        await act(browser, picnic, f"{picnic}/vote", vote="on")
        await act(browser, picnic, f"{picnic}/comments", body="With shade, please")
        await act(browser, f"{PORTAL}/submit", f"{PORTAL}/submit", title="Bike racks by the door")

        mia = (await browser.get(f"{PORTAL}/me/export")).json()["member_id"]
        # One seat: Bo takes it, Mia waits, Bo gives it back and Mia gets it (her code is in
        # Bo's act, which her export shows without saying whose it was).
        mine = stage.feedback.member(mia)
        seat = await stage.feedback.client.post(
            "/field-events",
            json={
                "title": "Park picnic",
                "place": {"name": "Park", "address": "1 Park Lane"},
                "starts_at": (utcnow() + timedelta(days=3)).isoformat(),
                "ends_at": (utcnow() + timedelta(days=3, hours=2)).isoformat(),
                "capacity": 1,
            },
            headers=stage.feedback.manager,
        )
        assert seat.status_code == 201, seat.text
        rsvp = f"/field-events/{seat.json()['id']}/rsvp"
        for who, method in ((stage.bo, "POST"), (mine, "POST"), (stage.bo, "DELETE")):
            done = await stage.feedback.client.request(method, rsvp, headers=who)
            assert done.status_code < 300, done.text
        mine_now = await stage.feedback.client.get(f"{rsvp[:-5]}/my-rsvp", headers=mine)
        assert mine_now.json()["status"] == "confirmed"  # Bo's seat went to her

        download = await browser.get(f"{PORTAL}/me/export")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment;")
        data = download.json()
        assert data["member_id"] == mia
        records = data["records"]
        acts = records["field_event_acts"]
        assert {a["member_id"] for a in acts} == {mia, None}  # her RSVP, and Bo's anonymous
        assert [c["member_id"] for a in acts for c in a["codes"]] == [mia]
        assert [s["title"] for s in records["submissions"]] == ["Bike racks by the door"]
        assert [c["body"] for c in records["submission_comments"]] == ["With shade, please"]
        assert [v["submission_id"] for v in records["submission_votes"]] == [stage.picnic]
        bikes = records["submissions"][0]["_id"]  # an author follows their own idea
        assert {f["submission_id"] for f in records["submission_follows"]} == {stage.picnic, bikes}
        assert {a["kind"] for a in records["member_activity"]} >= {"submission", "vote"}
        assert stage.bo_id not in download.text  # nothing of another member
        assert "Picnic tables" not in download.text

        # Notify learns her address (as identity's account event would bring it) and emails
        # her when Bo comments on the idea she follows.
        patched = await stage.feedback.client.patch(
            "/members/me", json={"email": MIA, "consents": ["ideas_followed"]}, headers=mine
        )
        assert patched.status_code == 200, patched.text
        notify_db = stage.store(stage.notify.settings.database)
        # Member events and comments travel on different topics: the comment may be read
        # before the profile that gives her address, so wait until notify knows it.
        await eventually(
            lambda: notify_db["members"].count_documents(
                {"member_id": mia, "email": MIA, "consents": "ideas_followed"}
            ),
            lambda versions: versions > 0,
            timeout=90,
            what="notify's copy of Mia's address and consent",
        )
        comment = await stage.feedback.client.post(
            f"/submissions/{stage.picnic}/comments", json={"body": "Noted!"}, headers=stage.bo
        )
        assert comment.status_code == 201, comment.text
        await eventually(
            lambda: holding(notify_db, MIA),
            lambda where: "deliveries" in where,
            timeout=90,
            what="notify's delivery to Mia",
        )

        warned = await browser.get(f"{PORTAL}/me/erase")
        assert "What stays, and why" in warned.text
        wrong = await browser.submit(f"{PORTAL}/me/erase", f"{PORTAL}/me/erase", {"confirm": "ok"})
        assert wrong.status_code == 422
        assert (await browser.get(f"{PORTAL}/me/export")).status_code == 200  # still there
        erased = await act(browser, f"{PORTAL}/me/erase", f"{PORTAL}/me/erase", confirm="Erase")
        page = await browser.get(erased.headers["location"])
        assert "Your data is erased." in page.text
        assert "Your community data is erased" in page.text
        assert (await browser.get(f"{PORTAL}/me/export")).status_code == 410
        again = await browser.submit(picnic, f"{picnic}/vote", {"vote": "on"})
        assert again.status_code == 410

    assert (await stage.feedback.client.get("/members/me", headers=mine)).status_code == 410
    feedback_db = stage.store(stage.feedback.settings.database)
    assert await holding(feedback_db, MIA) == []
    seen = await stage.feedback.client.get(f"/members/{mia}", headers=stage.feedback.manager)
    assert seen.json()["display_name"] == "Former member"
    assert seen.json()["email"] is None
    kept = await stage.feedback.client.get(f"/submissions/{bikes}", headers=stage.feedback.manager)
    assert kept.json()["title"] == "Bike racks by the door"  # contributions stay

    event = await stage.feedback.client.get(
        f"/field-events/{seat.json()['id']}", headers=stage.feedback.manager
    )
    assert (event.json()["confirmed"], event.json()["seats_left"]) == (0, 1)  # given back
    await eventually(lambda: holding(notify_db, MIA), lambda where: where == [], timeout=90)
    assert await notify_db["members"].count_documents({"member_id": mia}) == 0
    assert await notify_db["deliveries"].count_documents({"recipient": f"member:{mia}"}) == 0

    async def place() -> int:
        answer = await stage.identity.http.get(
            f"/workspaces/acme/members/{mia}", headers=stage.admin
        )
        return answer.status_code

    await eventually(place, lambda status: status == 404, timeout=90, what="identity's removal")

    anew = await stage.feedback.client.post(
        "/workspaces/acme/members", json={"display_name": "Mia"}, headers=mine
    )
    assert anew.status_code == 410, anew.text
    second = await stage.feedback.client.delete("/members/me", headers=mine)
    assert second.status_code == 200, second.text
    assert second.json()["member_id"] == mia
    assert all(count == 0 for count in second.json()["removed"].values())
    erasures = [e for e in await stage.feedback.events(MEMBERS) if e.type == "member.erased.v1"]
    assert [e.subject for e in erasures] == [mia]
    assert await holding(feedback_db, MIA) == []


async def test_an_author_hears_by_email_when_their_idea_moves_and_finds_it_on_the_roadmap(
    stage: Stage,
) -> None:
    """The address identity proved by the sign-in link is the profile's, verified (no second
    link), and the submit form's box is the author's consent to hear of the idea's moves."""
    noa, tom = "noa@fans.example", "tom@fans.example"
    async with stage.console.browser() as browser:
        await signed_in(stage, browser, noa)
        form = await browser.get(f"{PORTAL}/submit")
        assert 'name="updates" value="on" checked' in form.text  # ticked on a fresh form
        title = "Water fountains by the courts"
        sent = await act(browser, f"{PORTAL}/submit", f"{PORTAL}/submit", title=title, updates="on")
        idea = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
    async with stage.console.browser() as browser:
        await signed_in(stage, browser, tom)
        bench = await act(
            browser, f"{PORTAL}/submit", f"{PORTAL}/submit", title="Benches in the shade"
        )
        benches = bench.headers["location"].split("?")[0].rsplit("/", 1)[1]

    manager = stage.feedback.manager

    async def author_of(submission: str) -> dict[str, Any]:
        seen = await stage.feedback.client.get(f"/submissions/{submission}", headers=manager)
        member = seen.json()["author_member_id"]
        answer = await stage.feedback.client.get(f"/members/{member}", headers=manager)
        found: dict[str, Any] = answer.json()
        return found

    profile = await author_of(idea)
    assert (profile["email"], profile["email_verified"]) == (noa, True)
    assert profile["consents"] == ["status_changes"]
    other = await author_of(benches)
    assert (other["email"], other["consents"]) == (tom, [])  # box left unticked

    approved = await stage.feedback.client.post(
        f"/moderation/items/submission:{idea}/approve", headers=manager
    )
    assert approved.status_code == 200, approved.text
    for status in ("under_review", "planned"):
        moved = await stage.feedback.client.post(
            f"/submissions/{idea}/status", json={"status": status}, headers=manager
        )
        assert moved.status_code == 200, moved.text
    news = await stage.identity.message(noa, title)
    assert news["X-Ensemble-Event-Type"] == "submission.status_changed.v1"
    assert not [m for rcpt, m in stage.mailbox.messages if noa in rcpt and "verify" in str(m)]
    async with stage.console.browser() as visitor:
        roadmap = await visitor.get(f"{PORTAL}/roadmap")
    assert title in roadmap.text
