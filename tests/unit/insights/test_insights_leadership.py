"""One projector at a time: leases by time slot, kept by a live leader, taken over after."""

from __future__ import annotations

from typing import Any

from ensemble_insights.services.leader import Leadership


class MemoryLeases:
    def __init__(self) -> None:
        self.owners: dict[int, str] = {}

    async def take(self, slot: int, owner: str) -> bool:
        return self.owners.setdefault(slot, owner) == owner

    async def purge(self, before_slot: int) -> None:
        self.owners = {s: o for s, o in self.owners.items() if s >= before_slot}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _pair(leases: Any, clock: Clock) -> tuple[Leadership, Leadership]:
    return (
        Leadership(leases, "a", slot_seconds=60, margin_seconds=15, clock=clock),
        Leadership(leases, "b", slot_seconds=60, margin_seconds=15, clock=clock),
    )


async def test_the_leader_keeps_its_lease_while_it_lives_and_another_takes_over_after() -> None:
    leases, clock = MemoryLeases(), Clock(6000 + 20)  # 20 s into slot 100
    a, b = _pair(leases, clock)
    assert await a.lead()
    assert not await b.lead()
    clock.now = 6000 + 50  # the last quarter of the slot: a claims the next one early
    assert await a.lead()
    assert leases.owners[101] == "a"
    clock.now = 6060 + 20
    assert await a.lead()
    assert not await b.lead()
    clock.now = 6180 + 20  # a died in slot 101: slot 103 is free for b
    assert await b.lead()
    assert not await a.lead()


async def test_nobody_leads_in_the_first_quarter_of_a_slot_the_last_leader_may_claim() -> None:
    leases, clock = MemoryLeases(), Clock(6000 + 5)
    a, _ = _pair(leases, clock)
    assert not await a.lead()
    clock.now = 6000 + 16
    assert await a.lead()
