"""Getting in by email: password reset (single use, ends every session) and magic links for
community members (single use, expiring, sign-up where the workspace allows it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.events import utcnow
from support.identity import (
    ADMIN_EMAIL,
    PASSWORD,
    IdentityDriver,
    operator,
    running_identity,
    session,
    text_of,
)
from support.notify_smtp import Mailbox
from support.waiting import eventually

NEW_PASSWORD = "saffron-lantern-meadow-77"


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    identity: IdentityDriver,
) -> None:
    before = await identity.setup()
    asked = await identity.post("/password-resets", {"email": ADMIN_EMAIL})
    assert asked.status_code == 202
    token = await identity.link(ADMIN_EMAIL, "/reset-password/")
    assert (await identity.post("/password-resets/lookup", {"token": token})).status_code == 200

    weak = await identity.post(
        "/password-resets/consume", {"token": token, "new_password": "password1234"}
    )
    assert weak.status_code == 422  # too common; the link is not spent by a refused password
    reset = await identity.post(
        "/password-resets/consume", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert reset.status_code == 204, reset.text
    replay = await identity.post(
        "/password-resets/consume", {"token": token, "new_password": NEW_PASSWORD + "x"}
    )

    assert replay.status_code == 410
    assert replay.json()["reason"] == "used"
    assert (await identity.http.get("/me", headers=session(before))).status_code == 401
    assert (await identity.sign_in(ADMIN_EMAIL, PASSWORD)).status_code == 401
    assert (await identity.sign_in(ADMIN_EMAIL, NEW_PASSWORD)).status_code == 201


async def test_asking_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(
    identity: IdentityDriver,
) -> None:
    await identity.setup()
    unknown = await identity.post("/password-resets", {"email": "nobody@acme.example"})
    assert unknown.status_code == 202
    async with identity.store() as store:
        assert await store["email_queue"].count_documents({"to": "nobody@acme.example"}) == 0
    assert not [m for rcpt, m in identity.mailbox.messages if "nobody@acme.example" in rcpt]


async def test_a_magic_link_signs_a_new_member_up_once(identity: IdentityDriver) -> None:
    await identity.setup()
    asked = await identity.post(
        "/magic-links",
        {"email": "mia@fans.example", "workspace": "acme", "name": "Mia", "locale": "fr"},
    )
    assert asked.status_code == 202
    message = await identity.message("mia@fans.example", "/magic/")
    assert "Rejoindre Acme" in message["Subject"]
    token = await identity.link("mia@fans.example", "/magic/")

    opened = await identity.post("/magic-links/consume", {"token": token})
    replay = await identity.post("/magic-links/consume", {"token": token})

    assert opened.status_code == 201, opened.text
    assert replay.status_code == 410
    member = opened.json()["session_token"]
    claims = await identity.verifier().claims(await identity.access_token(member))
    assert (claims.kind, claims.roles, claims.name, claims.locale) == (
        "member",
        ("member",),
        "Mia",
        "fr",
    )


async def test_a_magic_link_expires(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> None:
    async with running_identity(
        infra, unique_name("identity"), issuer, mailbox, magic_link_minutes=0.02
    ) as identity:
        await identity.setup()
        await identity.post("/magic-links", {"email": "max@fans.example", "workspace": "acme"})
        token = await identity.link("max@fans.example", "/magic/")

        async def lookup() -> httpx.Response:
            return await identity.post("/magic-links/lookup", {"token": token})

        expired = await eventually(lookup, lambda r: r.status_code != 200, what="expiry")
        consumed = await identity.post("/magic-links/consume", {"token": token})
    assert (expired.status_code, expired.json()["reason"]) == (410, "expired")
    assert (consumed.status_code, consumed.json()["reason"]) == (410, "expired")


async def test_staff_get_no_magic_link_and_a_member_session_reaches_no_staff_place(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    await identity.message(ADMIN_EMAIL, "/verify-email/")
    async with identity.store() as store:

        async def queued() -> int:
            return int(await store["email_queue"].count_documents({}))

        await eventually(queued, lambda n: n == 0, what="the verification email sent")
        asked = await identity.post("/magic-links", {"email": ADMIN_EMAIL, "workspace": "acme"})
        assert asked.status_code == 202
        assert await queued() == 0
    assert not [m for _, m in identity.mailbox.messages if "/magic/" in text_of(m)]

    # A member of one workspace who is staff in another: the magic session stays community-side.
    await identity.invite(admin, "lea@acme.example", ["manager"])
    lea = await identity.post(
        "/invitations/accept",
        {
            "token": await identity.link("lea@acme.example", "/invitations/"),
            "name": "Léa",
            "password": PASSWORD,
        },
    )
    assert lea.status_code == 201
    async with operator(identity) as identity_cli:  # a second workspace, by the operator
        await identity_cli.workspaces.create("beta", "Beta", "en", "boss@beta.example")
    await identity.post("/magic-links", {"email": "lea@acme.example", "workspace": "beta"})
    token = await identity.link("lea@acme.example", "/magic/")
    opened = await identity.post("/magic-links/consume", {"token": token})
    assert opened.status_code == 201, opened.text
    member_session = opened.json()["session_token"]

    me = (await identity.http.get("/me", headers=session(member_session))).json()
    assert {p["workspace"]: p["reachable"] for p in me["places"]} == {"acme": False, "beta": True}
    refused = await identity.http.post(
        "/access-tokens", json={"workspace": "acme"}, headers=session(member_session)
    )
    assert refused.status_code == 403
    allowed = await identity.http.post(
        "/access-tokens", json={"workspace": "beta"}, headers=session(member_session)
    )
    assert allowed.status_code == 200
    teams = await identity.http.get("/workspaces/beta/teams", headers=session(member_session))
    assert teams.status_code == 403  # the community does not see who is in which team


async def test_email_verification_for_the_first_admin(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    me = (await identity.http.get("/me", headers=session(admin))).json()
    assert me["account"]["email_verified"] is False
    token = await identity.link(ADMIN_EMAIL, "/verify-email/")

    verified = await identity.post("/email-verifications/consume", {"token": token})
    replay = await identity.post("/email-verifications/consume", {"token": token})

    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified"] is True
    assert replay.status_code == 410


async def test_old_links_and_their_use_records_are_purged_in_that_order(
    identity: IdentityDriver,
) -> None:
    await identity.setup()
    await identity.post("/password-resets", {"email": ADMIN_EMAIL})
    token = await identity.link(ADMIN_EMAIL, "/reset-password/")
    reset = {"token": token, "new_password": NEW_PASSWORD}
    assert (await identity.post("/password-resets/consume", reset)).status_code == 204
    links, week = identity.services.links, timedelta(days=7)
    async with identity.store() as store:
        counts = [
            await store["links"].count_documents({}),
            await store["spent_secrets"].count_documents({}),
        ]
        assert await links.purge(longest_ttl=week, now=utcnow() + timedelta(days=20)) == 0
        # A month after it expired, the reset link goes; its use record stays a week more.
        assert await links.purge(longest_ttl=week, now=utcnow() + timedelta(days=32)) == 1
        assert await store["spent_secrets"].count_documents({}) == counts[1]
        # Then the use record, with the verification link (which expired a week in).
        assert await links.purge(longest_ttl=week, now=utcnow() + timedelta(days=40)) == 2
        assert await store["spent_secrets"].count_documents({}) == 0
    assert counts == [2, 1]  # the reset link and the first admin's verification link
