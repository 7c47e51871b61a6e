"""The board with the real members service and Kafka (no fakes): a merge of two voters makes
one vote, its undo gives the second vote back, and the status change reaches both once."""

from __future__ import annotations

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
