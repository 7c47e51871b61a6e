"""Routing rules on the real stack: approvers by team, on-call for spikes, rules as data,
and members hearing about submissions only while they consent (real SMTP server)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ensemble_shared.events import (
    EventRsvpV1,
    MentionSpikeDetectedV1,
    RsvpData,
    SpikeData,
    utcnow,
)
from ensemble_shared.events.approvals import ApprovalLink
from support.mentions import a_mention
from support.notify import NotifyDriver
from support.notify_events import a_step_opened
from support.notify_routing import a_member, a_status_change, publishing
from support.notify_smtp import Mailbox, plain_text
from support.waiting import eventually


def a_spike() -> MentionSpikeDetectedV1:
    now = utcnow()
    return MentionSpikeDetectedV1(
        source="ensemble/ingest",
        subject="acme:*",
        workspace="acme",
        data=SpikeData(
            topic="*",
            negative_only=False,
            bucket_start=now - timedelta(minutes=5),
            bucket_seconds=300,
            count=40,
            mean=4.0,
            stddev=2.0,
            threshold=10.0,
        ),
    )


async def put_team(notify: NotifyDriver, name: str, **body: object) -> None:
    response = await notify.http.put(f"/teams/{name}", json=body, headers=notify.admin)
    assert response.status_code == 200, response.text


def recipients(mailbox: Mailbox) -> list[str]:
    return sorted(to for tos, _ in mailbox.messages for to in tos)


async def test_a_step_reaches_its_teams_and_a_spike_reaches_whoever_is_on_call(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    for person in ("lea", "louis", "olga", "omar"):
        await notify.put_person(person, name=person.title(), email=f"{person}@acme.example")
    await put_team(notify, "legal", members=["lea", "louis"])
    now = utcnow()
    await put_team(
        notify,
        "ops",
        members=["olga", "omar"],
        on_call=[
            {
                "person": "omar",
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            }
        ],
        on_call_person="olga",
    )
    step = a_step_opened(external_email=None)
    step = step.model_copy(update={"data": step.data.model_copy(update={"teams": ("legal",)})})
    await notify.publish(step, a_spike())
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 3)
    await asyncio.sleep(1.0)
    assert recipients(mailbox) == ["lea@acme.example", "louis@acme.example", "omar@acme.example"]
    [(_, spike)] = [(t, m) for t, m in mailbox.messages if t == ["omar@acme.example"]]
    assert spike["Subject"] == "Mention spike: 40 mentions"


async def test_a_step_naming_a_role_reaches_its_holders_and_a_named_person_gets_buttons(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    ada = await notify.put_person("ada", name="Ada", email="ada@acme.example", roles=["approver"])
    assert ada["roles"] == ["approver"]
    await notify.put_person("max", name="Max", email="max@acme.example", roles=["manager"])
    await notify.put_person("camille", name="Camille", email="camille@acme.example")
    own = ApprovalLink(
        approver="person:camille",
        name="camille",
        url="https://scheduler.example.org/approval-links/tok-camille",
        expires_at=utcnow() + timedelta(days=2),
    )
    step = a_step_opened("camille", external_email=None)
    data = step.data.model_copy(update={"roles": ("approver",), "person_links": (own,)})
    await notify.publish(step.model_copy(update={"data": data}))
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 2)
    await asyncio.sleep(1.0)  # room for a wrong message to Max
    assert recipients(mailbox) == ["ada@acme.example", "camille@acme.example"]
    texts = {tos[0]: plain_text(message) for tos, message in mailbox.messages}
    assert f"{own.url}?decision=approve" in texts["camille@acme.example"]
    assert "tok-camille" not in texts["ada@acme.example"]


async def test_rules_are_data_a_workspaces_own_rules_replace_the_defaults(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person("lea", name="Lea", email="lea@acme.example")
    await notify.put_person("camille", name="Camille", email="camille@acme.example")
    await put_team(notify, "legal", members=["lea"])
    defaults = await notify.http.get("/routing/rules", headers=notify.admin)
    assert defaults.status_code == 200
    assert defaults.json()["defaults"] is True
    rules = {
        "rules": [
            {"event": "mention.received.*", "recipients": ["team:legal"], "channels": ["in_app"]}
        ]
    }
    response = await notify.http.put("/routing/rules", json=rules, headers=notify.admin)
    assert response.status_code == 200, response.text
    refused = await notify.http.put(
        "/routing/rules",
        json={"rules": [{"event": "*", "recipients": ["everyone"]}]},
        headers=notify.admin,
    )
    assert refused.status_code == 422
    member_token = notify.person("camille")
    assert (await notify.http.get("/routing/rules", headers=member_token)).status_code == 403

    await notify.publish(a_mention(), a_step_opened("camille", external_email=None))
    delivered = await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) >= 1, what="lea's inbox item"
    )
    await asyncio.sleep(1.5)  # room for a wrong delivery to camille under the old defaults
    delivered = await notify.deliveries()
    assert [(d["recipient"], d["channel"]) for d in delivered] == [("lea", "in_app")]
    assert mailbox.messages == []


async def test_a_status_change_reaches_only_the_members_who_still_consent(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    async with publishing(notify) as publisher:
        await publisher.publish(
            [
                a_member("m1", "m1@members.example", "status_changes", language="fr"),
                a_member("m2", "m2@members.example", "ideas_followed"),
            ]
        )
        for member in ("m1", "m2"):

            async def projected(member: str = member) -> int:
                response = await notify.http.get(f"/members/{member}", headers=notify.admin)
                return response.status_code

            await eventually(projected, lambda status: status == 200, what=f"{member} projected")
        await publisher.publish([a_status_change("m1", "m2", "m-unknown")])
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 1)
    await asyncio.sleep(1.5)
    [(to, message)] = mailbox.messages
    assert to == ["m1@members.example"]
    # Statuses are words in the member's language, never the raw value.
    assert message["Subject"] == "« Dark mode » : nouveau statut « prévue »"
    text = message.get_body(("plain",))
    assert text is not None
    assert "passée du statut « à l’étude » au statut « prévue »" in text.get_content()
    html = message.get_body(("html",))
    assert html is not None
    assert "planned" not in html.get_content()
    assert "under review" not in html.get_content()
    assert str(message["List-Unsubscribe"]).strip() == (
        "<https://feedback.example.org/unsubscribe?token=tok-m1-status_changes>"
    )
    text = message.get_body(("plain",))
    assert text is not None  # the visible link opens the console's page, not the API
    assert "https://app.example.org/hooks/unsubscribe/members/tok-m1-status_changes" in (
        text.get_content()
    )
    [delivery] = await notify.deliveries()
    assert delivery["recipient"] == "member:m1"


async def test_a_members_field_event_seat_is_told_in_their_language(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    starts = utcnow() + timedelta(days=2)
    seat = EventRsvpV1(
        source="ensemble/feedback",
        subject="ev-1",
        workspace="acme",
        data=RsvpData(
            event_id="ev-1",
            title="Soirée dégustation",
            starts_at=starts,
            member_id="m1",
            status="waitlisted",
            position=2,
        ),
    )
    async with publishing(notify) as publisher:
        await publisher.publish([a_member("m1", "m1@members.example", language="fr")])

        async def projected() -> int:
            return (await notify.http.get("/members/m1", headers=notify.admin)).status_code

        await eventually(projected, lambda status: status == 200, what="m1 projected")
        await publisher.publish([seat])
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 1)
    [(to, message)] = mailbox.messages
    assert to == ["m1@members.example"]
    assert message["Subject"] == "Votre inscription à « Soirée dégustation » : en liste d’attente"
    text = message.get_body(("plain",))
    assert text is not None
    assert "est en liste d’attente (place 2)" in text.get_content()
    assert "waitlisted" not in text.get_content()
    assert "event.rsvp" not in str(message["Subject"])


async def test_an_unproven_member_address_gets_its_confirmation_link_and_no_news(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    """Anyone can type someone else's address in a profile: until the link feedback made is
    followed, that address gets the link (in the member's language) and nothing else."""
    async with publishing(notify) as publisher:
        await publisher.publish(
            [a_member("m3", "m3@members.example", "status_changes", language="fr", verified=False)]
        )
        [(to, message)] = await eventually(
            lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 1, what="the link"
        )
        assert to == ["m3@members.example"]
        assert message["Subject"] == "Confirmez votre adresse e-mail pour la communauté acme"
        assert "List-Unsubscribe" not in message
        assert (
            "Confirmer : https://feedback.example.org/members/verify-email?token=v-m3"
            in plain_text(message)
        )
        await publisher.publish([a_status_change("m3")])
        await asyncio.sleep(2)  # room for a wrong delivery
        assert len(mailbox.messages) == 1

        await publisher.publish([a_member("m3", "m3@members.example", "status_changes")])

        async def verified() -> bool:
            found = await notify.http.get("/members/m3", headers=notify.admin)
            return found.status_code == 200 and found.json()["email_verified"] is True

        await eventually(verified, bool, what="m3's proven address projected")
        await publisher.publish([a_status_change("m3")])
    news = await eventually(
        lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 2, what="the news"
    )
    assert news[-1][0] == ["m3@members.example"]
    assert "List-Unsubscribe" in news[-1][1]
