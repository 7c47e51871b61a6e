"""Moderation on the real app and store: the queue (held → approve / reject / block), write
limits (429 + Retry-After, per member and per address) and the `$`-key guard on feedback and
ingest. Members and the board are in-test fakes: moderation is built on the app's store with
them and put behind the routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import Depends, FastAPI

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.handlers import dependencies
from ensemble_feedback.handlers.limits import MemberWrite, ip_write_limit
from ensemble_feedback.main import create_app
from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import HeldItem, HeldKind, Verdict
from ensemble_feedback.services.moderation import ModerationService
from ensemble_feedback.services.screening import Screener
from ensemble_feedback.storage.moderation import ModerationRepository
from ensemble_feedback.storage.postings import PostingRepository
from ensemble_shared.auth import Role
from ensemble_shared.errors import NotFound
from support.apps import bearer, running, settings_for
from support.ingest import Ingest
from support.mentions import mention_body, signed

WS = "acme"


class Members:
    def __init__(self) -> None:
        self.levels: dict[str, TrustLevel] = {}

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        if (workspace, member_id) not in {(WS, m) for m in self.levels}:
            raise NotFound(f"no member {member_id}")
        return self.levels[member_id]

    async def set_trust(
        self,
        workspace: str,
        member_id: str,
        level: TrustLevel,
        by: str,
        *,
        reason: str | None = None,
    ) -> None:
        await self.trust(workspace, member_id)
        self.levels[member_id] = level


class Board:
    """Held content, as the submissions area keeps it: released or discarded once."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.released: list[str] = []
        self.discarded: list[str] = []

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        if ref not in self.held:
            raise NotFound(ref)
        self.held.discard(ref)
        self.released.append(ref)

    async def discard(self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str) -> None:
        if ref not in self.held:
            raise NotFound(ref)
        self.held.discard(ref)
        self.discarded.append(ref)


class Stage:
    def __init__(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        settings: FeedbackSettings,
        issuer: LocalIssuer,
    ) -> None:
        self.client = client
        self.members = Members()
        self.board = Board()
        database = app.state.infra.database
        queue = ModerationRepository(database)
        self.screener = Screener(
            queue,
            PostingRepository(database),
            self.members,
            duplicate_window_seconds=settings.moderation_duplicate_window_seconds,
        )
        self.moderation = ModerationService(
            queue,
            self.members,
            self.board,
            auto_trust_after=settings.moderation_auto_trust_after,
        )
        app.dependency_overrides[dependencies.moderation] = lambda: self.moderation
        self.manager = bearer(issuer, WS, Role.MANAGER, subject="maya")
        self.issuer = issuer

    def member(self, member_id: str, **headers: str) -> dict[str, str]:
        return {**bearer(self.issuer, WS, Role.MEMBER, subject=member_id), **headers}

    async def write(self, member_id: str, text: str, ref: str) -> Verdict:
        """What the submissions area does on a member's write."""
        screening = await self.screener.screen(WS, member_id, text)
        if screening.verdict is Verdict.HOLD:
            item = HeldItem(
                workspace=WS,
                kind="submission",
                ref=ref,
                member_id=member_id,
                text=text,
                reasons=screening.reasons,
            )
            await self.screener.enqueue(item)
            self.board.held.add(ref)
        return screening.verdict


@pytest.fixture
async def stage(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Stage]:
    settings = FeedbackSettings(
        **settings_for(infra, unique_name("feedback"), issuer),
        rate_limit_member_writes="3/minute",
        rate_limit_ip_writes="5/minute",
        trusted_proxies=["127.0.0.1"],
        moderation_auto_trust_after=0,
    )
    app = create_app(settings)

    @app.post("/limited-write", dependencies=[Depends(ip_write_limit)])
    async def anonymous_write() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/member-write")
    async def member_write(principal: MemberWrite) -> dict[str, str]:
        return {"by": principal.subject}

    async with running(app) as client:
        yield Stage(client, app, settings, issuer)


