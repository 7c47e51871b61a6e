"""Digests on the real stack: N held items become one email, sent once per person and period,
while the inbox still gets each item at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from ensemble_shared.events.schedules import DigestRequestData, DigestRequestedV1
from support.apps import bearer
from support.notify import NotifyDriver
from support.notify_events import an_assignment
from support.notify_routing import fast_forward, held_count, publishing
from support.notify_smtp import Mailbox
from support.waiting import eventually


async def test_a_daily_digest_is_one_email_with_every_item_sent_once(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person(
        "camille",
        name="Camille",
        email="camille@acme.example",
        language="fr",
        time_zone="America/New_York",
    )
    defaults = {"rules": [{"event": "mention.*", "channel": "email", "delivery": "daily"}]}
    response = await notify.http.put("/preferences/defaults", json=defaults, headers=notify.admin)
    assert response.status_code == 200, response.text
    events = [an_assignment("camille") for _ in range(3)]
    await notify.publish(*events)
    await notify.publish(events[0])  # redelivered: still one item
    await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 3, what="three inbox items"
    )
    assert await held_count(notify) == 3
    await asyncio.sleep(1.0)
    assert mailbox.messages == []  # the day is not over

    assert await fast_forward(notify) == 3
    await eventually(
        lambda: asyncio.sleep(0, len(mailbox.messages)), lambda n: n >= 1, what="the digest"
    )
    await eventually(lambda: held_count(notify), lambda n: n == 0, what="items released")
    await notify.publish(events[1])  # a redelivery after the digest holds nothing again
    await asyncio.sleep(2.0)  # several release passes
    assert await held_count(notify) == 0
    [(to, message)] = mailbox.messages
    assert to == ["camille@acme.example"]
    assert message["Subject"] == "Votre récapitulatif quotidien : 3 notifications"
    text = message.get_body(("plain",))
    assert text is not None
    assert text.get_content().count("Une mention vous a été attribuée") == 3
    emails = [d for d in await notify.deliveries() if d["channel"] == "email"]
    assert [d["event_type"] for d in emails] == ["notification.digest.v1"]
    assert emails[0]["id"].startswith("digest:acme:camille:daily:")


async def test_a_workspaces_digest_job_releases_only_its_own_digests(
    notify_hourly_digests: NotifyDriver, mailbox: Mailbox
) -> None:
    """acme's digest job fires: acme's due digest goes now; globex's, due too, waits for
    globex's own job or notify's periodic pass (here an hour away)."""
    notify = notify_hourly_digests
    daily = {"rules": [{"event": "mention.*", "channel": "email", "delivery": "daily"}]}
    for workspace, person in (("acme", "camille"), ("globex", "gus")):
        admin = bearer(notify.issuer, workspace, Role.ADMIN)
        put = await notify.http.put(
            f"/people/{person}",
            json={"name": person.title(), "email": f"{person}@{workspace}.example"},
            headers=admin,
        )
        assert put.status_code == 200, put.text
        [pending] = put.json()["pending"]
        confirmed = await notify.confirm_address(person, pending, workspace)
        assert confirmed.status_code == 200, confirmed.text
        defaults = await notify.http.put("/preferences/defaults", json=daily, headers=admin)
        assert defaults.status_code == 200, defaults.text
    await notify.publish(an_assignment("camille"), an_assignment("gus", workspace="globex"))
    await eventually(lambda: held_count(notify), lambda n: n == 2, what="both held")
    assert await fast_forward(notify) == 2

    now = utcnow()
    job = DigestRequestedV1(
        source="ensemble/scheduler",
        subject="acme:morning",
        workspace="acme",
        data=DigestRequestData(
            job="morning",
            run_id=f"acme:morning:1@{now.isoformat()}",
            scheduled_for=now,
            period="daily",
            window_start=now - timedelta(days=1),
            window_end=now,
        ),
    )
    async with publishing(notify) as publisher:
        await publisher.publish([job])
    await eventually(
        lambda: asyncio.sleep(0, len(mailbox.messages)), lambda n: n >= 1, what="acme's"
    )
    await asyncio.sleep(2.0)  # the same pass would have sent globex's by now
    assert [to for to, _ in mailbox.messages] == [["camille@acme.example"]]
    assert await held_count(notify) == 1
