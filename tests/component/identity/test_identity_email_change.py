"""Changing an account's address: proven by a link to the new address, announced, audited,
told to the old address; the old address no longer signs in and is free for another account."""

from __future__ import annotations

from ensemble_shared.events import AccountUpdatedV1
from support.identity import ADMIN_EMAIL, PASSWORD, IdentityDriver, session, text_of
from support.waiting import eventually

NEW = "ana.new@acme.example"


async def test_a_new_address_is_proven_by_its_link_then_signs_in_and_the_old_one_is_told(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    headers = session(admin)
    wrong = await identity.http.post(
        "/me/email-change", json={"email": NEW, "current_password": "nope"}, headers=headers
    )
    assert wrong.status_code == 403
    same = await identity.http.post(
        "/me/email-change",
        json={"email": ADMIN_EMAIL.upper(), "current_password": PASSWORD},
        headers=headers,
    )
    assert same.status_code == 409  # the address it has (compared normalised)
    asked = await identity.http.post(
        "/me/email-change", json={"email": NEW, "current_password": PASSWORD}, headers=headers
    )
    assert asked.status_code == 202, asked.text
    token = await identity.link(NEW, "/change-email/")
    # Until the link is followed nothing changes; reading the link spends nothing.
    assert (await identity.http.get("/me", headers=headers)).json()["account"]["email"] == (
        ADMIN_EMAIL
    )
    looked = await identity.post("/email-changes/lookup", {"token": token})
    assert (looked.status_code, looked.json()["email"]) == (200, NEW)

    changed = await identity.post("/email-changes/consume", {"token": token})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["email"], changed.json()["email_verified"]) == (NEW, True)
    replay = await identity.post("/email-changes/consume", {"token": token})
    assert (replay.status_code, replay.json()["reason"]) == (410, "used")

    assert (await identity.sign_in(NEW, PASSWORD)).status_code == 201
    assert (await identity.sign_in(ADMIN_EMAIL, PASSWORD)).status_code == 401
    notice = await identity.message(ADMIN_EMAIL, NEW)
    assert "no longer signs in" in text_of(notice)
    audit = await identity.http.get(
        "/workspaces/acme/audit",
        headers={"Authorization": f"Bearer {await identity.access_token(admin)}"},
    )
    assert audit.status_code == 200, audit.text
    [entry] = [e for e in audit.json()["items"] if e["action"] == "email.changed"]
    assert (entry["details"]["email"], entry["details"]["previous_email"]) == (NEW, ADMIN_EMAIL)

    async def announced() -> list[AccountUpdatedV1]:
        return [e for e in await identity.events() if isinstance(e, AccountUpdatedV1)]

    [event] = await eventually(announced, lambda es: len(es) == 1, what="account.updated")
    assert (event.workspace, event.data.email, event.data.email_verified) == ("acme", NEW, True)
    # The old address is free: someone else may now be invited with it.
    joined = await identity.join(admin, ADMIN_EMAIL, ["viewer"], name="Other")
    assert joined


async def test_an_address_another_account_holds_gets_no_link_and_the_same_answer(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    await identity.join(admin, "bo@acme.example", ["viewer"])
    asked = await identity.http.post(
        "/me/email-change",
        json={"email": "bo@acme.example", "current_password": PASSWORD},
        headers=session(admin),
    )
    assert asked.status_code == 202
    async with identity.store() as store:
        assert await store["links"].count_documents({"purpose": "email_change"}) == 0
    assert not [m for _, m in identity.mailbox.messages if "/change-email/" in text_of(m)]
