"""The board through feedback's HTTP API on real Kafka and the real store.

The board is built on the app's store and outbox with fakes for the other areas' ports
(members, moderation, activity) and put behind the routes, so each test decides who is merged,
blocked, or held.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback import wiring
from ensemble_feedback.handlers import dependencies
from ensemble_feedback.main import create_app
from ensemble_feedback.models.activity import Activity
from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import HeldItem, Screening, Verdict
from ensemble_feedback.models.votes import VoteEntry
from ensemble_feedback.services.vote_ledger import VoteLedger, VoteOp
from ensemble_feedback.storage.votes import VoteRepository
from ensemble_shared.events import (
    MemberMergeData,
    MemberMergedV1,
    MemberUnmergedV1,
    SubmissionStatusChangedV1,
    SubmissionVotedV1,
)
from ensemble_shared.topics import SUBMISSIONS
from support.apps import running
from support.feedback import Feedback, feedback_settings

pytestmark = pytest.mark.component


@dataclass
class FakeDirectory:
    merged: dict[str, str] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    refusing: set[str] = field(default_factory=set)  # consented to nothing

    async def canonical(
        self, workspace: str, member_ids: Iterable[str], *, fresh: bool = False
    ) -> dict[str, str]:
        return {m: self.merged.get(m, m) for m in member_ids}

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        return TrustLevel.BLOCKED if member_id in self.blocked else TrustLevel.TRUSTED

    async def consenting(self, workspace: str, member_ids: Iterable[str], topic: str) -> set[str]:
        return {m for m in member_ids if m not in self.refusing}

    async def by_handle(self, workspace: str, platform: str, handle: str) -> str | None:
        return None


@dataclass
class FakeModerator:
    """HOLD when the text says "hold me", REJECT on "buy now" (or a blocked member)."""

    directory: FakeDirectory
    queue: list[HeldItem] = field(default_factory=list)

    async def screen(self, workspace: str, member_id: str, text: str) -> Screening:
        if member_id in self.directory.blocked:
            return Screening(verdict=Verdict.REJECT, reasons=("member blocked",))
        if "buy now" in text:
            return Screening(verdict=Verdict.REJECT, reasons=("spam",))
        if "hold me" in text:
            return Screening(verdict=Verdict.HOLD, reasons=("new member",))
        return Screening(verdict=Verdict.PUBLISH)

    async def enqueue(self, item: HeldItem) -> None:
        self.queue.append(item)


@dataclass
class FakeActivity:
    recorded: list[Activity] = field(default_factory=list)

    async def record(self, activities: Iterable[Activity]) -> None:
        self.recorded.extend(activities)


@dataclass
class Board:
    feedback: Feedback
    service: wiring.Board
    directory: FakeDirectory
    moderator: FakeModerator
    activity: FakeActivity

    async def create(self, member: str, title: str, **fields: Any) -> dict[str, Any]:
        body = {"kind": "idea", "title": title, **fields}
        response = await self.feedback.client.post(
            "/submissions", json=body, headers=self.feedback.member(member)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def votes(self, submission_id: str) -> int:
        response = await self.feedback.client.get(
            f"/submissions/{submission_id}", headers=self.feedback.manager
        )
        assert response.status_code == 200, response.text
        count: int = response.json()["votes"]
        return count


@pytest.fixture
async def board(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Board]:
    settings = feedback_settings(infra, unique_name("board"), issuer)
    app = create_app(settings)
    async with running(app) as client:
        directory = FakeDirectory()
        moderator = FakeModerator(directory)
        activity = FakeActivity()
        service = wiring.board(
            app.state.infra.database,
            app.state.services.outbox,
            directory=directory,
            activity=activity,
            moderator=moderator,
        )
        app.dependency_overrides[dependencies.board] = lambda: service
        yield Board(Feedback(client, settings, issuer), service, directory, moderator, activity)


async def test_create_list_filter_and_page(board: Board) -> None:
    fb = board.feedback
    first = await board.create("ana", "Dark mode for the app", tags=["UI"], category="mobile")
    await board.create("ben", "Faster delivery to Lyon", kind="feedback")
    await board.create(
        "cleo", "Recipes contest", kind="content_proposal", attachments=[{"url": "https://x.io/a"}]
    )
    assert first["submission"]["votes"] == 0
    assert first["submission"]["status"] == "open"
    assert [a.member_id for a in board.activity.recorded] == ["ana", "ben", "cleo"]

    similar = await board.create("dan", "A dark mode in the mobile app")
    assert [s["submission_id"] for s in similar["similar"]][:1] == [first["submission"]["id"]]
    typed = await fb.client.get(
        "/submissions/similar", params={"text": "dark mode"}, headers=fb.member("eve")
    )
    assert {s["submission_id"] for s in typed.json()} >= {first["submission"]["id"]}

    ideas = await fb.client.get("/submissions", params={"kind": "idea"}, headers=fb.member("eve"))
    assert {s["title"] for s in ideas.json()["items"]} == {
        "Dark mode for the app",
        "Recipes contest",
        "A dark mode in the mobile app",
    } - {"Recipes contest"}
    tagged = await fb.client.get("/submissions", params={"tag": "ui"}, headers=fb.manager)
    assert [s["id"] for s in tagged.json()["items"]] == [first["submission"]["id"]]

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await fb.client.get("/submissions", params=params, headers=fb.manager)).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    too_many = await fb.client.get("/submissions", params={"limit": 1000}, headers=fb.manager)
    assert too_many.status_code == 422


async def test_held_submission_waits_unpublished_until_released(board: Board) -> None:
    fb = board.feedback
    created = await board.create("newbie", "Please hold me for review")
    held = created["submission"]
    assert held["published"] is False
    assert [(i.kind, i.ref) for i in board.moderator.queue] == [("submission", held["id"])]
    public = await fb.client.get("/submissions", headers=fb.member("other"))
    assert held["id"] not in {s["id"] for s in public.json()["items"]}
    hidden = await fb.client.get(f"/submissions/{held['id']}", headers=fb.member("other"))
    assert hidden.status_code == 404
    own = await fb.client.get(f"/submissions/{held['id']}", headers=fb.member("newbie"))
    assert own.status_code == 200
    queue = await fb.client.get("/submissions", params={"held": True}, headers=fb.manager)
    assert [s["id"] for s in queue.json()["items"]] == [held["id"]]

    await board.service.held.release(fb.workspace, "submission", held["id"], "maya")
    await board.service.held.release(fb.workspace, "submission", held["id"], "maya")  # a repeat
    public = await fb.client.get("/submissions", headers=fb.member("other"))
    assert held["id"] in {s["id"] for s in public.json()["items"]}
    created_events = [e for e in await fb.events(SUBMISSIONS) if e.type == "submission.created.v1"]
    assert [e.data.published for e in created_events] == [False, True]  # type: ignore[attr-defined]


async def test_rejected_and_blocked_writes(board: Board) -> None:
    fb = board.feedback
    spam = await fb.client.post(
        "/submissions", json={"kind": "idea", "title": "buy now cheap"}, headers=fb.member("s")
    )
    assert spam.status_code == 422
    assert "spam" in spam.text
    board.directory.blocked.add("troll")
    blocked = await fb.client.post(
        "/submissions", json={"kind": "idea", "title": "hello"}, headers=fb.member("troll")
    )
    assert blocked.status_code == 403
    assert (await fb.client.get("/submissions", headers=fb.manager)).json()["items"] == []


async def test_mass_assignment_and_bad_links_are_refused(board: Board) -> None:
    fb = board.feedback
    for extra in (
        {"status": "done"},
        {"votes": 100},
        {"published": True},
        {"attachments": [{"url": "javascript:alert(1)"}]},
    ):
        response = await fb.client.post(
            "/submissions",
            json={"kind": "idea", "title": "Dark mode", **extra},
            headers=fb.member("m"),
        )
        assert response.status_code == 422, extra
    staff_only = await fb.client.post(
        "/submissions/x/status", json={"status": "done"}, headers=fb.member("m")
    )
    assert staff_only.status_code == 403


async def test_another_workspace_sees_nothing(board: Board) -> None:
    fb = board.feedback
    sid = (await board.create("ana", "Dark mode"))["submission"]["id"]
    stranger = fb.member("zed", workspace="other")
    for method, path in (
        ("GET", f"/submissions/{sid}"),
        ("POST", f"/submissions/{sid}/vote"),
        ("DELETE", f"/submissions/{sid}/vote"),
        ("GET", f"/submissions/{sid}/comments"),
    ):
        response = await fb.client.request(method, path, headers=stranger)
        assert response.status_code == 404, (method, path)
    roadmap = await fb.client.get("/workspaces/other/roadmap")
    assert all(column == [] for column in roadmap.json()["columns"].values())


async def test_concurrent_votes_and_retracts_give_the_exact_count(board: Board) -> None:
    fb = board.feedback
    sid = (await board.create("author", "Dark mode"))["submission"]["id"]
    members = [f"m{i}" for i in range(50)]
    rng = random.Random(7)
    retracting = set(rng.sample(members, 15))

    async def act(member: str) -> None:
        headers = fb.member(member)
        for _ in range(2):  # a double click changes nothing
            assert (await fb.client.post(f"/submissions/{sid}/vote", headers=headers)).is_success
        if member in retracting:
            assert (await fb.client.delete(f"/submissions/{sid}/vote", headers=headers)).is_success

    async def read() -> None:  # readers catch the tally up while the lane writes to it
        for _ in range(10):
            got = await fb.client.get(f"/submissions/{sid}", headers=fb.manager)
            assert got.status_code == 200, got.text
            await asyncio.sleep(0)

    await asyncio.gather(*(act(m) for m in members), *(read() for _ in range(10)))
    assert await board.votes(sid) == 35
    database = fb.database()
    stored = await database["submission_votes"].find({"submission_id": sid}).to_list(None)
    assert len(stored) == 50 + 15  # one entry per real change: no double votes
    voted = [e for e in await fb.events(SUBMISSIONS) if isinstance(e, SubmissionVotedV1)]
    assert len(voted) == 65
    assert max(e.data.votes for e in voted) == 50
    assert voted[-1].data.votes >= 35


async def test_a_replica_with_a_stale_tally_does_not_drop_a_vote(board: Board) -> None:
    """This process plans on the tally it holds without probing the store first: a repeat
    that would write nothing must not be answered from it after another replica's change."""
    fb = board.feedback
    sid = (await board.create("author", "Offline mode"))["submission"]["id"]
    here = board.service.ledger
    there = VoteLedger(here._votes, board.directory, board.activity)  # another replica, same store
    assert (await here.run(fb.workspace, sid, VoteOp("vote", ("m1",)))).voting
    retracted = await there.run(fb.workspace, sid, VoteOp("retract", ("m1",)))
    assert (retracted.votes, retracted.voting) == (0, False)
    again = await here.run(fb.workspace, sid, VoteOp("vote", ("m1",)))
    assert (again.votes, again.voting, len(again.entries)) == (1, True, 1)
    other = await here.run(fb.workspace, sid, VoteOp("vote", ("m2",)))  # a write catches up
    assert other.votes == 2
    # each new vote recorded once as activity, by the batch that wrote it
    assert [(a.member_id, a.ref) for a in board.activity.recorded if a.kind == "vote"] == [
        ("m1", sid),
        ("m1", sid),
        ("m2", sid),
    ]


