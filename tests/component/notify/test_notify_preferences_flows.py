"""Preferences on the real stack (real SMTP server): off sends nothing, quiet hours hold then
release, email only if the inbox item stays unread, one-click unsubscribe turns email off."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from ensemble_shared.events import utcnow
from ensemble_shared.events.notifications import NotificationUnsubscribedV1
from support.notify import NotifyDriver
from support.notify_events import an_assignment
from support.notify_routing import fast_forward, held_count
from support.notify_smtp import Mailbox
from support.waiting import eventually


@pytest.fixture(autouse=True)
async def camille(notify: NotifyDriver) -> None:
    """Every test here is about Camille, in Paris, reached by email."""
    await notify.put_person(
        "camille", name="Camille", email="camille@acme.example", time_zone="Europe/Paris"
    )


async def set_mine(notify: NotifyDriver, **body: Any) -> dict[str, Any]:
    response = await notify.http.put("/me/preferences", json=body, headers=notify.person("camille"))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def unsubscribes(notify: NotifyDriver) -> list[NotificationUnsubscribedV1]:
    found = await notify.notifications()
    return [e for e in found if isinstance(e, NotificationUnsubscribedV1)]


async def mails(mailbox: Mailbox, count: int) -> None:
    async def probe() -> int:
        return len(mailbox.messages)

    await eventually(probe, lambda n: n >= count, what=f"{count} emails")


async def test_email_turned_off_sends_only_to_the_inbox(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    mine = await set_mine(
        notify, rules=[{"event": "mention.*", "channel": "email", "enabled": False}]
    )
    assert mine["person"] == "camille"
    assert mine["version"] == 1
    refused = await notify.http.put(
        "/me/preferences",
        json={"rules": [], "person": "someone-else"},
        headers=notify.person("camille"),
    )
    assert refused.status_code == 422  # nobody edits another person's preferences
    await notify.publish(an_assignment("camille"))
    delivered = await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 1, what="the inbox item"
    )
    await asyncio.sleep(1.5)
    assert [d["channel"] for d in delivered] == ["in_app"]
    assert mailbox.messages == []
    assert len(await notify.deliveries()) == 1


async def test_the_one_click_unsubscribe_link_turns_that_email_off(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.publish(an_assignment("camille"))
    await mails(mailbox, 1)
    [(_, message)] = mailbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("https://notify.example.org/unsubscribe?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    page = await notify.http.get("/unsubscribe", params={"token": token})
    assert page.status_code == 303  # a browser opening the header's URL gets the console's page
    assert page.headers["location"] == f"https://app.example.org/hooks/unsubscribe/{token}"
    text = message.get_body(("plain",))
    assert text is not None
    assert f"https://app.example.org/hooks/unsubscribe/{token}" in text.get_content()
    assert "https://app.example.org/hooks/preferences/" in text.get_content()
    shown = await notify.http.get("/unsubscribe/link", params={"token": token})
    assert shown.json() == {
        "workspace": "acme",
        "person": "camille",
        "event": "mention.assigned.v1",
        "channel": "email",
    }
    assert (await notify.http.get("/me/preferences", headers=notify.person("camille"))).json()[
        "rules"
    ] == []  # looking at the page changes nothing
    forged = await notify.http.post("/unsubscribe", params={"token": token[:-3] + "AAA"})
    assert forged.status_code in (400, 401, 422)
    clicked = await notify.http.post(
        "/unsubscribe", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    assert clicked.status_code == 200, clicked.text
    assert clicked.json() == {"event": "mention.assigned.v1", "channel": "email", "enabled": False}
    again = await notify.http.post("/unsubscribe", params={"token": token})
    assert again.status_code == 200  # idempotent
    announced = await eventually(
        lambda: unsubscribes(notify), lambda found: len(found) >= 1, what="the unsubscribe event"
    )
    [off] = announced  # the second click turned off nothing new: announced once
    assert (off.workspace, off.subject) == ("acme", "acme/camille")
    assert off.data.model_dump() == {
        "person": "camille",
        "event": "mention.assigned.v1",
        "channel": "email",
        "via": "link",
    }
    assert "camille@" not in off.model_dump_json()  # who, never the address
    rules = (await notify.http.get("/me/preferences", headers=notify.person("camille"))).json()
    assert rules["rules"] == [
        {
            "event": "mention.assigned.v1",
            "channel": "email",
            "enabled": False,
            "delivery": "immediate",
            "email_if_unread_minutes": None,
        }
    ]
    await notify.publish(an_assignment("camille"))
    await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 3, what="the second inbox item"
    )
    await asyncio.sleep(1.5)
    assert len(mailbox.messages) == 1


async def test_quiet_hours_hold_email_until_they_end_and_the_inbox_fills_at_once(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    local = utcnow().astimezone(ZoneInfo("Europe/Paris"))
    start = (local - timedelta(hours=1)).time().replace(microsecond=0)
    end = (local + timedelta(seconds=6)).time().replace(microsecond=0)
    await set_mine(notify, quiet_hours={"start": start.isoformat(), "end": end.isoformat()})
    await notify.publish(an_assignment("camille"))
    delivered = await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 1, what="the inbox item"
    )
    assert [d["channel"] for d in delivered] == ["in_app"]
    assert mailbox.messages == []
    assert await held_count(notify) == 1
    await mails(mailbox, 1)  # released when the quiet hours end
    await asyncio.sleep(1.0)
    [(to, message)] = mailbox.messages
    assert to == ["camille@acme.example"]
    assert message["Subject"] == "A mention was assigned to you"  # one item: sent as it was
    assert await held_count(notify) == 0


async def test_email_goes_only_if_the_inbox_item_is_still_unread(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await set_mine(notify, rules=[{"channel": "email", "email_if_unread_minutes": 5}])
    read_one, unread_one = an_assignment("camille"), an_assignment("camille")
    await notify.publish(read_one, unread_one)
    await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 2, what="two inbox items"
    )
    assert await held_count(notify) == 2
    assert mailbox.messages == []
    marked = await notify.http.post(
        f"/inbox/{read_one.id}:camille:in_app/read", headers=notify.person("camille")
    )
    assert marked.status_code == 200, marked.text
    assert await fast_forward(notify) == 2  # as if the five minutes had passed
    await mails(mailbox, 1)
    await eventually(lambda: held_count(notify), lambda n: n == 0, what="both checks done")
    await asyncio.sleep(1.0)
    [(_, message)] = mailbox.messages
    assert message["X-Ensemble-Delivery"] == f"{unread_one.id}:camille:email"
