"""A person's addresses are theirs: only they (or an admin) set them, and nothing personal
goes to an address, decision links least of all, until its owner confirms the verification
message sent there. Real SMTP server, real HTTP receivers standing in for Slack."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from ensemble_shared.events.approvals import ApprovalLink
from ensemble_shared.sealing import Sealer
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.apps import SECRET_KEY, bearer
from support.notify import NotifyDriver
from support.notify_events import a_step_opened, an_assignment
from support.notify_smtp import Mailbox, plain_text
from support.receiver import Receiver
from support.stored import stored
from support.waiting import eventually

PAGE = "https://app.example.org/hooks/verify-address/"


def camille_step() -> Any:
    """An opened step naming Camille, with her own signed decision link."""
    link = ApprovalLink(
        approver="person:camille",
        name="camille",
        url="https://app.example.org/hooks/decisions/tok-camille",
        expires_at=utcnow() + timedelta(days=2),
    )
    step = a_step_opened("camille", external_email=None)
    return step.model_copy(update={"data": step.data.model_copy(update={"person_links": (link,)})})


def confirm_url(received: bytes) -> str:
    """The button of a Slack verification message."""
    blocks = json.loads(received)["blocks"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    return str(actions["elements"][0]["url"])


async def kept_changes(notify: NotifyDriver, person: str) -> list[dict[str, Any]]:
    """The person's address changes as the store holds them."""
    client = create_client(MongoSettings(url=notify.settings.mongo.url))
    try:
        found = client[notify.settings.database]["address_changes"].find({"person": person})
        return [dict(d) async for d in found]
    finally:
        client.close()


async def delivered_to(notify: NotifyDriver, recipient: str) -> list[dict[str, Any]]:
    return [d for d in await notify.deliveries("delivered") if d["recipient"] == recipient]


async def test_a_manager_cannot_set_or_remove_someone_elses_addresses(
    notify: NotifyDriver,
) -> None:
    manager = bearer(notify.issuer, "acme", Role.MANAGER, subject="max")
    with Receiver() as slack:
        # managers still describe people, without addresses
        created = await notify.http.put("/people/camille", json={"name": "C"}, headers=manager)
        assert created.status_code == 200, created.text
        for method, path, body in (
            ("PUT", "/people/camille", {"name": "C", "slack_webhook_url": slack.url}),
            ("PUT", "/people/camille", {"name": "C", "email": "max@evil.example"}),
            ("PUT", "/people/camille/addresses", {"teams_webhook_url": slack.url}),
        ):
            refused = await notify.http.request(method, path, json=body, headers=manager)
            assert refused.status_code == 403, refused.text
            assert "themselves or an admin" in refused.json()["message"]
        other = bearer(notify.issuer, "acme", Role.APPROVER, subject="lea")
        as_colleague = await notify.http.put(
            "/people/camille/addresses", json={"slack_webhook_url": slack.url}, headers=other
        )
        assert as_colleague.status_code == 403
        # an approver reads no one's entry but their own (to see and change their addresses)
        assert (await notify.http.get("/people/camille", headers=other)).status_code == 403
        own = await notify.http.get("/people/camille", headers=notify.person("camille"))
        assert own.status_code == 200, own.text
        audit = await notify.http.get("/people/camille/address-changes", headers=manager)
        assert audit.status_code == 403
        entry = (await notify.http.get("/people/camille", headers=manager)).json()
        assert (entry["slack_webhook_url"], entry["email"], entry["pending"]) == (None, None, [])
        await asyncio.sleep(0.5)
        assert (slack.received, slack.verifications) == ([], [])


