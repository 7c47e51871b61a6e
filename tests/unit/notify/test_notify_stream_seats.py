"""Live-stream seats per person: the maximum holds, and a seat is given back exactly once."""

from __future__ import annotations

import pytest

from ensemble_notify.services.stream_seats import StreamSeats
from ensemble_shared.errors import TooManyRequests


def test_a_person_holds_at_most_the_maximum_and_others_are_not_counted() -> None:
    seats = StreamSeats(per_person=2)
    seats.take("acme", "ana")
    seats.take("acme", "ana")
    with pytest.raises(TooManyRequests):
        seats.take("acme", "ana")
    seats.take("acme", "bo")
    seats.take("globex", "ana")
    assert (seats.held("acme", "ana"), seats.held("acme", "bo")) == (2, 1)


def test_a_seat_released_by_the_stream_and_by_the_background_task_is_given_back_once() -> None:
    seats = StreamSeats(per_person=1)
    first = seats.take("acme", "ana")
    other = seats.take("acme", "bo")
    first.release()
    first.release()  # the background task after the stream's own `finally`
    assert (seats.held("acme", "ana"), seats.held("acme", "bo")) == (0, 1)
    seats.take("acme", "ana").release()
    other.release()
    assert seats.held("acme", "bo") == 0
