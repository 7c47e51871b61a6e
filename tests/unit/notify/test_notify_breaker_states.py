"""The circuit breaker's state machine, and two replicas sharing it through one transition log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ensemble_notify.models.breaker import (
    BreakerSettings,
    BreakerState,
    Pass,
    Tally,
    Transition,
    Wait,
    is_failure,
    trips,
)
from ensemble_notify.models.deliveries import AttemptResult
from ensemble_notify.services.breaker import Breakers

T0 = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
SETTINGS = BreakerSettings(
    failure_threshold=3,
    window=10,
    failure_rate=0.5,
    min_calls=6,
    cool_down=timedelta(seconds=30),
    probe_lease=timedelta(seconds=10),
)
DOWN = AttemptResult(status_code=503, latency_ms=5)
UP = AttemptResult(status_code=204, latency_ms=5)
REFUSED = AttemptResult(status_code=400, latency_ms=5)
UNREACHABLE = AttemptResult(error="ConnectError: refused", latency_ms=1)


class FakeLog:
    """The transition log's contract: a transition seq is taken by one insert only."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], Transition] = {}

    async def append(self, transition: Transition) -> bool:
        key = (transition.endpoint, transition.seq)
        if key in self.rows:
            return False
        self.rows[key] = transition
        return True

    async def latest(self, endpoint: str) -> Transition | None:
        mine = [t for (e, _), t in self.rows.items() if e == endpoint]
        return max(mine, key=lambda t: t.seq) if mine else None

    def states(self, endpoint: str = "ep") -> list[BreakerState]:
        return [t.state for (e, s), t in sorted(self.rows.items()) if e == endpoint]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def replica(log: FakeLog, clock: Clock, name: str) -> Breakers:
    # refresh 0: every read goes to the log, as if the cache had just expired
    return Breakers(log, SETTINGS, owner=name, refresh_seconds=0, clock=clock)  # type: ignore[arg-type]


def test_what_counts_as_a_failure() -> None:
    assert is_failure(DOWN)
    assert is_failure(UNREACHABLE)
    assert is_failure(AttemptResult(status_code=429, latency_ms=1))
    assert not is_failure(UP)
    assert not is_failure(REFUSED)  # a live receiver refusing one message is not an outage
    assert not is_failure(AttemptResult(accepted=True, latency_ms=1))


def test_consecutive_failures_trip_and_a_success_resets_the_run() -> None:
    tally = Tally()
    for failed in (True, True, False, True, True):
        tally.add(failed, SETTINGS.window)
    assert trips(tally, SETTINGS) is None
    tally.add(True, SETTINGS.window)
    assert trips(tally, SETTINGS) == "3 consecutive failures"


def test_a_failure_rate_over_the_window_trips_without_a_run() -> None:
    tally = Tally()
    for failed in (True, False, True, False, True):
        tally.add(failed, SETTINGS.window)
    assert trips(tally, SETTINGS) is None  # 3 of 5, but fewer than min_calls results
    tally.add(False, SETTINGS.window)
    assert trips(tally, SETTINGS) == "3 of the last 6 attempts failed"


def test_the_window_forgets_old_results() -> None:
    tally = Tally()
    for _ in range(2):
        tally.add(True, SETTINGS.window)
    for _ in range(10):
        tally.add(False, SETTINGS.window)
    assert list(tally.recent) == [False] * 10
    assert trips(tally, SETTINGS) is None


async def test_closed_open_half_open_closed() -> None:
    log, clock = FakeLog(), Clock()
    breakers = replica(log, clock, "a")
    assert await breakers.admit("acme", "ep") == Pass()
    moved = [await breakers.record("acme", "ep", DOWN, probe=False) for _ in range(3)]
    assert moved == [None, None, BreakerState.OPEN]
    opened = await log.latest("ep")
    assert opened is not None
    assert opened.reason == "3 consecutive failures; last: HTTP 503"
    # open: deliveries wait for the end of the cool-down, without an attempt
    assert await breakers.admit("acme", "ep") == Wait(T0 + SETTINGS.cool_down)
    clock.now = T0 + SETTINGS.cool_down
    assert await breakers.admit("acme", "ep") == Pass(probe=True)
    # while the probe is out, everyone else waits for its verdict
    assert await breakers.admit("acme", "ep") == Wait(clock.now + SETTINGS.probe_lease)
    assert await breakers.record("acme", "ep", UP, probe=True) is BreakerState.CLOSED
    assert await breakers.admit("acme", "ep") == Pass()
    assert log.states() == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]