async def test_an_address_gets_nothing_but_its_verification_until_its_owner_confirms(
    notify: NotifyDriver,
) -> None:
    await notify.put_person("camille", name="Camille", language="fr")
    camille = notify.person("camille")
    metadata = await notify.http.put(
        "/people/camille/addresses",
        json={"slack_webhook_url": "http://169.254.169.254/latest"},
        headers=camille,
    )
    assert metadata.status_code == 422, metadata.text  # never called, even to verify
    with Receiver() as slack:
        answer = await notify.http.put(
            "/people/camille/addresses", json={"slack_webhook_url": slack.url}, headers=camille
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["slack_webhook_url"] is None  # not in use yet
        [pending] = answer.json()["pending"]
        assert (pending["channel"], pending["address"]) == ("slack", slack.url)
        # the verification message went to the address, in the person's language
        [verification] = slack.verifications
        url = confirm_url(verification.body)
        assert url.startswith(PAGE)
        assert "Confirmez cette adresse" in verification.body.decode()
        token = url.removeprefix(PAGE)

        # a decision link does not go to an unproven address: in-app only
        await notify.publish(camille_step())
        await eventually(
            lambda: delivered_to(notify, "camille"), lambda d: len(d) == 1, what="in-app"
        )
        [in_app] = await delivered_to(notify, "camille")
        assert in_app["channel"] == "in_app"
        assert slack.received == []

        # GET shows and changes nothing; POST confirms, once
        for _ in range(2):
            shown = await notify.http.get("/addresses/verification", params={"token": token})
            assert shown.status_code == 200, shown.text
            assert (shown.json()["status"], shown.json()["address"]) == ("pending", slack.url)
        confirmed = await notify.http.post("/addresses/verification", params={"token": token})
        assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
        again = await notify.http.post("/addresses/verification", params={"token": token})
        assert again.status_code == 410, again.text
        forged = await notify.http.post("/addresses/verification", params={"token": token + "x"})
        assert forged.status_code == 401
        entry = (await notify.http.get("/people/camille", headers=notify.admin)).json()
        assert (entry["slack_webhook_url"], entry["pending"]) == (slack.url, [])

        # proven: the next decision link goes there
        await notify.publish(camille_step())
        await eventually(lambda: asyncio.sleep(0, slack.received), lambda r: len(r) == 1)
        assert "/hooks/decisions/tok-camille" in slack.received[0].body.decode()

        # the webhook URL is a credential: sealed wherever notify keeps it, shown by host only
        logged = await eventually(
            lambda: delivered_to(notify, "camille"),
            lambda d: any(x["channel"] == "slack" for x in d),
            what="the slack delivery logged",
        )
        [to_slack] = [x for x in logged if x["channel"] == "slack"]
        assert to_slack["address"] == "https://127.0.0.1/…"
        url, database = notify.settings.mongo.url, notify.settings.database
        at_rest = [
            (await stored(url, database, "deliveries", to_slack["id"]))["address"],
            (await stored(url, database, "people", "acme/camille"))["slack_webhook_url"],
            *[c["address"] for c in await kept_changes(notify, "camille")],
        ]
        assert all(value.startswith("sealed:v1:") for value in at_rest), at_rest
        assert {Sealer.of(SECRET_KEY).open(value) for value in at_rest} == {slack.url}

    audit = await notify.http.get("/people/camille/address-changes", headers=camille)
    assert audit.status_code == 200, audit.text
    assert [(c["change"], c["by"]) for c in audit.json()] == [
        ("requested", "camille"),
        ("confirmed", "link"),
    ]


async def test_an_email_set_by_an_admin_is_used_once_its_owner_confirms_it(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    mailbox.refuse.add("nobody@acme.example")
    bounced = await notify.http.put(
        "/people/nobody", json={"name": "No", "email": "nobody@acme.example"}, headers=notify.admin
    )
    assert bounced.status_code == 200, bounced.text
    [waiting] = bounced.json()["pending"]
    assert "550" in waiting["error"]  # said, not hidden: set it again to resend
    answer = await notify.http.put(
        "/people/olga", json={"name": "Olga", "email": "olga@acme.example"}, headers=notify.admin
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["email"], len(answer.json()["pending"])) == (None, 1)
    [(to, verification)] = mailbox.verifications
    assert to == ["olga@acme.example"]
    match = re.search(re.escape(PAGE) + r"([\w.-]+)", plain_text(verification))
    assert match is not None
    await notify.publish(an_assignment("olga"))
    await eventually(lambda: delivered_to(notify, "olga"), lambda d: len(d) == 1, what="in-app")
    assert mailbox.messages == []

    confirmed = await notify.http.post("/addresses/verification", params={"token": match.group(1)})
    assert confirmed.status_code == 200, confirmed.text
    await notify.publish(an_assignment("olga"))
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) == 1)
    assert mailbox.messages[0][0] == ["olga@acme.example"]
