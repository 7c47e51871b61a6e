"""Screening by trust level and filters, and the queue's decisions, with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import (
    Action,
    Decision,
    HeldItem,
    HeldKind,
    QueueItem,
    Verdict,
)
from ensemble_feedback.services.moderation import AUTO_TRUST_BY, ModerationService
from ensemble_feedback.services.screening import Screener
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.storage.pagination import Position

WS = "acme"


class FakeMembers:
    def __init__(self, **levels: TrustLevel) -> None:
        self.levels = dict(levels)
        self.changes: list[tuple[str, TrustLevel, str]] = []

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        if member_id not in self.levels:
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
        self.levels[member_id] = level
        self.changes.append((member_id, level, by))


class FakeContent:
    def __init__(self, *, gone: frozenset[str] = frozenset(), broken: bool = False) -> None:
        self.released: list[str] = []
        self.discarded: list[tuple[str, str]] = []
        self.gone = set(gone)
        self.broken = broken

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        if self.broken:
            raise RuntimeError("store down")
        if ref in self.gone:
            raise NotFound(ref)
        self.released.append(ref)

    async def discard(self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str) -> None:
        if ref in self.gone:
            raise NotFound(ref)
        self.discarded.append((ref, reason))


class FakeQueue:
    """Same contract as storage/moderation.py, in dicts."""

    def __init__(self) -> None:
        self.items: dict[str, QueueItem] = {}
        self.decisions: dict[str, Decision] = {}
        self.postings: set[str] = set()
        self.forgotten_before: datetime | None = None

    async def enqueue(self, item: QueueItem) -> bool:
        return self.items.setdefault(item.id, item) is item

    async def item(self, workspace: str, item_id: str) -> QueueItem | None:
        found = self.items.get(item_id)
        return found if found and found.workspace == workspace else None

    async def decide(self, decision: Decision) -> Decision | None:
        earlier = self.decisions.setdefault(decision.item_id, decision)
        return None if earlier is decision else earlier

    async def undo(self, decision: Decision) -> None:
        if self.decisions.get(decision.item_id) == decision:
            del self.decisions[decision.item_id]

    async def decision(self, workspace: str, item_id: str) -> Decision | None:
        return self.decisions.get(item_id)

    async def pending(
        self, workspace: str, *, limit: int, after: Position | None, scan: int
    ) -> tuple[list[QueueItem], Position | None]:
        waiting = [i for i in self.items.values() if i.id not in self.decisions]
        return waiting[:limit], None

    async def pending_of(self, workspace: str, member_id: str, *, cap: int) -> list[QueueItem]:
        return [
            i
            for i in self.items.values()
            if i.member_id == member_id and i.id not in self.decisions
        ]

    async def approvals(self, workspace: str, member_id: str) -> int:
        return sum(
            1
            for d in self.decisions.values()
            if d.member_id == member_id and d.action is Action.APPROVED
        )

    async def posted(
        self, workspace: str, member_id: str, fingerprint: str, buckets: list[int]
    ) -> bool:
        keys = [f"{member_id}:{fingerprint}:{b}" for b in buckets]
        seen = any(k in self.postings for k in keys)
        self.postings.add(keys[0])
        return seen

    async def forget_postings(self, before: datetime) -> int:
        self.forgotten_before = before
        return 0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def moderation(
    members: FakeMembers, content: FakeContent | None = None, *, auto_trust_after: int = 0
) -> tuple[Screener, ModerationService, FakeQueue, Clock]:
    """Screening and the review queue on one queue and one set of members, as the app wires
    them."""
    queue, clock = FakeQueue(), Clock()
    screener = Screener(queue, queue, members, duplicate_window_seconds=600, clock=clock)
    review = ModerationService(
        queue, members, content or FakeContent(), auto_trust_after=auto_trust_after, clock=clock
    )
    return screener, review, queue, clock


def staff(subject: str) -> Principal:
    return Principal(subject=subject, workspace=WS, roles=frozenset({Role.MANAGER}))


SPAM = "Crypto giveaway! click here https://x.ru https://y.ru https://z.ru"


@pytest.mark.parametrize(
    ("level", "text", "verdict", "reason"),
    [
        (TrustLevel.BLOCKED, "Une idée toute simple", Verdict.REJECT, "member_blocked"),
        (TrustLevel.NEW, "Une idée toute simple", Verdict.HOLD, "new_member"),
        (TrustLevel.NEW, SPAM, Verdict.REJECT, "spam"),
        (TrustLevel.NEW, "c'est de la merde", Verdict.HOLD, "profanity:merde"),
        (TrustLevel.TRUSTED, "Une idée toute simple", Verdict.PUBLISH, None),
        (TrustLevel.TRUSTED, "Please add a dark mode", Verdict.PUBLISH, None),
        (TrustLevel.TRUSTED, "This update is fucking broken", Verdict.HOLD, "profanity:fucking"),
        (TrustLevel.TRUSTED, "PLEASE ADD THE DARK MODE NOW!!!!!!!", Verdict.HOLD, "all_caps"),
        (TrustLevel.TRUSTED, SPAM, Verdict.REJECT, "spam"),
        (TrustLevel.TRUSTED, "Cliquez ici : argent facile !", Verdict.REJECT, "spam"),
    ],
)
async def test_the_screening_matrix(
    level: TrustLevel, text: str, verdict: Verdict, reason: str | None
) -> None:
    screener, _, _, _ = moderation(FakeMembers(m=level))
    screening = await screener.screen(WS, "m", text)
    assert screening.verdict is verdict
    if reason is None:
        assert screening.reasons == ()
    else:
        assert reason in screening.reasons


async def test_an_unknown_member_is_not_found() -> None:
    screener, _, _, _ = moderation(FakeMembers())
    with pytest.raises(NotFound):
        await screener.screen(WS, "ghost", "hello")


async def test_the_same_text_twice_within_the_window_is_held_then_passes_later() -> None:
    screener, _, _, clock = moderation(FakeMembers(m=TrustLevel.TRUSTED))
    first = await screener.screen(WS, "m", "Ajoutez un mode sombre")
    again = await screener.screen(WS, "m", "ajoutez un mode  SOMBRE !")
    assert first.verdict is Verdict.PUBLISH
    assert again.verdict is Verdict.HOLD
    assert "duplicate" in again.reasons
    clock.now += timedelta(seconds=1_201)  # two windows on: forgotten
    assert (await screener.screen(WS, "m", "Ajoutez un mode sombre")).verdict is Verdict.PUBLISH


async def test_a_duplicate_of_spammy_text_is_rejected() -> None:
    screener, _, _, _ = moderation(FakeMembers(m=TrustLevel.TRUSTED))
    text = "WIN A FREE PHONE TODAY, VISIT OUR SHOP!!!!!!"
    assert (await screener.screen(WS, "m", text)).verdict is Verdict.HOLD
    assert (await screener.screen(WS, "m", text)).verdict is Verdict.REJECT


def held(ref: str, member_id: str = "m") -> HeldItem:
    return HeldItem(workspace=WS, kind="submission", ref=ref, member_id=member_id, text="t")


async def test_approve_releases_once_and_a_second_decision_is_a_conflict() -> None:
    content = FakeContent()
    screener, review, queue, _ = moderation(FakeMembers(m=TrustLevel.NEW), content)
    await screener.enqueue(held("s1"))
    await screener.enqueue(held("s1"))  # a retried write: still one item
    assert len(queue.items) == 1
    decision = await review.approve(staff("maya"), "submission:s1")
    assert (decision.action, decision.by) == (Action.APPROVED, "maya")
    with pytest.raises(Conflict, match="already approved by maya"):
        await review.approve(staff("maya"), "submission:s1")
    with pytest.raises(Conflict):
        await review.reject(staff("leo"), "submission:s1", "spam")
    assert content.released == ["s1"]
    assert content.discarded == []
    assert (await review.pending(WS, limit=10)).items == []


async def test_a_failed_release_takes_the_decision_back() -> None:
    content = FakeContent(broken=True)
    screener, review, queue, _ = moderation(FakeMembers(m=TrustLevel.NEW), content)
    await screener.enqueue(held("s1"))
    with pytest.raises(RuntimeError):
        await review.approve(staff("maya"), "submission:s1")
    assert queue.decisions == {}
    content.broken = False
    await review.approve(staff("maya"), "submission:s1")
    assert content.released == ["s1"]


async def test_content_that_was_never_stored_is_dropped_from_the_queue() -> None:
    screener, review, queue, _ = moderation(
        FakeMembers(m=TrustLevel.NEW), FakeContent(gone=frozenset({"s1"}))
    )
    await screener.enqueue(held("s1"))
    with pytest.raises(NotFound, match="dropped"):
        await review.approve(staff("maya"), "submission:s1")
    assert queue.decisions["submission:s1"].action is Action.DROPPED


async def test_block_sets_the_level_and_rejects_every_waiting_item_of_the_member() -> None:
    members = FakeMembers(m=TrustLevel.NEW, other=TrustLevel.NEW)
    content = FakeContent()
    screener, review, _, _ = moderation(members, content)
    for ref in ("s1", "s2"):
        await screener.enqueue(held(ref))
    await screener.enqueue(held("s3", member_id="other"))
    await review.approve(staff("maya"), "submission:s1")
    result = await review.block(staff("maya"), "m", "spam account")
    assert result.discarded == ["submission:s2"]
    assert members.levels["m"] is TrustLevel.BLOCKED
    assert content.discarded == [("s2", "member blocked: spam account")]
    assert [i.id for i in (await review.pending(WS, limit=10)).items] == ["submission:s3"]
    assert (await screener.screen(WS, "m", "hello again")).verdict is Verdict.REJECT


async def test_a_new_member_is_trusted_after_enough_approvals() -> None:
    members = FakeMembers(m=TrustLevel.NEW)
    screener, review, _, _ = moderation(members, auto_trust_after=2)
    for ref in ("s1", "s2"):
        await screener.enqueue(held(ref))
    await review.approve(staff("maya"), "submission:s1")
    assert members.levels["m"] is TrustLevel.NEW
    await review.approve(staff("maya"), "submission:s2")
    assert members.changes == [("m", TrustLevel.TRUSTED, AUTO_TRUST_BY)]
    assert (await screener.screen(WS, "m", "Une idée")).verdict is Verdict.PUBLISH


async def test_the_purge_keeps_exactly_the_two_buckets_a_repeat_is_checked_against() -> None:
    screener, _, queue, clock = moderation(FakeMembers())
    clock.now = datetime(2026, 11, 2, 10, 7, 30, tzinfo=UTC)  # 600 s buckets: 10:00 is current
    await screener.forget_old_fingerprints()
    assert queue.forgotten_before == datetime(2026, 11, 2, 9, 50, tzinfo=UTC)