@dataclass
class CountedVotes:
    """The vote chains' repository, noting each query a reader makes."""

    votes: VoteRepository
    queries: list[str] = field(default_factory=list)

    async def chains(self, submission_ids: Sequence[str]) -> dict[str, list[VoteEntry]]:
        self.queries.append("chains")
        return await self.votes.chains(submission_ids)

    async def next_entries(self, heads: Mapping[str, int]) -> list[VoteEntry]:
        self.queries.append("next_entries")
        return await self.votes.next_entries(heads)

    async def entry(self, submission_id: str, seq: int) -> VoteEntry | None:
        self.queries.append("entry")
        return await self.votes.entry(submission_id, seq)


async def test_a_board_read_counts_every_idea_in_one_query_and_sees_another_replicas_votes(
    board: Board,
) -> None:
    """The public board's 50 ideas cost one query on the chains, not one per idea; a chain
    another replica moved is read again until it stands still, so counts stay exact."""
    fb = board.feedback
    ids = [(await board.create("author", f"Idea {i}"))["submission"]["id"] for i in range(5)]
    writer = board.service.ledger
    counted = CountedVotes(writer._votes)
    reader = VoteLedger(counted, board.directory, board.activity)  # type: ignore[arg-type]
    assert await reader.counts(ids) == dict.fromkeys(ids, 0)
    assert counted.queries == ["chains"]  # read whole the first time: current then
    counted.queries.clear()
    assert await reader.counts(ids) == dict.fromkeys(ids, 0)
    assert counted.queries == ["next_entries"]
    for member, idea in (("m1", ids[0]), ("m2", ids[0]), ("m1", ids[3])):
        await writer.run(fb.workspace, idea, VoteOp("vote", (member,)))
    counted.queries.clear()
    assert await reader.counts(ids) == {**dict.fromkeys(ids, 0), ids[0]: 2, ids[3]: 1}
    # all five, then the two that moved, then the one that moved twice: it stands still
    assert counted.queries == ["next_entries"] * 3


