"""The roster fold: seats in order, waitlist in order, promotion on a freed seat, never over."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from ensemble_feedback.models.field_events import (
    CODE_ALPHABET,
    Act,
    FieldEventCreate,
    Roster,
    normalize_code,
)


def append(roster: Roster, kind: str, member: str | None = None, capacity: int | None = None):  # type: ignore[no-untyped-def]
    act, changes = roster.plan(kind, member_id=member, capacity=capacity)  # type: ignore[arg-type]
    roster.apply(act)
    return act, changes


def test_first_come_get_seats_the_rest_wait_in_order() -> None:
    roster = Roster(capacity=2)
    statuses = [append(roster, "join", m)[1][0].status for m in ["a", "b", "c", "d"]]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert roster.confirmed == ["a", "b"]
    assert roster.waitlist == ["c", "d"]
    assert roster.position("d") == 2


def test_joining_twice_changes_nothing() -> None:
    roster = Roster(capacity=1)
    append(roster, "join", "a")
    act, changes = roster.plan("join", member_id="a")
    assert changes == []
    roster.apply(act)
    assert roster.confirmed == ["a"]
    assert roster.waitlist == []


def test_a_freed_seat_goes_to_the_first_waitlisted_in_the_same_act() -> None:
    roster = Roster(capacity=1)
    append(roster, "join", "a")
    append(roster, "join", "b")
    append(roster, "join", "c")
    act, changes = append(roster, "leave", "a")
    assert [(c.member_id, c.status) for c in changes] == [("a", "cancelled"), ("b", "promoted")]
    assert roster.confirmed == ["b"]
    assert roster.waitlist == ["c"]
    assert roster.codes["b"] == act.codes["b"]
    assert "a" not in roster.codes


def test_leaving_the_waitlist_promotes_nobody() -> None:
    roster = Roster(capacity=1)
    for m in "abc":
        append(roster, "join", m)
    _, changes = append(roster, "leave", "b")
    assert [(c.member_id, c.status) for c in changes] == [("b", "cancelled")]
    assert roster.waitlist == ["c"]
    assert roster.position("c") == 1


def test_raising_capacity_promotes_in_order_and_lowering_it_bumps_nobody() -> None:
    roster = Roster(capacity=1)
    for m in "abcd":
        append(roster, "join", m)
    _, changes = append(roster, "capacity", capacity=3)
    assert [(c.member_id, c.status) for c in changes] == [("b", "promoted"), ("c", "promoted")]
    append(roster, "capacity", capacity=1)
    assert roster.confirmed == ["a", "b", "c"]
    _, changes = append(roster, "leave", "a")
    assert [c.status for c in changes] == ["cancelled"]  # still over the new capacity


def test_closing_cancels_everyone_and_refuses_later_joins() -> None:
    roster = Roster(capacity=1)
    append(roster, "join", "a")
    append(roster, "join", "b")
    _, changes = append(roster, "close")
    assert {(c.member_id, c.status, c.reason) for c in changes} == {
        ("a", "cancelled", "event_cancelled"),
        ("b", "cancelled", "event_cancelled"),
    }
    _, changes = roster.plan("join", member_id="c")
    assert changes == []
    assert roster.status_of("a") == "none"


def test_every_confirmed_member_gets_a_distinct_unguessable_looking_code() -> None:
    roster = Roster(capacity=50)
    for i in range(50):
        append(roster, "join", f"m{i}")
    codes = list(roster.codes.values())
    assert len(set(codes)) == 50
    assert all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert roster.member_of_code(codes[7]) == "m7"
    assert roster.member_of_code(normalize_code(" " + codes[7].lower() + " ")) == "m7"
    assert roster.member_of_code("ZZZZZZZZZZ") is None


def test_a_seat_without_a_code_in_the_log_cannot_check_in() -> None:
    roster = Roster.replay(1, [Act(1, "join", member_id="a")])
    assert roster.confirmed == ["a"]
    assert roster.codes == {}


def test_replay_of_the_log_gives_the_same_roster_and_never_goes_over_capacity() -> None:
    rng = random.Random(7)
    roster = Roster(capacity=5)
    acts = []
    for _ in range(400):
        member = f"m{rng.randrange(20)}"
        kind = rng.choice(["join", "join", "leave", "capacity"])
        capacity = rng.randrange(1, 8) if kind == "capacity" else None
        if kind == "capacity" and capacity is not None and capacity < len(roster.confirmed):
            continue  # the service refuses these
        act, _ = append(roster, kind, member if kind != "capacity" else None, capacity)
        acts.append(act)
        assert len(roster.confirmed) <= roster.capacity
        assert not (roster.waitlist and len(roster.confirmed) < roster.capacity)
        assert not set(roster.confirmed) & set(roster.waitlist)
    rng.shuffle(acts)
    replayed = Roster.replay(5, acts)
    assert (replayed.confirmed, replayed.waitlist, replayed.codes) == (
        roster.confirmed,
        roster.waitlist,
        roster.codes,
    )


def test_an_event_must_end_after_it_starts_with_a_known_time_zone() -> None:
    base = {
        "title": "Meetup",
        "place": {"name": "Café", "address": "1 rue X, Paris"},
        "starts_at": "2030-01-01T18:00:00+01:00",
        "ends_at": "2030-01-01T20:00:00+01:00",
        "timezone": "Europe/Paris",
        "capacity": 10,
    }
    assert FieldEventCreate.model_validate(base).capacity == 10
    for bad in (
        {"ends_at": "2030-01-01T17:00:00+01:00"},
        {"timezone": "Mars/Olympus"},
        {"starts_at": "2030-01-01T18:00:00"},  # no offset
        {"status": "cancelled"},  # not the caller's to set
        {"place": {"name": "x", "address": "y", "lat": 48.8}},  # lat without lon
        {"capacity": 0},
    ):
        with pytest.raises(ValidationError):
            FieldEventCreate.model_validate({**base, **bad})


def merge(roster: Roster, merged: str, into: str) -> list[tuple[str, str]]:
    act, changes = roster.plan("merge", member_id=merged, into=into)
    roster.apply(act)
    return [(c.member_id, c.status) for c in changes]


def test_a_merge_keeps_the_survivors_earlier_seat_and_promotes_into_the_other() -> None:
    roster = Roster(capacity=2)
    for m in "abc":
        append(roster, "join", m)
    code = roster.codes["a"]
    assert merge(roster, "b", "a") == [("b", "cancelled"), ("c", "promoted")]
    assert (roster.confirmed, roster.waitlist, roster.codes["a"]) == (["a", "c"], [], code)
    assert merge(roster, "b", "a") == []  # folded already: nothing left to do


def test_a_seat_beats_a_waitlist_place_and_the_earlier_place_wins() -> None:
    roster = Roster(capacity=1)
    for m in "abcd":
        append(roster, "join", m)
    assert merge(roster, "a", "c") == [("a", "cancelled"), ("c", "confirmed")]
    assert (roster.confirmed, roster.waitlist) == (["c"], ["b", "d"])
    assert merge(roster, "b", "d") == [("b", "cancelled"), ("d", "waitlisted")]
    assert (roster.confirmed, roster.waitlist, roster.position("d")) == (["c"], ["d"], 1)