async def test_held_items_are_listed_approved_once_and_rejected_with_a_reason(stage: Stage) -> None:
    stage.members.levels |= {"newbie": TrustLevel.NEW, "regular": TrustLevel.TRUSTED}
    assert await stage.write("newbie", "Une idée : un mode sombre", "s1") is Verdict.HOLD
    assert await stage.write("regular", "Ajoutez un export CSV", "s2") is Verdict.PUBLISH
    assert await stage.write("regular", "Cette mise à jour est de la merde", "s3") is Verdict.HOLD
    await stage.screener.enqueue(  # a retried enqueue: still one item
        HeldItem(workspace=WS, kind="submission", ref="s1", member_id="newbie", text="x")
    )

    page = await stage.client.get("/moderation/queue", headers=stage.manager)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [(i["id"], i["member_id"]) for i in items] == [
        ("submission:s1", "newbie"),
        ("submission:s3", "regular"),
    ]
    assert "new_member" in items[0]["reasons"]
    assert "profanity:merde" in items[1]["reasons"]

    approved = await stage.client.post(
        "/moderation/items/submission:s1/approve", headers=stage.manager
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["action"] == "approved"
    assert approved.json()["by"] == "maya"
    again = await stage.client.post(
        "/moderation/items/submission:s1/approve", headers=stage.manager
    )
    assert again.status_code == 409
    assert "already approved by maya" in again.json()["message"]
    rejected = await stage.client.post(
        "/moderation/items/submission:s3/reject", json={"reason": "language"}, headers=stage.manager
    )
    assert rejected.status_code == 200
    assert rejected.json()["reason"] == "language"
    assert stage.board.released == ["s1"]
    assert stage.board.discarded == ["s3"]

    left = await stage.client.get("/moderation/queue", headers=stage.manager)
    assert left.json() == {"items": [], "next_cursor": None}
    view = await stage.client.get("/moderation/items/submission:s3", headers=stage.manager)
    assert view.json()["decision"]["action"] == "rejected"


async def test_concurrent_approve_and_reject_apply_exactly_one(stage: Stage) -> None:
    stage.members.levels["newbie"] = TrustLevel.NEW
    await stage.write("newbie", "Une idée", "s1")
    path = "/moderation/items/submission:s1"
    answers = await asyncio.gather(
        *(stage.client.post(f"{path}/approve", headers=stage.manager) for _ in range(3)),
        *(
            stage.client.post(f"{path}/reject", json={"reason": "no"}, headers=stage.manager)
            for _ in range(3)
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409, 409]
    assert len(stage.board.released) + len(stage.board.discarded) == 1


async def test_blocking_a_member_rejects_their_queue_and_refuses_later_writes(stage: Stage) -> None:
    stage.members.levels |= {"troll": TrustLevel.NEW, "other": TrustLevel.NEW}
    await stage.write("troll", "premier message", "s1")
    await stage.write("troll", "deuxième message", "s2")
    await stage.write("other", "une vraie idée", "s3")
    blocked = await stage.client.post(
        "/moderation/members/troll/block", json={"reason": "insults"}, headers=stage.manager
    )
    assert blocked.status_code == 200, blocked.text
    assert sorted(blocked.json()["discarded"]) == ["submission:s1", "submission:s2"]
    assert stage.members.levels["troll"] is TrustLevel.BLOCKED
    assert await stage.write("troll", "je reviens", "s4") is Verdict.REJECT
    queue = await stage.client.get("/moderation/queue", headers=stage.manager)
    assert [i["id"] for i in queue.json()["items"]] == ["submission:s3"]
    unknown = await stage.client.post(
        "/moderation/members/nobody/block", json={"reason": "x"}, headers=stage.manager
    )
    assert unknown.status_code == 404


async def test_the_queue_is_paged_with_a_cap_and_scoped_to_the_workspace(stage: Stage) -> None:
    stage.members.levels["newbie"] = TrustLevel.NEW
    for n in range(5):
        await stage.write("newbie", f"idée numéro {n}", f"s{n}")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await stage.client.get("/moderation/queue", params=params, headers=stage.manager)
        ).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"submission:s{n}" for n in range(5)]
    too_many = await stage.client.get(
        "/moderation/queue", params={"limit": 101}, headers=stage.manager
    )
    assert too_many.status_code == 422
    bad = await stage.client.get(
        "/moderation/queue", params={"cursor": "nope"}, headers=stage.manager
    )
    assert bad.status_code == 422
    elsewhere = bearer(stage.issuer, "globex", Role.MANAGER)
    assert (await stage.client.get("/moderation/queue", headers=elsewhere)).json()["items"] == []
    hidden = await stage.client.post("/moderation/items/submission:s0/approve", headers=elsewhere)
    assert hidden.status_code == 404
    as_member = await stage.client.get("/moderation/queue", headers=stage.member("newbie"))
    assert as_member.status_code == 403