def _merged(survivor: str, merged: str, workspace: str) -> MemberMergedV1:
    """What the members area announces (its own tests cover emitting it)."""
    data = MemberMergeData(
        merge_id=f"{survivor}+{merged}",
        survivor_member_id=survivor,
        merged_member_id=merged,
        by="maya",
    )
    return MemberMergedV1(source="test", subject=survivor, workspace=workspace, data=data)


async def test_merged_members_vote_once_and_unmerge_gives_it_back(board: Board) -> None:
    fb = board.feedback
    sid = (await board.create("author", "Dark mode"))["submission"]["id"]
    for member in ("ana", "ana-mastodon", "ben"):
        await fb.client.post(f"/submissions/{sid}/vote", headers=fb.member(member))
    assert await board.votes(sid) == 3
    board.directory.merged["ana-mastodon"] = "ana"
    await board.service.votes.members_changed([_merged("ana", "ana-mastodon", fb.workspace)])
    assert await board.votes(sid) == 2
    again = await fb.client.post(f"/submissions/{sid}/vote", headers=fb.member("ana"))
    assert again.json() == {"submission_id": sid, "votes": 2, "voted": True}
    del board.directory.merged["ana-mastodon"]
    unmerged = _merged("ana", "ana-mastodon", fb.workspace)
    await board.service.votes.members_changed(
        [MemberUnmergedV1(**unmerged.model_dump(exclude={"type", "id"}))]
    )
    assert await board.votes(sid) == 3


