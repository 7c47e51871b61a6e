"""Notify's directory follows the real identity: a verified address is the one emailed, a
removed person is not, and a redelivered or old accounts event changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.events import MembershipChangedV1
from support.identity import ADMIN_EMAIL, IdentityDriver, identity, mailbox, session
from support.notify import NotifyDriver, running_notify
from support.notify_events import a_step_opened
from support.notify_smtp import Mailbox
from support.waiting import eventually

BO = "bo@acme.example"
__all__ = ["identity", "mailbox"]  # fixtures


@pytest.fixture
async def notify(
    infra: Infra,
    unique_name: Callable[[str], str],
    issuer: LocalIssuer,
    mailbox: Mailbox,
    identity: IdentityDriver,
) -> AsyncIterator[NotifyDriver]:
    """Notify on identity's topics (its own database and consumer groups)."""
    async with running_notify(
        infra,
        unique_name("notify"),
        issuer,
        kafka=identity.settings.kafka,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        message_id_domain="notify.test",
        max_attempts=30,  # a deferred email keeps being retried, about once a second
        backoff_base_seconds=1,
        backoff_max_seconds=1,
    ) as driver:
        yield driver


async def entry(notify: NotifyDriver, person_id: str) -> dict[str, Any] | None:
    response = await notify.http.get(f"/people/{person_id}", headers=notify.admin)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def account_id(identity: IdentityDriver, token: str) -> str:
    me = (await identity.http.get("/me", headers=session(token))).json()
    return str(me["account"]["id"])


def mails_to(mailbox: Mailbox, address: str, step: str = "") -> int:
    """Notify's emails to `address` (identity's invitations and links are not counted)."""
    return sum(
        1
        for rcpt, m in mailbox.messages
        if address in rcpt
        and step in (m["X-Ensemble-Delivery"] or "") + str(m["Subject"])
        and m["X-Ensemble-Delivery"]
    )


async def test_the_directory_follows_identity_and_emails_only_verified_present_people(
    identity: IdentityDriver, notify: NotifyDriver, mailbox: Mailbox
) -> None:
    admin = await identity.setup()
    ana = await account_id(identity, admin)
    # setup leaves the address unproved: the entry exists, with no email to send to
    listed = await eventually(lambda: entry(notify, ana), lambda e: e is not None, what="ana")
    assert listed is not None
    assert (listed["email"], listed["roles"], listed["origin"]) == (None, ["admin"], "identity")

    secret = await identity.link(ADMIN_EMAIL, "/verify-email/")
    assert (await identity.post("/email-verifications/consume", {"token": secret})).is_success
    await eventually(
        lambda: entry(notify, ana), lambda e: e is not None and e["email"] == ADMIN_EMAIL, what="v"
    )

    bo_token = await identity.join(admin, BO, ["approver"], name="Bo Berg")
    bo = await account_id(identity, bo_token)
    joined = await eventually(
        lambda: entry(notify, bo), lambda e: e is not None and e["email"] == BO, what="bo"
    )
    assert joined is not None
    assert (joined["name"], joined["roles"]) == ("Bo Berg", ["approver"])

    # identity owns the address: a hand-written PUT cannot change it
    rewrite = await notify.http.put(
        f"/people/{bo}",
        json={"name": "Bo Berg", "email": "elsewhere@evil.example", "roles": ["approver"]},
        headers=notify.admin,
    )
    assert rewrite.status_code == 409, rewrite.text
    assert "come from identity" in rewrite.json()["message"]

    step = a_step_opened(external_email=None)
    step = step.model_copy(update={"data": step.data.model_copy(update={"roles": ("approver",)})})
    await notify.publish(step)
    await eventually(
        lambda: asyncio.sleep(0, mails_to(mailbox, BO)), lambda n: n == 1, what="email to bo"
    )

    changes = [e for e in await identity.events() if isinstance(e, MembershipChangedV1)]
    bo_joined = next(e for e in changes if e.data.account_id == bo)

    removed = await identity.http.delete(f"/workspaces/acme/members/{bo}", headers=session(admin))
    assert removed.status_code == 204, removed.text
    await eventually(lambda: entry(notify, bo), lambda e: e is None, what="bo gone")

    # the old "joined" event, delivered again, does not bring Bo back
    await identity.redeliver(bo_joined)

    second = a_step_opened(ana, external_email=None)
    second = second.model_copy(
        update={"data": second.data.model_copy(update={"roles": ("approver",), "step": "brand"})}
    )
    await notify.publish(second)
    await eventually(
        lambda: asyncio.sleep(0, mails_to(mailbox, ADMIN_EMAIL, second.id)),
        lambda n: n >= 1,
        what="the second step, to Ana only",
    )
    await asyncio.sleep(2)  # room for a wrong email or a wrong return
    assert mails_to(mailbox, BO) == 1
    assert await entry(notify, bo) is None


def email_to(person: str) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    return lambda ds: [d for d in ds if d["recipient"] == person and d["channel"] == "email"]


async def test_a_removed_persons_pending_email_is_not_sent(
    identity: IdentityDriver, notify: NotifyDriver, mailbox: Mailbox
) -> None:
    admin = await identity.setup()
    bo = await account_id(identity, await identity.join(admin, BO, ["viewer"]))
    placed = await identity.http.patch(
        f"/workspaces/acme/members/{bo}", json={"teams": ["legal"]}, headers=session(admin)
    )
    assert placed.status_code == 200, placed.text
    await eventually(
        lambda: entry(notify, bo),
        lambda e: e is not None and (e["email"], e["teams"]) == (BO, ["legal"]),
        what="bo in legal",
    )
    mailbox.defer.add(BO)  # the mail server says "later": the email waits for a retry
    step = a_step_opened(external_email=None)
    await notify.publish(  # a step naming identity's team reaches its members
        step.model_copy(update={"data": step.data.model_copy(update={"teams": ("legal",)})})
    )
    await eventually(
        notify.deliveries,
        lambda ds: any(d["attempts"] >= 1 for d in email_to(bo)(ds)),
        what="a first attempt, deferred",
    )

    removed = await identity.http.delete(f"/workspaces/acme/members/{bo}", headers=session(admin))
    assert removed.status_code == 204, removed.text
    await eventually(lambda: entry(notify, bo), lambda e: e is None, what="bo gone")
    mailbox.defer.clear()  # the server would take it now

    finished = await eventually(
        notify.deliveries,
        lambda ds: any(d["status"] != "pending" for d in email_to(bo)(ds)),
        what="the pending email ended",
    )
    [ended] = email_to(bo)(finished)
    assert ended["status"] == "failed"
    assert "left the workspace" in (ended["last_error"] or "")
    assert mails_to(mailbox, BO) == 0
