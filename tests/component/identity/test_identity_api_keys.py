"""API keys: shown once, a digest at rest, exchanged by the client-credentials grant (RFC 6749
§4.4 shapes and errors), scoped, following their creator's roles, revocable."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from support.identity import PASSWORD, IdentityDriver, session

FORM = {"content-type": "application/x-www-form-urlencoded"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {**FORM, "authorization": f"Basic {raw}"}


async def token(identity: IdentityDriver, body: str, headers: dict[str, str]) -> httpx.Response:
    return await identity.http.post("/oauth/token", content=body, headers=headers)


async def create_key(identity: IdentityDriver, creator: str, **body: Any) -> dict[str, Any]:
    response = await identity.http.post(
        "/workspaces/acme/api-keys",
        json={"name": "deploy script", **body},
        headers=session(creator),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_key_is_shown_once_kept_as_a_digest_and_exchanged_for_a_token(
    identity: IdentityDriver,
) -> None:
    admin = await identity.setup()
    key = await create_key(identity, admin, roles=["manager", "viewer"])
    client_id, secret = key["client_id"], key["client_secret"]

    listed = (await identity.http.get("/workspaces/acme/api-keys", headers=session(admin))).json()
    assert [k["id"] for k in listed] == [client_id]
    assert secret not in str(listed)
    async with identity.store() as store:
        stored = await store["api_keys"].find_one({"_id": client_id})
    assert stored is not None
    assert secret not in str(stored)
    assert secret[6:] not in str(stored)  # not even without its prefix

    issued = await token(identity, "grant_type=client_credentials", basic(client_id, secret))
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "manager viewer")
    claims = await identity.verifier().claims(body["access_token"])
    assert (claims.kind, claims.sub, claims.ws, claims.roles) == (
        "api_key",
        client_id,
        "acme",
        ("manager", "viewer"),
    )

    in_form = await token(
        identity,
        f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=viewer",
        FORM,
    )
    assert in_form.status_code == 200, in_form.text
    assert in_form.json()["scope"] == "viewer"
    async with identity.store() as store:
        used = await store["api_keys"].find_one({"_id": client_id})
    assert used is not None
    assert used["last_used_at"] is not None


async def test_the_token_endpoint_answers_rfc_6749_errors(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    key = await create_key(identity, admin, roles=["viewer"])
    good = basic(key["client_id"], key["client_secret"])

    cases = {
        "wrong secret": (
            "grant_type=client_credentials",
            basic(key["client_id"], "ens_k_wrong"),
            401,
            "invalid_client",
        ),
        "unknown client": (
            "grant_type=client_credentials",
            basic("key_nope", "x"),
            401,
            "invalid_client",
        ),
        "no client": ("grant_type=client_credentials", FORM, 401, "invalid_client"),
        "no grant": ("scope=viewer", good, 400, "invalid_request"),
        "other grant": ("grant_type=password", good, 400, "unsupported_grant_type"),
        "repeated": (
            "grant_type=client_credentials&grant_type=client_credentials",
            good,
            400,
            "invalid_request",
        ),
        "scope beyond the key": (
            "grant_type=client_credentials&scope=admin",
            good,
            400,
            "invalid_scope",
        ),
        "json body": (
            '{"grant_type": "client_credentials"}',
            {**good, "content-type": "application/json"},
            400,
            "invalid_request",
        ),
    }
    for what, (body, headers, status, error) in cases.items():
        answer = await token(identity, body, headers)
        assert (what, answer.status_code, answer.json()["error"]) == (what, status, error)
        if status == 401:
            assert answer.headers["www-authenticate"].startswith("Basic")


async def test_a_revoked_or_expired_key_is_refused(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    key = await create_key(identity, admin, roles=["viewer"])
    past = await identity.http.post(
        "/workspaces/acme/api-keys",
        json={"name": "old", "roles": ["viewer"], "expires_at": "2020-01-01T00:00:00Z"},
        headers=session(admin),
    )
    assert past.status_code == 422

    revoked = await identity.http.delete(
        f"/workspaces/acme/api-keys/{key['client_id']}", headers=session(admin)
    )
    assert revoked.status_code == 204
    refused = await token(
        identity, "grant_type=client_credentials", basic(key["client_id"], key["client_secret"])
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


async def test_a_key_holds_only_roles_its_creator_still_holds(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    manager = await identity.join(admin, "mo@acme.example", ["manager", "approver"], name="Mo")
    beyond = await identity.http.post(
        "/workspaces/acme/api-keys",
        json={"name": "too much", "roles": ["admin"]},
        headers=session(manager),
    )
    assert beyond.status_code == 403
    key = await create_key(identity, manager, roles=["manager", "approver"])
    credentials = basic(key["client_id"], key["client_secret"])
    mo = (await identity.http.get("/me", headers=session(manager))).json()["account"]["id"]

    demoted = await identity.http.patch(
        f"/workspaces/acme/members/{mo}", json={"roles": ["approver"]}, headers=session(admin)
    )
    assert demoted.status_code == 200, demoted.text
    after_demotion = await token(identity, "grant_type=client_credentials", credentials)
    assert after_demotion.json()["scope"] == "approver"

    removed = await identity.http.delete(f"/workspaces/acme/members/{mo}", headers=session(admin))
    assert removed.status_code == 204
    after_removal = await token(identity, "grant_type=client_credentials", credentials)
    assert after_removal.status_code == 401


async def test_a_script_with_an_admin_key_manages_the_workspace(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    key = await create_key(identity, admin, roles=["admin"])
    issued = await token(
        identity, "grant_type=client_credentials", basic(key["client_id"], key["client_secret"])
    )
    access = issued.json()["access_token"]

    invited = await identity.http.post(
        "/workspaces/acme/invitations",
        json={"email": "zoe@acme.example", "roles": ["viewer"]},
        headers=session(access),
    )
    another_key = await identity.http.post(
        "/workspaces/acme/api-keys",
        json={"name": "x", "roles": ["viewer"]},
        headers=session(access),
    )
    elsewhere = await identity.http.get("/workspaces/other/members", headers=session(access))

    assert invited.status_code == 201, invited.text
    assert invited.json()["invited_by_name"] == "deploy script"
    assert another_key.status_code == 403  # keys do not make keys
    assert elsewhere.status_code == 403
    zoe = await identity.link("zoe@acme.example", "/invitations/")
    accepted = await identity.post(
        "/invitations/accept", {"token": zoe, "name": "Zoé", "password": PASSWORD}
    )
    assert accepted.status_code == 201