async def test_status_change_tells_author_voters_and_followers_once(board: Board) -> None:
    fb = board.feedback
    sid = (await board.create("author", "Dark mode"))["submission"]["id"]
    for member in ("v1", "v1-alt", "v2", "quiet"):
        await fb.client.post(f"/submissions/{sid}/vote", headers=fb.member(member))
    await fb.client.post(f"/submissions/{sid}/follow", headers=fb.member("fan"))
    await fb.client.post(f"/submissions/{sid}/follow", headers=fb.member("v2"))
    await fb.client.delete(f"/submissions/{sid}/follow", headers=fb.member("v2"))
    board.directory.merged["v1-alt"] = "v1"
    await board.service.votes.members_changed([_merged("v1", "v1-alt", fb.workspace)])
    board.directory.refusing.add("quiet")

    illegal = await fb.client.post(
        f"/submissions/{sid}/status", json={"status": "done"}, headers=fb.manager
    )
    assert illegal.status_code == 422
    no_reason = await fb.client.post(
        f"/submissions/{sid}/status", json={"status": "declined"}, headers=fb.manager
    )
    assert no_reason.status_code == 422
    moved = await fb.client.post(
        f"/submissions/{sid}/status", json={"status": "under_review"}, headers=fb.manager
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "under_review"

    changes = [e for e in await fb.events(SUBMISSIONS) if isinstance(e, SubmissionStatusChangedV1)]
    assert len(changes) == 1
    assert changes[0].data.audience == ("author", "fan", "v1")
    assert (changes[0].data.previous, changes[0].data.status) == ("open", "under_review")
    roadmap = (await fb.client.get(f"/workspaces/{fb.workspace}/roadmap")).json()
    assert [i["id"] for i in roadmap["columns"]["under_review"]] == [sid]
    assert roadmap["columns"]["under_review"][0]["votes"] == 3  # v1 and v1-alt are one


async def test_comments_replies_and_their_audience(board: Board) -> None:
    fb = board.feedback
    sid = (await board.create("author", "Dark mode"))["submission"]["id"]
    await fb.client.post(f"/submissions/{sid}/vote", headers=fb.member("voter"))
    first = await fb.client.post(
        f"/submissions/{sid}/comments", json={"body": "Yes please"}, headers=fb.member("voter")
    )
    assert first.status_code == 201
    reply = await fb.client.post(
        f"/submissions/{sid}/comments",
        json={"body": "Agreed", "parent_id": first.json()["id"]},
        headers=fb.member("author"),
    )
    assert reply.json()["parent_id"] == first.json()["id"]
    held = await fb.client.post(
        f"/submissions/{sid}/comments", json={"body": "hold me"}, headers=fb.member("new")
    )
    thread = await fb.client.get(f"/submissions/{sid}/comments", headers=fb.member("x"))
    assert [c["body"] for c in thread.json()["items"]] == ["Yes please", "Agreed"]
    commented = [e for e in await fb.events(SUBMISSIONS) if e.type == "submission.commented.v1"]
    assert [e.data.audience for e in commented] == [("author",), ("voter",)]  # type: ignore[attr-defined]
    await board.service.held.release(fb.workspace, "comment", held.json()["id"], "maya")
    thread = await fb.client.get(f"/submissions/{sid}/comments", headers=fb.member("x"))
    assert len(thread.json()["items"]) == 3


async def test_merging_duplicates_carries_votes_followers_and_comments(board: Board) -> None:
    fb = board.feedback
    target = (await board.create("a1", "Dark mode"))["submission"]["id"]
    source = (await board.create("a2", "Night mode"))["submission"]["id"]
    for member in ("both", "t-only"):
        await fb.client.post(f"/submissions/{target}/vote", headers=fb.member(member))
    for member in ("both", "s-only", "s-alt"):
        await fb.client.post(f"/submissions/{source}/vote", headers=fb.member(member))
    board.directory.merged["s-alt"] = "t-only"  # the same person as a target voter
    await fb.client.post(
        f"/submissions/{source}/comments", json={"body": "me too"}, headers=fb.member("s-only")
    )
    merged = await fb.client.post(
        f"/submissions/{source}/merge", json={"target_id": target}, headers=fb.manager
    )
    assert merged.status_code == 200, merged.text
    result = merged.json()
    assert result["target"]["votes"] == 3  # both, t-only (= s-alt), s-only
    assert (result["moved_votes"], result["moved_comments"]) == (1, 1)
    assert result["moved_followers"] == 1  # a2, the source's author
    assert result["source"]["merged_into"] == target

    repeat = await fb.client.post(
        f"/submissions/{source}/merge", json={"target_id": target}, headers=fb.manager
    )
    assert repeat.status_code == 200
    assert repeat.json()["target"]["votes"] == 3
    closed = await fb.client.post(f"/submissions/{source}/vote", headers=fb.member("late"))
    assert closed.status_code == 409
    thread = await fb.client.get(f"/submissions/{target}/comments", headers=fb.manager)
    assert [c["body"] for c in thread.json()["items"]] == ["me too"]
    merges = [e for e in await fb.events(SUBMISSIONS) if e.type == "submission.merged.v1"]
    assert len(merges) == 1
