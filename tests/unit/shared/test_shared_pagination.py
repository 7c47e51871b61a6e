"""Keyset pagination: the cursor round-trips, a made-up one (or one of the other direction) is
a 422, the filters order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ensemble_shared.errors import Invalid
from ensemble_shared.storage.pagination import (
    encode_cursor,
    following,
    keyset_sort,
    newer_than,
    next_cursor,
    older_than,
    parse_cursor,
)

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_cursor_names_the_position_it_was_made_from() -> None:
    assert parse_cursor(encode_cursor(AT, "m-7")) == (AT, "m-7")
    assert parse_cursor(None) is None


@given(st.text(max_size=200))
def test_a_made_up_cursor_is_invalid_never_an_error(text: str) -> None:
    try:
        position = parse_cursor(text)
    except Invalid:
        return
    assert position is not None
    assert position[0].tzinfo is not None


def test_filters_continue_after_the_position_in_either_order() -> None:
    assert older_than("created_at", None) == {}
    assert older_than("created_at", (AT, "b")) == {
        "$or": [{"created_at": {"$lt": AT}}, {"created_at": AT, "_id": {"$lt": "b"}}]
    }
    assert newer_than("at", (AT, "b")) == {
        "$or": [{"at": {"$gt": AT}}, {"at": AT, "_id": {"$gt": "b"}}]
    }


def test_next_cursor_only_when_the_page_is_full() -> None:
    items = [(AT, "a"), (AT, "b")]
    assert next_cursor(items, 3, lambda item: item) is None
    assert parse_cursor(next_cursor(items, 2, lambda item: item)) == (AT, "b")
    assert next_cursor([], 2, lambda item: item) is None


def test_a_cursor_without_a_time_zone_is_refused() -> None:
    with pytest.raises(Invalid):
        parse_cursor(encode_cursor(AT.replace(tzinfo=None), "a"))


def test_an_oldest_first_cursor_is_refused_for_newest_first_and_back() -> None:
    forward = next_cursor([(AT, "a")], 1, lambda item: item, ascending=True)
    assert forward is not None
    assert parse_cursor(forward, ascending=True) == (AT, "a")
    with pytest.raises(Invalid, match="other order"):
        parse_cursor(forward)
    with pytest.raises(Invalid, match="other order"):
        parse_cursor(encode_cursor(AT, "a"), ascending=True)


def test_after_and_the_sort_go_the_same_way() -> None:
    assert following("at", (AT, "b"), ascending=True) == newer_than("at", (AT, "b"))
    assert following("at", (AT, "b")) == older_than("at", (AT, "b"))
    assert keyset_sort("at", ascending=True) == [("at", 1), ("_id", 1)]
    assert keyset_sort("at") == [("at", -1), ("_id", -1)]
