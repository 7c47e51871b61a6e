"""Roles and teams managed by admins: every change audited (who, what, when, from where) and
announced on the accounts stream, with what notify's directory and feedback's members need."""

from __future__ import annotations

from ensemble_shared.events import (
    AccountRegisteredV1,
    AccountUpdatedV1,
    MembershipChangedV1,
    MembershipRemovedV1,
)
from support.identity import IdentityDriver, from_address, session
from support.waiting import eventually


async def test_a_role_change_is_audited_and_announced(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    bo_session = await identity.join(admin, "bo@acme.example", ["approver"], name="Bo")
    bo = (await identity.http.get("/me", headers=session(bo_session))).json()["account"]
    ana = (await identity.http.get("/me", headers=session(admin))).json()["account"]

    changed = await identity.http.patch(
        f"/workspaces/acme/members/{bo['id']}",
        json={"roles": ["approver", "manager"], "teams": ["legal", "comms"]},
        headers={**session(admin), **from_address("198.51.100.42")},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["teams"] == ["comms", "legal"]

    audit = (await identity.http.get("/workspaces/acme/audit", headers=session(admin))).json()
    latest = audit["items"][0]
    assert (latest["action"], latest["actor"], latest["target"], latest["ip"]) == (
        "membership.changed",
        ana["id"],
        bo["id"],
        "198.51.100.42",
    )
    assert latest["details"]["previous_roles"] == ["approver"]
    assert latest["details"]["roles"] == ["approver", "manager"]
    assert latest["user_agent"] == "Mozilla/5.0 (test browser)"

    async def announced() -> list[MembershipChangedV1]:
        return [
            e
            for e in await identity.events()
            if isinstance(e, MembershipChangedV1) and e.subject == bo["id"]
        ]

    events = await eventually(announced, lambda found: len(found) == 2, what="two changes")
    joined, promoted = events
    assert joined.data.roles == ("approver",)
    data = promoted.data
    assert (data.roles, data.teams, data.previous_roles, data.by) == (
        ("approver", "manager"),
        ("comms", "legal"),
        ("approver",),
        ana["id"],
    )
    assert (data.email, data.email_verified, data.display_name, data.kind) == (
        "bo@acme.example",
        True,
        "Bo",
        "staff",
    )
    assert promoted.workspace == "acme"
    assert promoted.source == "ensemble/identity"


async def test_only_admins_change_roles_and_the_last_admin_stays(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    manager = await identity.join(admin, "mo@acme.example", ["manager"], name="Mo")
    ana = (await identity.http.get("/me", headers=session(admin))).json()["account"]["id"]

    by_manager = await identity.http.patch(
        f"/workspaces/acme/members/{ana}", json={"roles": ["viewer"]}, headers=session(manager)
    )
    self_demotion = await identity.http.patch(
        f"/workspaces/acme/members/{ana}", json={"roles": ["viewer"]}, headers=session(admin)
    )
    self_removal = await identity.http.delete(
        f"/workspaces/acme/members/{ana}", headers=session(admin)
    )
    mixed = await identity.http.patch(
        f"/workspaces/acme/members/{ana}",
        json={"roles": ["admin", "member"]},
        headers=session(admin),
    )
    manager_reads = await identity.http.get("/workspaces/acme/members", headers=session(manager))
    manager_audit = await identity.http.get("/workspaces/acme/audit", headers=session(manager))

    assert by_manager.status_code == 403
    assert self_demotion.status_code == 409
    assert self_removal.status_code == 409
    assert mixed.status_code == 422
    assert manager_reads.status_code == 200
    assert len(manager_reads.json()) == 2
    assert manager_audit.status_code == 403


async def test_a_removal_and_a_profile_change_are_announced(identity: IdentityDriver) -> None:
    admin = await identity.setup()
    bo_session = await identity.join(admin, "bo@acme.example", ["viewer"], name="Bo")
    bo = (await identity.http.get("/me", headers=session(bo_session))).json()["account"]

    renamed = await identity.http.patch(
        "/me",
        json={"name": "Bo B.", "locale": "fr", "time_zone": "Europe/Paris"},
        headers=session(bo_session),
    )
    assert renamed.status_code == 200, renamed.text
    bad_zone = await identity.http.patch(
        "/me", json={"time_zone": "Mars/Olympus"}, headers=session(bo_session)
    )
    assert bad_zone.status_code == 422
    removed = await identity.http.delete(
        f"/workspaces/acme/members/{bo['id']}", headers=session(admin)
    )
    assert removed.status_code == 204
    assert (
        await identity.http.post(
            "/access-tokens", json={"workspace": "acme"}, headers=session(bo_session)
        )
    ).status_code == 403

    async def about_bo() -> list[object]:
        return [e for e in await identity.events() if e.subject == bo["id"]]

    events = await eventually(about_bo, lambda found: len(found) == 4, what="bo's events")
    assert [type(e) for e in events] == [
        AccountRegisteredV1,
        MembershipChangedV1,
        AccountUpdatedV1,
        MembershipRemovedV1,
    ]
    registered, _, updated, gone = events
    assert isinstance(registered, AccountRegisteredV1)
    assert registered.data.via == "invitation"
    assert isinstance(updated, AccountUpdatedV1)
    assert (updated.data.display_name, updated.data.language, updated.data.time_zone) == (
        "Bo B.",
        "fr",
        "Europe/Paris",
    )
    assert isinstance(gone, MembershipRemovedV1)
    assert gone.data.previous_roles == ("viewer",)
    audit = await identity.http.get("/workspaces/acme/audit", headers=session(admin))
    assert audit.json()["items"][0]["action"] == "membership.removed"
