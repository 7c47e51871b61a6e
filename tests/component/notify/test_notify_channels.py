"""Each channel against a real receiver: SMTP (aiosmtpd), Slack and Teams webhooks, signed
webhooks with rotating secrets; exactly once per (event, recipient, channel) on redelivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from ensemble_notify.channels.email import message_id
from ensemble_shared.auth import Role
from ensemble_shared.events import NotificationFailedV1, NotificationSentV1
from ensemble_shared.sealing import Sealer
from ensemble_shared.signatures import verify
from support.apps import SECRET_KEY, bearer
from support.mentions import a_mention
from support.notify import NotifyDriver
from support.notify_events import a_step_opened, an_assignment
from support.notify_smtp import Mailbox
from support.receiver import Receiver
from support.stored import stored
from support.waiting import eventually


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


async def test_an_assignment_is_emailed_in_french_and_put_in_the_inbox_exactly_once(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person("camille", name="Camille", email="camille@acme.example", language="fr")
    event = an_assignment("camille")
    await notify.publish(event)
    await notify.publish(event)  # redelivered / produced twice
    delivered = await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 2, what="email and in-app"
    )
    await asyncio.sleep(1.5)  # room for a wrong second email
    assert len(mailbox.messages) == 1
    assert len(await notify.deliveries()) == 2
    assert sorted(d["channel"] for d in delivered) == ["email", "in_app"]
    assert {d["id"] for d in delivered} == {
        f"{event.id}:camille:email",
        f"{event.id}:camille:in_app",
    }
    [(recipients, message)] = mailbox.messages
    assert recipients == ["camille@acme.example"]
    assert message["Subject"] == "Une mention vous a été attribuée"
    assert message["Content-Language"] == "fr"
    assert message["Message-ID"] == message_id(f"{event.id}:camille:email", "notify.test")
    assert message["X-Ensemble-Delivery"] == f"{event.id}:camille:email"
    # every email carries a signed one-click way out of this kind of notification (RFC 8058)
    assert "/unsubscribe?token=" in (message["List-Unsubscribe"] or "")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    bodies = parts(message)
    assert set(bodies) == {"text/plain", "text/html"}
    assert "lea <lead> vous a attribué la mention m-7" in bodies["text/plain"]
    assert "<strong>lea &lt;lead&gt;</strong> vous a attribué" in bodies["text/html"]
    inbox = (await notify.http.get("/inbox", headers=notify.person("camille"))).json()
    assert [i["title"] for i in inbox["items"]] == ["Une mention vous a été attribuée"]
    sent = await eventually(notify.notifications, lambda n: len(n) >= 2, what="two sent")
    assert sorted((e.type, e.data.channel) for e in sent if isinstance(e, NotificationSentV1)) == [
        ("notification.sent.v1", "email"),
        ("notification.sent.v1", "in_app"),
    ]


async def test_a_refused_address_fails_at_once_and_a_bad_one_before_any_attempt(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person("gone", name="Gone", email="gone@acme.example")
    mailbox.refuse.add("gone@acme.example")  # proven once, the mailbox is gone since
    # An outside approver whose address (given by the producer) is not an address.
    await notify.publish(an_assignment("gone"), a_step_opened(external_email="olivier at agence"))
    await notify.publish(an_assignment("after"))  # the consumer goes on
    failed = await eventually(
        lambda: notify.deliveries("failed"), lambda d: len(d) == 2, what="two dead letters"
    )
    by_recipient = {d["recipient"]: d for d in failed}
    refused, malformed = by_recipient["gone"], by_recipient["ext-olivier"]
    assert refused["attempts"] == 1  # a 5xx refusal is not retried
    assert refused["last_status_code"] == 550
    assert "refused for good" in refused["last_error"]
    assert "no such user" in refused["last_error"]
    assert malformed["attempts"] == 0
    assert malformed["last_error"].startswith("address error")
    await eventually(
        lambda: notify.deliveries("delivered"),
        lambda d: {x["recipient"] for x in d} == {"gone", "after"},
        what="the in-app ones, and the next event's",
    )
    assert mailbox.messages == []
    events = await eventually(notify.notifications, lambda n: len(n) >= 4, what="events")
    reasons = {
        e.data.recipient: e.data.reason for e in events if isinstance(e, NotificationFailedV1)
    }
    assert set(reasons) == {"gone", "ext-olivier"}


async def test_slack_and_teams_get_blocks_and_cards_with_decision_buttons(
    notify: NotifyDriver,
) -> None:
    with Receiver() as slack, Receiver() as teams, Receiver() as channel:
        await notify.put_person(
            "ext-olivier",
            name="Olivier",
            language="fr",
            slack_webhook_url=slack.url,
            teams_webhook_url=teams.url,
        )
        await notify.endpoint(url=channel.url, kind="slack", events=["mention.received.v1"])
        step = a_step_opened(external_email=None)
        step = step.model_copy(
            update={
                "data": step.data.model_copy(
                    update={"links": a_step_opened().data.links}  # Olivier's signed link
                )
            }
        )
        await notify.publish(step, a_mention())
        await eventually(
            lambda: asyncio.sleep(
                0, (len(slack.received), len(teams.received), len(channel.received))
            ),
            lambda counts: counts == (1, 1, 1),
            what="one message at each chat webhook",
        )
        slack_body = json.loads(slack.received[0].body)
        teams_body = json.loads(teams.received[0].body)
        channel_body = json.loads(channel.received[0].body)
    buttons = next(b for b in slack_body["blocks"] if b["type"] == "actions")["elements"]
    assert [(b["text"]["text"], b["style"]) for b in buttons] == [
        ("Approuver", "primary"),
        ("Refuser", "danger"),
    ]
    assert buttons[0]["url"] == (
        "https://scheduler.example.org/decide/tok123?sig=abc&decision=approve&lang=fr"
    )
    card = teams_body["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert [a["title"] for a in card["actions"]] == ["Approuver", "Refuser"]
    assert card["body"][0]["text"].startswith("Votre validation est demandée")
    assert channel_body["blocks"][0]["text"]["text"] == "New mention on Mastodon"
    # What happened, in the person's words rather than the event type.
    context = next(b for b in slack_body["blocks"] if b["type"] == "context")
    assert context["elements"][0]["text"] == "Votre validation est demandée"
    assert "actions" not in [b["type"] for b in channel_body["blocks"]]
    assert slack.received[0].headers["content-type"] == "application/json"
    # The person's messages say where to change what they receive: the console's page behind
    # sign-in, never a capability (a chat webhook may post where others read).
    settings = "/w/acme/notifications/preferences"
    console = notify.settings.console_url.rstrip("/")
    section = next(b for b in slack_body["blocks"] if b["type"] == "section")
    assert f"Gérer vos notifications : {console}{settings}" in section["text"]["text"]
    assert f"{console}{settings}" in card["body"][1]["text"]
    assert "/hooks/" not in slack.received[0].body.decode() + teams.received[0].body.decode()
    assert settings not in channel.received[0].body.decode()  # an integrator's, no person's


async def test_a_rotated_endpoint_signs_with_both_secrets_then_only_the_new(
    notify: NotifyDriver,
) -> None:
    with Receiver() as receiver:
        endpoint = await notify.endpoint(url=receiver.url, events=["mention.received.v1"])
        rotated = (
            await notify.http.post(
                f"/endpoints/{endpoint['id']}/secrets/rotate",
                json={"expire_old_after_seconds": 3600},
                headers=notify.admin,
            )
        ).json()
        old, new = endpoint["secret"], rotated["secret"]
        assert old != new
        kept = await stored(
            notify.settings.mongo.url, notify.settings.database, "endpoints", endpoint["id"]
        )
        sealed = [s["value"] for s in kept["secrets"]]  # at rest: ciphertext, notify's key opens
        assert all(value.startswith("sealed:v1:") for value in sealed)
        assert [Sealer.of(SECRET_KEY).open(value) for value in sealed] == [old, new]
        assert [s["expires_at"] is None for s in rotated["endpoint"]["secrets"]] == [False, True]
        await notify.publish(a_mention())
        await eventually(
            lambda: asyncio.sleep(0, len(receiver.received)), lambda n: n == 1, what="webhook"
        )
        at_once = await notify.http.post(
            f"/endpoints/{endpoint['id']}/secrets/rotate",
            json={"expire_old_after_seconds": 0},
            headers=notify.admin,
        )
        newest = at_once.json()["secret"]
        second = a_mention().model_copy(update={"id": "second-event"})
        await notify.publish(second)
        await eventually(
            lambda: asyncio.sleep(0, len(receiver.received)), lambda n: n == 2, what="webhook 2"
        )
        first_got, second_got = receiver.received
    assert len(first_got.headers["webhook-signature"].split(" ")) == 2
    verify([old], first_got.headers, first_got.body)
    verify([new], first_got.headers, first_got.body)
    assert len(second_got.headers["webhook-signature"].split(" ")) == 1
    assert verify([newest], second_got.headers, second_got.body) == "second-event"


async def test_endpoint_input_is_checked(notify: NotifyDriver) -> None:
    for body in (
        {"url": "https://hooks.slack.com/x", "kind": "discord"},
        {"url": "https://u:p@hooks.slack.com/x", "kind": "slack"},
        {"url": "https://x.org", "secrets": ["mine"]},
    ):
        response = await notify.http.post("/endpoints", json=body, headers=notify.admin)
        assert response.status_code == 422, body
    slack = await notify.endpoint(url="https://hooks.slack.com/services/T/B/X", kind="slack")
    assert slack["secret"] is None
    refused = await notify.http.post(
        f"/endpoints/{slack['id']}/secrets/rotate", json={}, headers=notify.admin
    )
    assert refused.status_code == 422
    patched = await notify.http.patch(
        f"/endpoints/{slack['id']}",
        json={"events": ["approval.step_opened.v1"], "language": "fr"},
        headers=notify.admin,
    )
    assert (patched.json()["events"], patched.json()["language"]) == (
        ["approval.step_opened.v1"],
        "fr",
    )
    globex_admin = bearer(notify.issuer, "globex", Role.ADMIN)
    elsewhere = await notify.http.get(f"/endpoints/{slack['id']}", headers=globex_admin)
    assert elsewhere.status_code == 404
    as_approver = await notify.http.get(f"/endpoints/{slack['id']}", headers=notify.person("x"))
    assert as_approver.status_code == 403
    bad_person = await notify.http.put(
        "/people/p1", json={"name": "P", "email": "not an address"}, headers=notify.admin
    )
    assert bad_person.status_code == 422
