"""Live streams held open per person, counted in this replica: a person may keep a few tabs
open, not thousands of connections (each holds a socket and a poll loop)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable

from prometheus_client import Gauge

from ensemble_shared.errors import TooManyRequests

LIVE_STREAMS = Gauge("ensemble_notify_live_streams", "Live inbox streams open in this replica.")
RETRY_SECONDS = 5


class StreamSeats:
    def __init__(self, per_person: int) -> None:
        self._per_person = per_person
        self._open: Tally[tuple[str, str]] = Tally()

    def take(self, workspace: str, person: str) -> Seat:
        """One more stream for this person, or TooManyRequests when they hold the maximum."""
        key = (workspace, person)
        if self._open[key] >= self._per_person:
            raise TooManyRequests(
                f"at most {self._per_person} live streams per person are open at once; close "
                "one (another tab) or retry",
                retry_after=RETRY_SECONDS,
            )
        self._open[key] += 1
        LIVE_STREAMS.inc()
        return Seat(lambda: self._give_back(key))

    def _give_back(self, key: tuple[str, str]) -> None:
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]  # bounded by the people streaming now
        LIVE_STREAMS.dec()

    def held(self, workspace: str, person: str) -> int:
        return self._open[(workspace, person)]


class Seat:
    """One taken seat. Released once however many paths release it: the stream's own end, and
    the response's background task, which also runs when a client left before the stream began
    (a generator never started never runs its `finally`)."""

    def __init__(self, give_back: Callable[[], None]) -> None:
        self._give_back: Callable[[], None] | None = give_back

    def release(self) -> None:
        give_back, self._give_back = self._give_back, None
        if give_back is not None:
            give_back()
