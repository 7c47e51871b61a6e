"""Invitation → acceptance → sign-in → an access token any service verifies from the JWKS."""

from __future__ import annotations

import asyncio

from ensemble_shared.auth import Role
from support.identity import PASSWORD, PUBLIC_URL, IdentityDriver, session, text_of


async def test_an_invited_colleague_signs_in_and_gets_a_token_every_service_verifies(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    await identity.invite(admin, "bo@acme.example", ["approver"], teams=["legal"], locale="fr")

    message = await identity.message("bo@acme.example", f"{PUBLIC_URL}/invitations/")
    assert "Ana Admin" in message["Subject"]
    assert "Acme" in message["Subject"]
    assert "approbateur" in text_of(message)  # French, as the admin chose for the invitee
    token = await identity.link("bo@acme.example", "/invitations/")

    preview = await identity.post("/invitations/lookup", {"token": token})
    assert preview.status_code == 200, preview.text
    assert preview.json()["account_exists"] is False
    assert preview.json()["invited_by_name"] == "Ana Admin"

    accepted = await identity.post(
        "/invitations/accept", {"token": token, "name": "Bo Approver", "password": PASSWORD}
    )
    assert accepted.status_code == 201, accepted.text
    again = await identity.post(
        "/invitations/accept", {"token": token, "name": "Bo", "password": PASSWORD}
    )
    assert again.status_code == 410
    assert again.json()["reason"] == "used"

    signed_in = await identity.sign_in("BO@acme.example")  # addresses are case-insensitive
    assert signed_in.status_code == 201, signed_in.text
    bo = signed_in.json()["session_token"]
    me = await identity.http.get("/me", headers=session(bo))
    assert me.status_code == 200, me.text
    assert me.json()["account"]["email_verified"] is True
    (place,) = me.json()["places"]
    assert place["workspace"] == "acme"
    assert place["roles"] == ["approver"]

    verifier = identity.verifier()
    try:
        claims = await verifier.claims(await identity.access_token(bo))
        principal = await verifier.verify(await identity.access_token(bo))
    finally:
        await verifier.aclose()
    assert claims.kind == "staff"
    assert claims.email == "bo@acme.example"
    assert claims.name == "Bo Approver"
    assert claims.teams == ("legal",)
    assert claims.locale == "fr"
    assert principal.workspace == "acme"
    assert principal.roles == frozenset({Role.APPROVER})
    assert principal.subject == me.json()["account"]["id"]


async def test_an_invitation_cannot_be_accepted_twice_even_at_once(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    await identity.invite(admin, "cy@acme.example", ["viewer"])
    token = await identity.link("cy@acme.example", "/invitations/")
    body = {"token": token, "name": "Cy", "password": PASSWORD}

    answers = await asyncio.gather(*(identity.post("/invitations/accept", body) for _ in range(4)))

    assert sorted(a.status_code for a in answers) == [201, 410, 410, 410]


async def test_inviting_again_revokes_the_earlier_link(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    await identity.invite(admin, "di@acme.example", ["manager"])
    first = await identity.link("di@acme.example", "/invitations/")
    await identity.invite(admin, "di@acme.example", ["manager"])
    second = await identity.link("di@acme.example", "/invitations/", after=1)

    refused = await identity.post("/invitations/lookup", {"token": first})
    assert refused.status_code == 410
    assert refused.json()["reason"] == "revoked"
    listed = await identity.http.get("/workspaces/acme/invitations", headers=session(admin))
    assert sorted(i["state"] for i in listed.json()) == ["revoked", "valid"]
    assert (await identity.post("/invitations/lookup", {"token": second})).status_code == 200