async def test_a_failed_probe_reopens_for_another_cool_down() -> None:
    log, clock = FakeLog(), Clock()
    breakers = replica(log, clock, "a")
    for _ in range(3):
        await breakers.record("acme", "ep", UNREACHABLE, probe=False)
    clock.now = T0 + SETTINGS.cool_down
    assert await breakers.admit("acme", "ep") == Pass(probe=True)
    assert await breakers.record("acme", "ep", DOWN, probe=True) is BreakerState.OPEN
    assert await breakers.admit("acme", "ep") == Wait(clock.now + SETTINGS.cool_down)
    latest = await log.latest("ep")
    assert latest is not None
    assert latest.reason == "the probe failed: HTTP 503"


async def test_results_of_attempts_sent_before_it_opened_change_nothing() -> None:
    log, clock = FakeLog(), Clock()
    breakers = replica(log, clock, "a")
    for _ in range(3):
        await breakers.record("acme", "ep", DOWN, probe=False)
    assert await breakers.record("acme", "ep", UP, probe=False) is None
    assert await breakers.record("acme", "ep", DOWN, probe=False) is None
    assert log.states() == [BreakerState.OPEN]


async def test_two_replicas_share_one_breaker_and_only_one_probes() -> None:
    log, clock = FakeLog(), Clock()
    a, b = replica(log, clock, "a"), replica(log, clock, "b")
    for _ in range(3):
        await a.record("acme", "ep", DOWN, probe=False)
    assert isinstance(await b.admit("acme", "ep"), Wait)  # b never saw a failure itself
    clock.now = T0 + SETTINGS.cool_down
    verdicts = [await a.admit("acme", "ep"), await b.admit("acme", "ep")]
    assert verdicts == [Pass(probe=True), Wait(clock.now + SETTINGS.probe_lease)]
    # b cannot close a breaker whose probe it does not hold
    assert await b.record("acme", "ep", UP, probe=True) is None
    assert await a.record("acme", "ep", UP, probe=True) is BreakerState.CLOSED
    assert await b.admit("acme", "ep") == Pass()


async def test_a_probe_whose_replica_vanished_is_taken_again_after_its_lease() -> None:
    log, clock = FakeLog(), Clock()
    a, b = replica(log, clock, "a"), replica(log, clock, "b")
    for _ in range(3):
        await a.record("acme", "ep", DOWN, probe=False)
    clock.now = T0 + SETTINGS.cool_down
    assert await a.admit("acme", "ep") == Pass(probe=True)  # ...and replica a dies
    clock.now += SETTINGS.probe_lease
    assert await b.admit("acme", "ep") == Pass(probe=True)
    assert await a.record("acme", "ep", UP, probe=True) is None  # too late, not a's any more
    assert await b.record("acme", "ep", UP, probe=True) is BreakerState.CLOSED
    assert log.states() == [
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


async def test_two_replicas_tripping_at_once_open_it_once() -> None:
    log, clock = FakeLog(), Clock()
    a, b = replica(log, clock, "a"), replica(log, clock, "b")
    for _ in range(2):
        await a.record("acme", "ep", DOWN, probe=False)
        await b.record("acme", "ep", DOWN, probe=False)
    moved = [
        await a.record("acme", "ep", DOWN, probe=False),
        await b.record("acme", "ep", DOWN, probe=False),
    ]
    assert moved == [BreakerState.OPEN, None]
    assert log.states() == [BreakerState.OPEN]


async def test_endpoints_have_separate_breakers() -> None:
    log, clock = FakeLog(), Clock()
    breakers = replica(log, clock, "a")
    for _ in range(3):
        await breakers.record("acme", "down", DOWN, probe=False)
    assert isinstance(await breakers.admit("acme", "down"), Wait)
    assert await breakers.admit("acme", "up") == Pass()