async def test_writes_over_the_member_limit_get_429_with_retry_after(stage: Stage) -> None:
    for _ in range(3):
        assert (
            await stage.client.post("/member-write", headers=stage.member("m1"))
        ).status_code == 200
    refused = await stage.client.post("/member-write", headers=stage.member("m1"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"] == "too_many_requests"
    assert "at most 3 per 60 s" in refused.json()["message"]
    other = await stage.client.post("/member-write", headers=stage.member("m2"))
    assert other.status_code == 200
    anonymous = await stage.client.post("/member-write")
    assert anonymous.status_code == 401


async def test_an_address_is_limited_across_members_and_proxies_are_believed(stage: Stage) -> None:
    # The test client's peer is 127.0.0.1, a trusted proxy here: X-Forwarded-For decides.
    behind = {"x-forwarded-for": "198.51.100.7"}
    statuses = [
        (await stage.client.post("/member-write", headers=stage.member(m, **behind))).status_code
        for m in ("a", "b", "a", "b", "c", "c")
    ]
    assert statuses == [200, 200, 200, 200, 200, 429]
    elsewhere = {"x-forwarded-for": "198.51.100.8"}
    assert (
        await stage.client.post("/member-write", headers=stage.member("c", **elsewhere))
    ).status_code == 200
    anonymous = [
        (
            await stage.client.post("/limited-write", headers={"x-forwarded-for": "203.0.113.1"})
        ).status_code
        for _ in range(6)
    ]
    assert anonymous == [200] * 5 + [429]


async def test_operator_keys_in_a_feedback_body_are_422_with_the_path(stage: Stage) -> None:
    stage.members.levels["newbie"] = TrustLevel.NEW
    await stage.write("newbie", "une idée", "s1")
    refused = await stage.client.post(
        "/moderation/items/submission:s1/reject",
        json={"reason": {"$ne": None}},
        headers=stage.manager,
    )
    assert refused.status_code == 422
    assert refused.json()["message"] == "body.reason.$ne: keys starting with '$' are not accepted"
    assert stage.board.discarded == []
    dollars = await stage.client.post(
        "/moderation/items/submission:s1/reject", json={"reason": "$ne spam"}, headers=stage.manager
    )
    assert dollars.status_code == 200


async def test_operator_keys_are_422_on_ingest_but_signed_webhooks_pass(ingest: Ingest) -> None:
    refused = await ingest.client.post(
        "/sources", json={"name": "forum", "$where": "1"}, headers=ingest.admin
    )
    assert refused.status_code == 422
    assert "body.$where" in refused.json()["message"]
    source = await ingest.source()
    body = mention_body("dollar-1", text='Prices: $5, and {"$ne": 1} is a string here')
    accepted = await ingest.post(source, body, signed(source["secret"], body))
    assert accepted.status_code == 202, accepted.text
    # A platform body may hold `$` keys of its own: the webhook route is not guarded.
    platform = body.replace(
        b'"type": "mention.created"', b'"$type": "x", "type": "mention.created"'
    )
    assert b"$type" in platform
    passed = await ingest.post(source, platform, signed(source["secret"], platform))
    assert "keys starting with" not in passed.text, passed.text
