"""Feedback's member profiles follow the real identity: name and address from account
updates, a removal marks the profile gone and keeps what the member wrote; an old or
redelivered accounts event changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app
from ensemble_shared.events import AccountUpdatedV1
from support.apps import running
from support.feedback import Feedback, feedback_settings
from support.identity import IdentityDriver, identity, mailbox, session
from support.waiting import eventually

__all__ = ["identity", "mailbox"]  # fixtures
MIA = "mia@fans.example"


@pytest.fixture
async def feedback(
    infra: Infra,
    unique_name: Callable[[str], str],
    issuer: LocalIssuer,
    identity: IdentityDriver,
) -> AsyncIterator[Feedback]:
    """Feedback on identity's topics, with its own database."""
    settings = feedback_settings(infra, unique_name("feedback"), issuer)
    settings = settings.model_copy(update={"kafka": identity.settings.kafka})
    async with running(create_app(settings)) as client:
        yield Feedback(client, settings, issuer)


async def profile(feedback: Feedback, member_id: str) -> dict[str, Any]:
    response = await feedback.client.get(f"/members/{member_id}", headers=feedback.manager)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def named(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda found: found["display_name"] == name


async def test_a_member_profile_follows_its_account_and_outlives_a_removal(
    identity: IdentityDriver, feedback: Feedback
) -> None:
    admin = await identity.setup()
    asked = await identity.post("/magic-links", {"email": MIA, "workspace": "acme", "name": "Mia"})
    assert asked.status_code == 202, asked.text
    opened = await identity.post(
        "/magic-links/consume", {"token": await identity.link(MIA, "/magic/")}
    )
    assert opened.status_code == 201, opened.text
    mia_session = opened.json()["session_token"]
    mia = (await identity.http.get("/me", headers=session(mia_session))).json()["account"]["id"]

    # the community profile, made with a member token whose subject is the account id
    made = await feedback.client.post(
        "/workspaces/acme/members",
        json={"display_name": "Mimi", "consents": ["status_changes"]},
        headers=feedback.member(mia),
    )
    assert made.status_code == 201, made.text
    idea = await feedback.client.post(
        "/submissions", json={"kind": "idea", "title": "Night tours"}, headers=feedback.member(mia)
    )
    assert idea.status_code == 201, idea.text

    for name in ("Mia Rossi", "Mia R."):
        changed = await identity.http.patch(
            "/me", json={"name": name}, headers=session(mia_session)
        )
        assert changed.status_code == 200, changed.text
        await eventually(lambda: profile(feedback, mia), named(name), what=name)
    followed = await profile(feedback, mia)
    assert (followed["email"], followed["email_verified"]) == (MIA, True)

    # "Mia Rossi" again, late: older than what the profile reflects, so nothing changes
    updates = [e for e in await identity.events() if isinstance(e, AccountUpdatedV1)]
    older = next(e for e in updates if e.data.display_name == "Mia Rossi")
    await identity.redeliver(older)

    removed = await identity.http.delete(f"/workspaces/acme/members/{mia}", headers=session(admin))
    assert removed.status_code == 204, removed.text
    gone = await eventually(
        lambda: profile(feedback, mia), lambda p: p["left_at"] is not None, what="mia gone"
    )
    assert gone["display_name"] == "Mia R."  # the late event was not applied
    assert gone["consents"] == []  # nothing is sent to her any more
    kept = await feedback.client.get(
        f"/submissions/{idea.json()['submission']['id']}", headers=feedback.manager
    )
    assert kept.status_code == 200, kept.text  # what she wrote stays
