"""From social to the board with real processes: a mention a triage rule marks as a request
becomes a suggestion in feedback, credited to the member who proved the author's handle (by
posting a code from it); a manager confirms it, and the idea keeps its social origin for the
reply to come."""

from __future__ import annotations

from typing import Any

from e2e.conftest import System
from ensemble_shared.auth import Role
from support.mentions import mention_body, signed
from support.waiting import eventually


async def test_a_request_on_social_becomes_a_confirmed_idea_of_its_member(system: System) -> None:
    rules = {
        "rules": [
            {
                "name": "requests",
                "query": '"please add" OR "could you"',
                "actions": {"tags": ["request"], "mark_as": "request"},
            }
        ]
    }
    ingest, feedback = system.url("ingest"), system.url("feedback")
    set_rules = await system.http.put(f"{ingest}/triage/settings", json=rules, headers=system.admin)
    assert set_rules.status_code == 200, set_rules.text
    member = "acc_camille"  # identity's account id, in the member token its magic link gives
    member_headers = system.issuer.bearer("acme", Role.MEMBER, subject=member)
    signed_up = await system.http.post(
        f"{feedback}/workspaces/acme/members",
        json={"display_name": "Camille"},
        headers=member_headers,
    )
    assert signed_up.status_code == 201, signed_up.text
    claimed = await system.http.post(
        f"{feedback}/members/me/identities",
        json={"platform": "mastodon", "handle": "camille"},
        headers=member_headers,
    )
    assert claimed.status_code == 202, claimed.text

    # Camille proves the handle is hers: she posts the code from it, ingest collects it.
    source = await system.source()
    proof = mention_body(
        "loop-0", platform="mastodon", text=f"Linking my account @acme {claimed.json()['code']}"
    )
    sent = await system.webhook(source, proof, signed(source["secret"], proof))
    assert sent.status_code == 202, sent.text

    async def identities() -> list[dict[str, Any]]:
        me = await system.http.get(f"{feedback}/members/me", headers=member_headers)
        found: list[dict[str, Any]] = me.json()["identities"]
        return found

    await eventually(identities, lambda found: len(found) == 1, timeout=120, what="proof")
    asking = mention_body(
        "loop-1", platform="mastodon", text="Please add a dark mode to the loyalty app"
    )
    chatting = mention_body("loop-2", platform="mastodon", text="Lovely weather at the store")
    for body in (asking, chatting):
        response = await system.webhook(source, body, signed(source["secret"], body))
        assert response.status_code == 202, response.text

    async def pending() -> list[dict[str, Any]]:
        response = await system.http.get(
            f"{feedback}/suggestions", params={"status": "pending"}, headers=system.manager
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    [suggestion] = await eventually(pending, lambda items: len(items) >= 1, what="a suggestion")
    assert suggestion["action"] == "new_submission"
    assert suggestion["member_id"] == member

    board = await system.http.get(f"{feedback}/submissions", headers=system.manager)
    assert board.json()["items"] == []  # nothing on a member's behalf before a manager confirms

    confirmed = await system.http.post(
        f"{feedback}/suggestions/{suggestion['id']}/confirm", headers=system.manager
    )
    assert confirmed.status_code in (200, 201), confirmed.text
    [idea] = (await system.http.get(f"{feedback}/submissions", headers=system.manager)).json()[
        "items"
    ]
    assert idea["author_member_id"] == member
    assert idea["origin"]["platform"] == "mastodon"
    assert idea["origin"]["external_id"] == "loop-1"
    assert await pending() == []  # and the chatty mention never became a suggestion
