"""Members on the real store and broker: the profile of a person identity signed in (a member
token), links, trust, scoping."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from ensemble_shared.auth import Role
from ensemble_shared.events import MemberData
from ensemble_shared.topics import MEMBERS
from support.apps import bearer as staff_bearer
from support.feedback import Feedback


async def sign_up(feedback: Feedback, name: str = "Ana", **extra: Any) -> dict[str, Any]:
    """The profile made, and the member's headers (the token identity gave)."""
    body = {"language": "fr", "consents": ["status_changes"], **extra}
    member_id, headers = await feedback.join(name, **body)
    profile = await feedback.client.get("/members/me", headers=headers)
    return {"member": profile.json(), "headers": headers, "id": member_id}


def bearer(signed: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = signed["headers"]
    return headers


def token_of(path: str) -> str:
    return parse_qs(urlsplit(path).query)["token"][0]


async def test_a_member_token_creates_its_profile_once_and_announces_the_member(
    feedback: Feedback,
) -> None:
    anonymous = await feedback.client.post(
        f"/workspaces/{feedback.workspace}/members", json={"display_name": "Eve"}
    )
    assert anonymous.status_code == 401  # tokens come from identity; feedback mints none
    staff = await feedback.client.post(
        "/workspaces/globex/members",
        json={"display_name": "Eve"},
        headers=feedback.member("acc_eve"),  # a token for acme
    )
    assert staff.status_code == 403
    signed = await sign_up(feedback, email="ana@example.org")
    member = signed["member"]
    assert member["member_id"] == signed["id"]  # identity's account id
    again = await feedback.client.post(
        f"/workspaces/{feedback.workspace}/members",
        json={"display_name": "Ana again"},
        headers=bearer(signed),
    )
    assert again.status_code == 409
    assert member["trust"] == "new"
    assert member["email_verified"] is False
    assert member["consents"] == ["status_changes"]

    me = await feedback.client.get("/members/me", headers=bearer(signed))
    assert me.status_code == 200
    assert me.json()["member_id"] == member["member_id"]
    assert me.json()["language"] == "fr"

    staff_only = await feedback.client.get("/members", headers=bearer(signed))
    assert staff_only.status_code == 403

    events = await feedback.events(MEMBERS)
    [registered] = [e for e in events if e.type == "member.registered.v1"]
    assert registered.subject == member["member_id"]
    assert registered.workspace == feedback.workspace
    assert isinstance(registered.data, MemberData)
    assert registered.data.email == "ana@example.org"
    assert set(registered.data.unsubscribe_paths) == {
        "ideas_followed",
        "status_changes",
        "events_nearby",
    }
    assert registered.data.verify_email_path is not None


async def test_a_member_cannot_set_trust_or_counters_on_its_profile(feedback: Feedback) -> None:
    signed = await sign_up(feedback)
    for forbidden in ({"trust": "trusted"}, {"votes": 100}, {"email_verified": True}):
        response = await feedback.client.patch(
            "/members/me", json={"display_name": "Ana B", **forbidden}, headers=bearer(signed)
        )
        assert response.status_code == 422, forbidden
    on_signup = await feedback.sign_up("Eve", trust="trusted")
    assert on_signup.status_code == 422
    me = (await feedback.client.get("/members/me", headers=bearer(signed))).json()
    assert me["display_name"] == "Ana"
    assert me["trust"] == "new"


async def test_profile_changes_are_stored_and_announced(feedback: Feedback) -> None:
    signed = await sign_up(feedback)
    member_id = signed["member"]["member_id"]
    response = await feedback.client.patch(
        "/members/me",
        json={"display_name": "Ana B", "language": "en", "consents": ["ideas_followed"]},
        headers=bearer(signed),
    )
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Ana B"
    assert response.json()["consents"] == ["ideas_followed"]
    again = await feedback.client.patch(
        "/members/me", json={"display_name": "Ana B"}, headers=bearer(signed)
    )
    assert again.status_code == 200

    events = await feedback.events(MEMBERS)
    updates = [e for e in events if e.type == "member.updated.v1"]
    assert len(updates) == 1  # the repeated change changed nothing, so said nothing
    assert updates[0].subject == member_id
    assert isinstance(updates[0].data, MemberData)
    assert updates[0].data.consents == ("ideas_followed",)


async def test_an_email_is_verified_by_the_signed_link_it_was_sent(feedback: Feedback) -> None:
    signed = await sign_up(feedback, email="Ana@Example.org")
    events = await feedback.events(MEMBERS)
    registered = next(e for e in events if e.type == "member.registered.v1")
    assert isinstance(registered.data, MemberData)
    path = registered.data.verify_email_path
    assert path is not None

    forged = await feedback.client.post(path[:-3] + "abc")
    assert forged.status_code == 401
    for _ in range(2):  # a mail scanner opens the link: it is shown, nothing changes
        shown = await feedback.client.get(path)
        assert shown.status_code == 200, shown.text
        assert (shown.json()["email"], shown.json()["done"]) == ("ana@example.org", False)
    me = (await feedback.client.get("/members/me", headers=bearer(signed))).json()
    assert me["email_verified"] is False
    verified = await feedback.client.post(path)
    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified"] is True
    assert (await feedback.client.get(path)).json()["done"] is True

    changed = await feedback.client.patch(
        "/members/me", json={"email": "ana@elsewhere.org"}, headers=bearer(signed)
    )
    assert changed.json()["email_verified"] is False
    stale = await feedback.client.post(path)  # it verified the old address only
    assert stale.status_code == 409


async def test_one_click_unsubscribe_removes_one_topic_and_refuses_forgeries(
    feedback: Feedback,
) -> None:
    signed = await sign_up(feedback, consents=["status_changes", "ideas_followed"])
    events = await feedback.events(MEMBERS)
    registered = next(e for e in events if e.type == "member.registered.v1")
    assert isinstance(registered.data, MemberData)
    link = registered.data.unsubscribe_paths["status_changes"]
    token = token_of(link)

    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    forged = await feedback.client.post("/unsubscribe", params={"token": tampered})
    assert forged.status_code == 401
    assert "forged" in forged.json()["message"]
    garbage = await feedback.client.get("/unsubscribe", params={"token": "not-a-link"})
    assert garbage.status_code == 400
    access_token = bearer(signed)["authorization"].removeprefix("Bearer ")
    a_bearer_token = await feedback.client.get("/unsubscribe", params={"token": access_token})
    assert a_bearer_token.status_code == 401

    for _ in range(2):  # mail scanners follow links: a GET shows, and changes nothing
        shown = await feedback.client.get(link)  # no login
        assert shown.status_code == 200, shown.text
        assert (shown.json()["topic"], shown.json()["done"]) == ("status_changes", False)
    me = (await feedback.client.get("/members/me", headers=bearer(signed))).json()
    assert sorted(me["consents"]) == ["ideas_followed", "status_changes"]
    assert (await feedback.events(MEMBERS))[-1].type == "member.registered.v1"

    page = await feedback.client.get(link, headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text  # the member's language
    assert "Ne plus recevoir d&#x27;e-mails sur les changements de statut" in page.text
    assert '<form method="post">' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"

    one_click = {"content-type": "application/x-www-form-urlencoded"}
    done = await feedback.client.post(  # RFC 8058 List-Unsubscribe-Post
        "/unsubscribe",
        params={"token": token},
        content="List-Unsubscribe=One-Click",
        headers=one_click,
    )
    assert done.status_code == 200, done.text
    assert done.json()["topic"] == "status_changes"
    assert done.json()["consents"] == ["ideas_followed"]
    twice = await feedback.client.post(
        "/unsubscribe", params={"token": token}, headers={**one_click, "accept": "text/html"}
    )
    assert twice.status_code == 200
    assert "Vous ne recevrez plus d&#x27;e-mails sur les changements" in twice.text
    me = (await feedback.client.get("/members/me", headers=bearer(signed))).json()
    assert me["consents"] == ["ideas_followed"]


async def test_staff_set_trust_and_another_workspace_sees_nothing(feedback: Feedback) -> None:
    signed = await sign_up(feedback)
    member_id = signed["member"]["member_id"]
    blocked = await feedback.client.put(
        f"/members/{member_id}/trust",
        json={"level": "blocked", "reason": "spam"},
        headers=feedback.manager,
    )
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["trust"] == "blocked"
    by_member = await feedback.client.put(
        f"/members/{member_id}/trust", json={"level": "trusted"}, headers=bearer(signed)
    )
    assert by_member.status_code == 403

    other = staff_bearer(feedback.issuer, "globex", Role.MANAGER)
    for method, path, body in [
        ("GET", f"/members/{member_id}", None),
        ("GET", f"/members/{member_id}/activity", None),
        ("PUT", f"/members/{member_id}/trust", {"level": "trusted"}),
        ("POST", f"/members/{member_id}/identities", {"platform": "x", "handle": "ana"}),
    ]:
        response = await feedback.client.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.text)
    listed = await feedback.client.get("/members", headers=other)
    assert listed.json()["items"] == []
    still = await feedback.client.get(f"/members/{member_id}", headers=feedback.manager)
    assert still.json()["trust"] == "blocked"
