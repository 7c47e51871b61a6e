"""The board with the real members service and Kafka (no fakes): a merge of two voters makes
one vote, its undo gives the second vote back, and the status change reaches both once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ensemble_shared.events import SubmissionStatusChangedV1, SubmissionVotedV1
from ensemble_shared.topics import SUBMISSIONS
from support.feedback import Feedback
from support.waiting import eventually


async def sign_up(feedback: Feedback, name: str) -> tuple[str, dict[str, str]]:
    return await feedback.join(name, consents=["status_changes", "ideas_followed"])


async def trusted(feedback: Feedback, name: str) -> tuple[str, dict[str, str]]:
    member_id, headers = await sign_up(feedback, name)
    response = await feedback.client.put(
        f"/members/{member_id}/trust", json={"level": "trusted"}, headers=feedback.manager
    )
    assert response.status_code == 200, response.text
    return member_id, headers


async def votes(feedback: Feedback, submission_id: str) -> int:
    response = await feedback.client.get(f"/submissions/{submission_id}", headers=feedback.manager)
    assert response.status_code == 200, response.text
    count: int = response.json()["votes"]
    return count


async def test_merging_two_voters_counts_them_once_and_undo_restores(feedback: Feedback) -> None:
    author, author_headers = await trusted(feedback, "Author")
    ana, ana_headers = await trusted(feedback, "Ana")
    bea, bea_headers = await trusted(feedback, "Bea")
    created = await feedback.client.post(
        "/submissions",
        json={"kind": "idea", "title": "Offline mode for the app"},
        headers=author_headers,
    )
    assert created.status_code == 201, created.text
    idea = created.json()["submission"]["id"]
    assert created.json()["submission"]["published"] is True
    for headers in (ana_headers, bea_headers):
        voted = await feedback.client.post(f"/submissions/{idea}/vote", headers=headers)
        assert voted.status_code == 200, voted.text
    assert await votes(feedback, idea) == 2

    merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert merged.status_code == 201, merged.text
    await eventually(lambda: votes(feedback, idea), lambda n: n == 1, what="one vote after merge")
    again = await feedback.client.post(f"/submissions/{idea}/vote", headers=bea_headers)
    assert again.json()["votes"] == 1  # Bea is Ana now: voting again is a no-op

    status = await feedback.client.post(
        f"/submissions/{idea}/status", json={"status": "under_review"}, headers=feedback.manager
    )
    assert status.status_code == 200, status.text

    undone = await feedback.client.post(
        f"/members/merges/{merged.json()['merge_id']}/undo", headers=feedback.manager
    )
    assert undone.status_code in (200, 201), undone.text
    await eventually(lambda: votes(feedback, idea), lambda n: n == 2, what="two votes after undo")

    published = await eventually(
        lambda: feedback.events(SUBMISSIONS),
        lambda events: any(isinstance(e, SubmissionStatusChangedV1) for e in events),
        what="status change on Kafka",
    )
    changes: list[Any] = [e for e in published if isinstance(e, SubmissionStatusChangedV1)]
    assert len(changes) == 1  # once per change
    # while merged, Ana and Bea were one person: the audience names the author and Ana once
    assert sorted(changes[0].data.audience) == sorted([author, ana])
    vote_events = [e for e in published if isinstance(e, SubmissionVotedV1)]
    assert [e.data.votes for e in vote_events][:2] == [1, 2]


async def test_the_public_board_shows_what_is_published_without_authors_and_tells_an_author_why(
    feedback: Feedback,
) -> None:
    """No token: published items only, no member ids, sorted or searched; the author alone
    reads what moderation did with their held, then rejected, idea."""
    _author, author_headers = await trusted(feedback, "Author")
    _ana, ana_headers = await trusted(feedback, "Ana")
    _newcomer, newcomer_headers = await sign_up(feedback, "Newcomer")
    ids = {}
    for key, title, headers in (
        ("maps", "Offline maps for hikers", author_headers),
        ("csv", "Export my data as CSV", author_headers),
        ("held", "Offline maps please", newcomer_headers),
    ):
        created = await feedback.client.post(
            "/submissions", json={"kind": "idea", "title": title}, headers=headers
        )
        assert created.status_code == 201, created.text
        ids[key] = created.json()["submission"]["id"]
    for headers in (author_headers, ana_headers):
        await feedback.client.post(f"/submissions/{ids['maps']}/vote", headers=headers)
    for body, headers in (("Yes!", ana_headers), ("Me too", newcomer_headers)):
        commented = await feedback.client.post(
            f"/submissions/{ids['maps']}/comments", json={"body": body}, headers=headers
        )
        assert commented.status_code == 201, commented.text

    board = f"/workspaces/{feedback.workspace}/board"
    top = (await feedback.client.get(board, params={"sort": "top"})).json()["items"]
    assert [i["id"] for i in top] == [ids["maps"], ids["csv"]]  # the held one is not public
    assert top[0]["votes"] == 2
    assert all("author_member_id" not in i and "published" not in i for i in top)
    newest = (await feedback.client.get(board, params={"sort": "new"})).json()["items"]
    assert [i["id"] for i in newest] == [ids["csv"], ids["maps"]]
    trending = (await feedback.client.get(board, params={"sort": "trending"})).json()["items"]
    assert trending[0]["id"] == ids["maps"]
    found = (await feedback.client.get(board, params={"q": "offline maps"})).json()["items"]
    assert [i["id"] for i in found] == [ids["maps"]]
    planned = await feedback.client.get(board, params={"status": "planned"})
    assert planned.json()["items"] == []
    assert (
        await feedback.client.get(board, params={"sort": "top", "cursor": "x"})
    ).status_code == 422
    assert (await feedback.client.get(board, params={"sort": "loud"})).status_code == 422
    assert (await feedback.client.get("/workspaces/other/board")).json()["items"] == []

    assert (await feedback.client.get(f"{board}/{ids['held']}")).status_code == 404
    assert (await feedback.client.get(f"/workspaces/other/board/{ids['maps']}")).status_code == 404
    one = (await feedback.client.get(f"{board}/{ids['maps']}")).json()
    assert (one["title"], one["votes"]) == ("Offline maps for hikers", 2)
    assert [s["status"] for s in one["history"]] == ["open"]
    moved = await feedback.client.post(
        f"/submissions/{ids['maps']}/status",
        json={"status": "under_review"},
        headers=feedback.manager,
    )
    assert moved.status_code == 200, moved.text
    one = (await feedback.client.get(f"{board}/{ids['maps']}")).json()
    assert [s["status"] for s in one["history"]] == ["open", "under_review"]
    moved_at = datetime.fromisoformat(one["history"][1]["at"])
    assert abs(moved_at - datetime.fromisoformat(one["status_changed_at"])) < timedelta(
        milliseconds=1
    )  # the store keeps milliseconds
    thread = (await feedback.client.get(f"{board}/{ids['maps']}/comments")).json()["items"]
    assert [c["body"] for c in thread] == ["Yes!"]  # the newcomer's comment waits
    assert "author_member_id" not in thread[0]

    mine = f"/moderation/mine/submissions/{ids['held']}"
    assert (await feedback.client.get(mine, headers=newcomer_headers)).json()["state"] == "held"
    assert (await feedback.client.get(mine, headers=ana_headers)).status_code == 404
    assert (await feedback.client.get(mine)).status_code == 401
    rejected = await feedback.client.post(
        f"/moderation/items/submission:{ids['held']}/reject",
        json={"reason": "A duplicate of Offline maps for hikers"},
        headers=feedback.manager,
    )
    assert rejected.status_code == 200, rejected.text
    outcome = (await feedback.client.get(mine, headers=newcomer_headers)).json()
    assert outcome == {
        "ref": ids["held"],
        "state": "rejected",
        "reason": "A duplicate of Offline maps for hikers",
    }
    published = f"/moderation/mine/submissions/{ids['maps']}"
    assert (await feedback.client.get(published, headers=author_headers)).json()["state"] == (
        "published"
    )
