"""Capabilities leave only to their recipient: an integrator's webhook and the delivery log get
an opened step without any decision link, while each approver's email carries their own."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import utcnow
from ensemble_shared.events.approvals import ApprovalLink
from support.notify import NotifyDriver
from support.notify_events import a_step_opened
from support.notify_smtp import Mailbox, plain_text
from support.receiver import Receiver
from support.waiting import eventually


def decision_link(approver: str, name: str, email: str | None = None) -> tuple[ApprovalLink, str]:
    """A link as scheduler issues it: a signed capability in the console's decision page path."""
    expires = utcnow() + timedelta(days=2)
    token = Capabilities("s" * 32, "approval-link").sign({"approver": approver}, expires=expires)
    url = f"https://ensemble.example.org/hooks/decisions/{token}"
    return ApprovalLink(
        approver=approver, name=name, email=email, url=url, expires_at=expires
    ), token


async def test_integrators_and_the_delivery_log_never_get_a_decision_link(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person("camille", name="Camille", email="camille@acme.example")
    camille, camille_token = decision_link("person:camille", "camille")
    olivier, olivier_token = decision_link("ext-olivier", "Olivier", "olivier@agence.example")
    step = a_step_opened("camille")
    step = step.model_copy(
        update={
            "data": step.data.model_copy(update={"links": (olivier,), "person_links": (camille,)})
        }
    )
    with Receiver() as integrator:
        await notify.endpoint(url=integrator.url)  # every event, the default
        await notify.publish(step)
        [received] = await eventually(
            lambda: asyncio.sleep(0, integrator.delivered()), lambda r: len(r) == 1
        )
        await eventually(
            lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) == 2, what="two emails"
        )

    body = received.body.decode()
    for token in (camille_token, olivier_token):
        assert token not in body
    data = json.loads(body)["data"]
    assert (data["step"], data["people"]) == ("legal", ["camille"])  # the event itself arrives
    assert [link["approver"] for link in data["person_links"] + data["links"]] == [
        "person:camille",
        "ext-olivier",
    ]
    assert all("url" not in link for link in data["person_links"] + data["links"])

    emails = {tos[0]: plain_text(message) for tos, message in mailbox.messages}
    assert camille_token in emails["camille@acme.example"]  # each approver gets their own link
    assert olivier_token not in emails["camille@acme.example"]
    assert olivier_token in emails["olivier@agence.example"]

    logged = await notify.deliveries()
    assert {d["channel"] for d in logged} >= {"webhook", "email", "in_app"}
    details = [
        (await notify.http.get(f"/deliveries/{d['id']}", headers=notify.admin)).text for d in logged
    ]
    for shown in [json.dumps(logged), *details]:
        assert camille_token not in shown
        assert olivier_token not in shown
    assert "/hooks/decisions/[redacted]" in json.dumps(logged)
